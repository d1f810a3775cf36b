/**
 * Admin console: one page per section behind a left menu (URL and file policies,
 * browser start page, accounts, directory and single sign-on, live sessions,
 * settings, checklist evidence). Japanese by default, English with ?lang=en.
 */
import { accountsView } from './admin/accounts-view.js';
import { setCsrf } from './admin/api.js';
import { complianceView } from './admin/compliance-view.js';
import { directoryView } from './admin/directory-view.js';
import { federationView } from './admin/federation-view.js';
import { filePolicyView } from './admin/file-policy-view.js';
import { sessionsView, settingsView } from './admin/operations-view.js';
import { policyEditor } from './admin/policy-editor.js';
import { startPageView } from './admin/start-page-view.js';
import { leakGuardView } from './admin/leak-guard-view.js';
import { loadMe, placesFor, startConsole, type ConsolePage } from './console-shell.js';
import { h } from './dom-builder.js';
import { t } from './i18n.js';

function page(id: string, label: string, make: () => HTMLElement): ConsolePage {
  return { id, label, render: (main) => main.replaceChildren(make()) };
}

async function start(): Promise<void> {
  const me = await loadMe();
  if (!me) return;
  setCsrf(me.csrfToken);
  if (me.user.role !== 'admin') {
    // Not an admin: say so and point to the places this role may open.
    document.title = t('admin.title');
    const links = placesFor(me.user.role).map((p) => h('li', {}, [h('a', { href: p.href }, [p.text])]));
    document.body.replaceChildren(h('main', { class: 'console-main', id: 'main' }, [h('h1', {}, [t('admin.title')]), h('p', { role: 'alert' }, [t('admin.forbidden')]), h('ul', {}, links)]));
    return;
  }
  startConsole('admin', me, [
    page('policy', t('admin.policy'), policyEditor),
    page('file-policy', t('admin.filePolicy'), filePolicyView),
    page('start-page', t('admin.startPage'), startPageView),
    page('leak-guard', t('admin.leakGuard'), leakGuardView),
    page('accounts', t('admin.accounts'), accountsView),
    page('directory', t('admin.directory'), directoryView),
    page('federation', t('admin.federation'), federationView),
    page('sessions', t('admin.sessions'), sessionsView),
    page('settings', t('admin.settings'), settingsView),
    page('compliance', t('admin.compliance'), complianceView),
  ]);
}

void start();
