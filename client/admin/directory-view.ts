/**
 * Directory sign-in: the connection settings (read-only: they live in the
 * configuration), the group → role table with errors next to each row,
 * 「接続テスト」, 「ユーザーを試す」 and 「今すぐ同期」.
 */
import { h } from '../dom-builder.js';
import { formatJst } from '../format-time.js';
import { label, localized, t } from '../i18n.js';
import { api, withStatus } from './api.js';
import { button, statusLine, table, textInput } from './form-controls.js';
import { kerberosState, type KerberosStatus } from './kerberos-state.js';
import { mappingEditor, type Rule } from './role-mapping-editor.js';

type Text = { ja: string; en: string };
interface SyncReport {
  finishedAt: string;
  ok: boolean;
  checked: number;
  disabled: Array<{ account: string; reason: string }>;
  enabled: string[];
  problem?: string;
}
interface Status {
  configured: boolean;
  settings: null | Record<string, string | number | boolean | string[] | null>;
  roleMapping: Rule[];
  lastSync: SyncReport | null;
  kerberos?: KerberosStatus | null;
}
interface UserTest {
  found: boolean;
  dn?: string;
  displayName?: string;
  groups?: string[];
  department?: string;
  jobTitle?: string;
  role: string | null;
  matchedRule: number | null;
  message: Text | null;
}

function settingsTable(s: NonNullable<Status['settings']>): HTMLElement {
  const tls = s.startTls ? 'StartTLS' : (s.urls as string[]).every((u) => u.startsWith('ldaps://')) ? 'LDAPS' : s.allowPlain ? '— (KEKKAI_LDAP_ALLOW_PLAIN)' : 'LDAPS';
  const rows: Array<[string, string]> = [
    [t('admin.dirServers'), (s.urls as string[]).join(', ')], [t('admin.dirTls'), `${tls}${s.caFile ? ` (CA: ${String(s.caFile)})` : ''}`], [t('admin.dirMode'), String(s.mode)],
    [t('admin.dirBaseDn'), String(s.baseDn)], [t('admin.dirGroupBaseDn'), String(s.groupBaseDn)], [t('admin.dirBindDn'), String(s.bindDn)], [t('admin.dirUserFilter'), String(s.userFilter)],
    [t('admin.dirLoginAttr'), String(s.loginAttribute)], [t('admin.dirDeptAttr'), String(s.departmentAttribute)], [t('admin.dirTitleAttr'), String(s.titleAttribute)],
    [t('admin.dirDisabledFilter'), String(s.disabledFilter ?? (s.mode === 'ad' ? 'userAccountControl' : '—'))], [t('admin.dirSync'), String(s.syncMinutes)],
  ];
  return h('dl', { class: 'directory-settings' }, rows.flatMap(([k, v]) => [h('dt', {}, [k]), h('dd', {}, [v])]));
}

function userTestResult(r: UserTest): HTMLElement {
  const verdict = r.role && !r.message ? `${t('admin.dirResultRole')}: ${label('enum.role', r.role)}` : `${t('admin.dirResultRefused')}: ${r.message ? localized(r.message) : ''}`;
  if (!r.found) return h('p', { id: 'user-test-result', role: 'status' }, [verdict]);
  const rows: Array<[string, string | Node]> = [
    [t('admin.displayName'), r.displayName ?? ''], [t('admin.dirDn'), r.dn ?? ''], [t('admin.department'), r.department ?? ''], [t('admin.jobTitle'), r.jobTitle ?? ''],
    [t('admin.matched'), r.matchedRule === null ? t('admin.none') : String(r.matchedRule + 1)],
    [t('admin.dirGroups'), h('ul', {}, (r.groups ?? []).map((g) => h('li', {}, [g])))],
  ];
  return h('div', { id: 'user-test-result', role: 'status' }, [h('p', { class: 'verdict' }, [verdict]), table([t('admin.item'), ''], rows.map(([k, v]) => [k, v]))]);
}

function syncLine(report: SyncReport | null): string {
  if (!report) return `${t('admin.lastSync')}: ${t('admin.never')}`;
  const outcome = report.ok ? t('admin.syncOk') : `${t('admin.syncFailed')} (${report.problem ?? ''})`;
  return `${t('admin.lastSync')}: ${formatJst(report.finishedAt)} — ${outcome}; ${t('admin.syncChecked')} ${report.checked}, ${t('admin.syncDisabled')} ${report.disabled.map((d) => d.account).join(', ') || '0'}, ${t('admin.syncEnabled')} ${report.enabled.join(', ') || '0'}`;
}

export function directoryView(): HTMLElement {
  const status = statusLine();
  const settingsBox = h('div');
  const kerberosBox = h('div');
  const editor = mappingEditor(status, { url: '/api/admin/directory/role-mapping', groupLabel: t('admin.group'), placeholder: 'CN=kekkai-staff,OU=Groups,DC=hospital,DC=local' });
  const connResult = h('p', { id: 'connection-test-result', role: 'status' });
  const userName = textInput(t('admin.testUserName'), '', { name: 'test-user-name', autocomplete: 'off' });
  const userResult = h('div');
  const syncBox = h('p', { id: 'sync-status', role: 'status' });
  const tools: HTMLButtonElement[] = [];
  const load = async () => {
    const s = await api<Status>('GET', '/api/admin/directory');
    settingsBox.replaceChildren(s.settings ? settingsTable(s.settings) : h('p', {}, [t('admin.dirNotConfigured')]));
    kerberosBox.replaceChildren(kerberosState(s.kerberos));
    editor.set(s.roleMapping);
    syncBox.textContent = syncLine(s.lastSync);
    for (const b of tools) b.disabled = !s.configured;
  };
  const testConn = button(t('admin.testConnection'), () => void withStatus(status, async () => {
    const res = await api<{ ok: boolean; message: Text }>('POST', '/api/admin/directory/test-connection');
    connResult.textContent = localized(res.message);
    connResult.classList.toggle('error', !res.ok);
  }, ''), { id: 'test-connection' });
  const testUser = button(t('admin.testUser'), () => void withStatus(status, async () => {
    userResult.replaceChildren(userTestResult(await api<UserTest>('POST', '/api/admin/directory/test-user', { username: userName.control.value })));
  }, ''), { id: 'test-user' });
  const syncNow = button(t('admin.syncNow'), () => void withStatus(status, async () => {
    const res = await api<{ report: SyncReport }>('POST', '/api/admin/directory/sync');
    syncBox.textContent = syncLine(res.report);
  }, ''), { id: 'sync-now' });
  tools.push(testConn, testUser, syncNow);
  void load();
  return h('section', { id: 'directory', 'aria-labelledby': 'directory-h' }, [
    h('h2', { id: 'directory-h' }, [t('admin.directory')]),
    h('h3', {}, [t('admin.dirStatic')]), settingsBox, kerberosBox,
    editor.element,
    h('fieldset', {}, [h('legend', {}, [t('admin.testConnection')]), testConn, connResult]),
    h('fieldset', {}, [h('legend', {}, [t('admin.testUser')]), userName.row, testUser, userResult]),
    h('fieldset', {}, [h('legend', {}, [t('admin.syncNow')]), syncNow, syncBox]),
    status,
  ]);
}
