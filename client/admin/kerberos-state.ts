/**
 * Kerberos single sign-on in the directory section: read-only state — keytab
 * readable or why not (never its contents), service principal, realms, the attribute
 * the directory is searched by, and whether the service's credentials could be
 * acquired from the keytab when the page was loaded (docs/kerberos-sign-in.md).
 */
import { h } from '../dom-builder.js';
import { tr } from './admin-i18n.js';

export interface KerberosStatus {
  configured: boolean;
  servicePrincipal: string | null;
  realms: string[];
  directoryAttribute: string | null;
  keytab: null | { path: string; readable: boolean; problem: string | null };
  credentials: null | { ok: true } | { ok: false; detail: string };
}

export function kerberosState(k: KerberosStatus | null | undefined): HTMLElement {
  const title = h('h3', {}, [tr('krbTitle')]);
  if (!k?.configured) return h('div', { id: 'kerberos-state' }, [title, h('p', {}, [tr('krbNotConfigured')])]);
  const keytab = k.keytab ? `${k.keytab.path} — ${k.keytab.readable ? tr('krbReadable') : `${tr('krbUnreadable')} (${k.keytab.problem ?? ''})`}` : '—';
  const credentials = !k.credentials ? '—' : k.credentials.ok ? tr('krbCredOk') : `${tr('krbCredFailed')}: ${k.credentials.detail}`;
  const rows: Array<[string, string]> = [
    [tr('krbKeytab'), keytab],
    [tr('krbPrincipal'), k.servicePrincipal ?? '—'],
    [tr('krbRealms'), k.realms.join(', ')],
    [tr('krbLookup'), k.directoryAttribute ?? tr('krbLookupDefault')],
    [tr('krbCredentials'), credentials],
  ];
  const list = h('dl', { class: 'directory-settings' }, rows.flatMap(([key, value]) => [h('dt', {}, [key]), h('dd', {}, [value])]));
  if (k.credentials && !k.credentials.ok) list.classList.add('error');
  return h('div', { id: 'kerberos-state' }, [title, list]);
}
