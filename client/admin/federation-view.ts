/**
 * Single sign-on in the admin console: for OpenID Connect and SAML, the settings
 * (read-only: they live in the configuration), the values to register at the
 * provider (redirect URI, ACS URL, metadata) and each source's group → role table,
 * the same editor as the directory's.
 */
import { h } from '../dom-builder.js';
import { t } from '../i18n.js';
import { api } from './api.js';
import { statusLine } from './form-controls.js';
import { mappingEditor, type Rule } from './role-mapping-editor.js';

type Settings = Record<string, string | number | string[] | null>;
interface SourceStatus {
  configured: boolean;
  settings: Settings | null;
  roleMapping: Rule[];
}
interface Status {
  oidc: SourceStatus;
  saml: SourceStatus;
}

const show = (v: Settings[string]) => (Array.isArray(v) ? v.join(', ') : v === null ? '—' : String(v));

function settingsList(settings: Settings, register: Array<[string, string]>): HTMLElement {
  const rows = Object.entries(settings).map(([k, v]) => [k, show(v)] as [string, string]);
  const list = (items: Array<[string, string]>) => h('dl', { class: 'directory-settings' }, items.flatMap(([k, v]) => [h('dt', {}, [k]), h('dd', {}, [v])]));
  return h('div', {}, [list(rows), h('h4', {}, [t('admin.fedRegister')]), list(register)]);
}

function sourceSection(source: 'oidc' | 'saml', title: string, keys: string): { element: HTMLElement; load(s: SourceStatus): void } {
  const status = statusLine();
  const settingsBox = h('div');
  const editor = mappingEditor(status, { url: `/api/admin/federation/${source}/role-mapping`, groupLabel: t('admin.fedGroup'), placeholder: 'kekkai-staff', id: `role-mapping-${source}` });
  const origin = location.origin;
  const load = (s: SourceStatus) => {
    const register: Array<[string, string]> =
      source === 'oidc'
        ? [['redirect_uri', `${origin}/auth/oidc/callback`], ['post_logout_redirect_uri', `${origin}/login`]]
        : [['Entity ID', String(s.settings?.KEKKAI_SAML_SP_ENTITY_ID ?? '—')], ['ACS (HTTP-POST)', `${origin}/auth/saml/acs`], ['Metadata', `${origin}/auth/saml/metadata`]];
    settingsBox.replaceChildren(s.settings ? settingsList(s.settings, register) : h('p', {}, [t('admin.fedNotConfigured', { keys })]));
    editor.set(s.roleMapping);
  };
  const element = h('section', { id: `federation-${source}`, 'aria-labelledby': `federation-${source}-h` }, [h('h3', { id: `federation-${source}-h` }, [title]), settingsBox, editor.element, status]);
  return { element, load };
}

export function federationView(): HTMLElement {
  const oidc = sourceSection('oidc', t('admin.fedOidc'), 'KEKKAI_OIDC_ISSUER, KEKKAI_OIDC_CLIENT_ID …');
  const saml = sourceSection('saml', t('admin.fedSaml'), 'KEKKAI_SAML_IDP_SSO_URL, KEKKAI_SAML_IDP_ENTITY_ID …');
  void api<Status>('GET', '/api/admin/federation').then((s) => {
    oidc.load(s.oidc);
    saml.load(s.saml);
  });
  return h('section', { id: 'federation', 'aria-labelledby': 'federation-h' }, [h('h2', { id: 'federation-h' }, [t('admin.federation')]), oidc.element, saml.element]);
}
