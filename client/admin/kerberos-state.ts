/**
 * Kerberos single sign-on in the directory section: read-only state — keytab
 * readable or why not (never its contents), service principal, realms, the attribute
 * the directory is searched by, and whether the service's credentials could be
 * acquired from the keytab when the page was loaded (docs/kerberos-sign-in.md).
 */
import { h } from '../dom-builder.js';
import { t } from '../i18n.js';

export interface KerberosStatus {
  configured: boolean;
  servicePrincipal: string | null;
  realms: string[];
  directoryAttribute: string | null;
  keytab: null | { path: string; readable: boolean; problem: string | null };
  credentials: null | { ok: true } | { ok: false; detail: string };
}

export function kerberosState(k: KerberosStatus | null | undefined): HTMLElement {
  const title = h('h3', {}, [t('admin.krbTitle')]);
  if (!k?.configured) return h('div', { id: 'kerberos-state' }, [title, h('p', {}, [t('admin.krbNotConfigured')])]);
  const keytab = k.keytab ? `${k.keytab.path} — ${k.keytab.readable ? t('admin.krbReadable') : `${t('admin.krbUnreadable')} (${k.keytab.problem ?? ''})`}` : '—';
  const credentials = !k.credentials ? '—' : k.credentials.ok ? t('admin.krbCredOk') : `${t('admin.krbCredFailed')}: ${k.credentials.detail}`;
  const rows: Array<[string, string]> = [
    [t('admin.krbKeytab'), keytab],
    [t('admin.krbPrincipal'), k.servicePrincipal ?? '—'],
    [t('admin.krbRealms'), k.realms.join(', ')],
    [t('admin.krbLookup'), k.directoryAttribute ?? t('admin.krbLookupDefault')],
    [t('admin.krbCredentials'), credentials],
  ];
  const list = h('dl', { class: 'directory-settings' }, rows.flatMap(([key, value]) => [h('dt', {}, [key]), h('dd', {}, [value])]));
  if (k.credentials && !k.credentials.ok) list.classList.add('error');
  return h('div', { id: 'kerberos-state' }, [title, list]);
}
