/**
 * The frame both consoles share: a header (title, who is signed in, links to the
 * browser and the other pages the role may open, language switch, sign-out), a left
 * menu of pages (hash routes, `#accounts`), and the page in the main region. Moving to
 * a page puts the keyboard focus on its heading so screen readers announce it.
 */
import { h } from './dom-builder.js';
import { label, lang, langQuery, t } from './i18n.js';
import { placesFor } from './places.js';

export { placesFor };

export interface Me {
  csrfToken: string;
  user: { name: string; role: string };
}

export interface ConsolePage {
  id: string;
  label: string;
  /** Fills `main` with the page (a heading first). */
  render(main: HTMLElement): void;
  /** A small count beside the menu entry (e.g. pending approvals). */
  badge?: HTMLElement;
}

/** Reads the signed-in user; sends the browser to the login page without a session. */
export async function loadMe(): Promise<Me | null> {
  const res = await fetch('/api/me', { credentials: 'same-origin' });
  if (res.ok) return (await res.json()) as Me;
  location.assign(`/login${langQuery()}`);
  return null;
}

function signOut(csrfToken: string): void {
  const login = `/login${langQuery()}`;
  // Kerberos single sign-on would sign the person straight back in: the login page skips it once.
  try {
    sessionStorage.setItem('kekkai-signed-out', '1');
  } catch {
    /* storage off: the login page signs in again, as a fresh visit would */
  }
  // An OIDC session continues its sign-out at the identity provider (logoutUrl), which comes back to /login.
  void fetch('/api/logout', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', 'x-kekkai-csrf': csrfToken }, body: '{}' })
    .then(async (res) => ((await res.json()) as { logoutUrl?: string }).logoutUrl ?? login)
    .then((next) => location.assign(next), () => location.assign(login));
}

export function startConsole(page: 'admin' | 'security', me: Me, pages: ConsolePage[]): void {
  const title = page === 'admin' ? t('admin.title') : t('security.title');
  document.title = title;
  const other = lang === 'en' ? 'ja' : 'en';
  const switchHref = `${location.pathname}${other === 'en' ? '?lang=en' : ''}${location.hash}`;
  const logout = h('button', { type: 'button', class: 'sign-out' }, [t('admin.signOut')]);
  logout.addEventListener('click', () => signOut(me.csrfToken));
  const places = placesFor(me.user.role).filter((p) => p.page !== page);
  const header = h('header', { class: 'console-header' }, [
    h('a', { class: 'skip-link', href: '#main' }, [t('nav.skip')]),
    h('h1', {}, [title]),
    h('span', { class: 'console-user' }, [t('nav.signedInAs', { name: me.user.name, role: label('enum.role', me.user.role) })]),
    h('nav', { class: 'console-places', 'aria-label': t('nav.menu') }, places.map((p) => h('a', { href: p.href, class: `place-${p.page}` }, [p.text]))),
    h('a', { href: switchHref, lang: other, hreflang: other, class: 'language-switch' }, [t('nav.switchLanguage')]),
    logout,
  ]);
  const links = pages.map((p) => h('a', { href: `#${p.id}`, 'data-page': p.id }, [p.label, ...(p.badge ? [p.badge] : [])]));
  const menu = h('nav', { class: 'console-menu', 'aria-label': title }, [h('ul', {}, links.map((a) => h('li', {}, [a])))]);
  const main = h('main', { class: 'console-main', id: 'main', tabindex: '-1' });
  document.body.replaceChildren(header, h('div', { class: 'console-body' }, [menu, main]));

  let first = true;
  const show = (): void => {
    const id = location.hash.slice(1);
    const current = pages.find((p) => p.id === id) ?? pages[0]!;
    for (const a of links) {
      if (a.dataset.page === current.id) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    main.replaceChildren();
    current.render(main);
    document.title = `${current.label} — ${title}`;
    if (!first) {
      const heading = main.querySelector<HTMLElement>('h2');
      if (heading) {
        heading.tabIndex = -1;
        heading.focus();
      }
    }
    first = false;
  };
  window.addEventListener('hashchange', show);
  show();
}
