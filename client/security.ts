/**
 * Security console: quarantine review (filters, detail, release / delete / analysis
 * download with a justification), releases awaiting a second approval, and the
 * audit log (search, export, chain status). Japanese by default, English with ?lang=en.
 */
import { h } from './dom-builder.js';
import { getJson, post, setCsrfToken } from './security/api.js';
import { approvalsView } from './security/approvals-view.js';
import { auditView } from './security/audit-view.js';
import { quarantineView } from './security/quarantine-view.js';
import { lang, s } from './security/strings.js';

type View = 'quarantine' | 'approvals' | 'audit';
const VIEWS: Record<View, (root: HTMLElement) => void> = { quarantine: quarantineView, approvals: approvalsView, audit: auditView };

function currentView(): View {
  const name = location.hash.slice(1);
  return name in VIEWS ? (name as View) : 'quarantine';
}

async function start(): Promise<void> {
  document.title = s('title');
  const me = await getJson<{ user: { name: string; role: string }; csrfToken: string }>('/api/me');
  setCsrfToken(me.csrfToken);
  const main = h('main', { class: 'console-main', id: 'main' });
  const links = (Object.keys(VIEWS) as View[]).map((v) =>
    h('a', { href: `#${v}`, 'data-view': v }, [s(v === 'quarantine' ? 'navQuarantine' : v === 'approvals' ? 'navApprovals' : 'navAudit')]),
  );
  const logout = h('button', { type: 'button' }, [s('logout')]);
  // An OIDC session continues its sign-out at the identity provider (logoutUrl), which comes back to /login.
  logout.addEventListener('click', () => {
    const login = lang === 'en' ? '/login?lang=en' : '/login';
    // Kerberos single sign-on would sign the person straight back in: the login page skips it once.
    try {
      sessionStorage.setItem('kekkai-signed-out', '1');
    } catch {
      /* storage off: the login page signs in again, as a fresh visit would */
    }
    void post('/api/logout', {})
      .then(async (res) => ((await res.json()) as { logoutUrl?: string }).logoutUrl ?? login)
      .then((next) => location.assign(next), () => location.assign(login));
  });
  const header = h('header', { class: 'console-header' }, [
    h('h1', {}, [s('title')]),
    h('nav', { class: 'console-nav', 'aria-label': s('title') }, links),
    h('span', { class: 'console-user' }, [`${s('signedInAs')}: ${me.user.name} (${me.user.role})`]),
    logout,
  ]);
  document.body.replaceChildren(header, main);
  const show = (): void => {
    const view = currentView();
    for (const a of links) {
      if (a.dataset.view === view) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    VIEWS[view](main);
  };
  window.addEventListener('hashchange', show);
  show();
}

void start().catch((err: Error) => {
  document.body.replaceChildren(h('p', { class: 'form-error', role: 'alert' }, [err.message]));
});
