/** Admin console: URL and file policies, accounts, directory sign-in, live sessions, settings, checklist evidence. */
import { h } from './dom-builder.js';
import { lang } from './i18n.js';
import { accountsView } from './admin/accounts-view.js';
import { directoryView } from './admin/directory-view.js';
import { federationView } from './admin/federation-view.js';
import { tr } from './admin/admin-i18n.js';
import { setCsrf } from './admin/api.js';
import { complianceView, filePolicyView, sessionsView, settingsView } from './admin/operations-view.js';
import { policyEditor } from './admin/policy-editor.js';

async function start(): Promise<void> {
  document.title = tr('title');
  const res = await fetch('/api/me', { credentials: 'same-origin' });
  if (!res.ok) {
    location.assign(lang === 'en' ? '/login?lang=en' : '/login');
    return;
  }
  const me = (await res.json()) as { csrfToken: string; user: { name: string; role: string } };
  setCsrf(me.csrfToken);
  const suffix = lang === 'en' ? '?lang=en' : '';
  const header = h('header', { class: 'admin-header' }, [
    h('h1', {}, [tr('title')]),
    h('span', { class: 'who' }, [`${me.user.name} (${me.user.role})`]),
    h('a', { href: `/${suffix}` }, [tr('browse')]),
    h('a', { href: lang === 'en' ? '/admin' : '/admin?lang=en', lang: lang === 'en' ? 'ja' : 'en' }, [lang === 'en' ? '日本語' : 'English']),
  ]);
  if (me.user.role !== 'admin') {
    const sections = me.user.role === 'security' ? [complianceView(lang)] : [h('p', { role: 'alert' }, [tr('forbidden')])];
    document.body.replaceChildren(header, h('main', { class: 'admin' }, sections));
    return;
  }
  const views: Array<[string, string, () => HTMLElement]> = [
    ['policy', tr('policy'), policyEditor],
    ['file-policy', tr('filePolicy'), filePolicyView],
    ['accounts', tr('accounts'), accountsView],
    ['directory', tr('directory'), directoryView],
    ['federation', tr('federation'), federationView],
    ['sessions', tr('sessions'), sessionsView],
    ['settings', tr('settings'), settingsView],
    ['compliance', tr('compliance'), () => complianceView(lang)],
  ];
  const nav = h('nav', { class: 'admin-nav', 'aria-label': tr('title') }, views.map(([id, label]) => h('a', { href: `#${id}` }, [label])));
  document.body.replaceChildren(header, nav, h('main', { class: 'admin' }, views.map(([, , make]) => make())));
}

void start();
