/**
 * Directory sign-in: the connection settings (read-only: they live in the
 * configuration), the group → role table with errors next to each row,
 * 「接続テスト」, 「ユーザーを試す」 and 「今すぐ同期」.
 */
import { h } from '../dom-builder.js';
import { localized } from '../i18n.js';
import { tr } from './admin-i18n.js';
import { api, ApiError, withStatus } from './api.js';
import { button, statusLine, table, textInput } from './form-controls.js';

type Text = { ja: string; en: string };
interface Rule {
  group: string;
  role: string;
}
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

const ROLES = ['staff', 'admin', 'security'];

function settingsTable(s: NonNullable<Status['settings']>): HTMLElement {
  const tls = s.startTls ? 'StartTLS' : (s.urls as string[]).every((u) => u.startsWith('ldaps://')) ? 'LDAPS' : s.allowPlain ? '— (KEKKAI_LDAP_ALLOW_PLAIN)' : 'LDAPS';
  const rows: Array<[string, string]> = [
    [tr('dirServers'), (s.urls as string[]).join(', ')], [tr('dirTls'), `${tls}${s.caFile ? ` (CA: ${String(s.caFile)})` : ''}`], [tr('dirMode'), String(s.mode)],
    [tr('dirBaseDn'), String(s.baseDn)], [tr('dirGroupBaseDn'), String(s.groupBaseDn)], [tr('dirBindDn'), String(s.bindDn)], [tr('dirUserFilter'), String(s.userFilter)],
    [tr('dirLoginAttr'), String(s.loginAttribute)], [tr('dirDeptAttr'), String(s.departmentAttribute)], [tr('dirTitleAttr'), String(s.titleAttribute)],
    [tr('dirDisabledFilter'), String(s.disabledFilter ?? (s.mode === 'ad' ? 'userAccountControl' : '—'))], [tr('dirSync'), String(s.syncMinutes)],
  ];
  return h('dl', { class: 'directory-settings' }, rows.flatMap(([k, v]) => [h('dt', {}, [k]), h('dd', {}, [v])]));
}

/** The editable table; `showErrors` puts each server message next to its row and field. */
function mappingEditor(status: HTMLElement): { element: HTMLElement; set(rules: Rule[]): void } {
  let rules: Rule[] = [];
  const body = h('tbody');
  const render = (errors: Array<{ index: number; field: string; message: Text }> = []) => {
    body.replaceChildren(
      ...rules.map((rule, i) => {
        const errorOf = (field: string) => errors.filter((e) => e.index === i && e.field === field).map((e) => localized(e.message)).join(' ');
        const groupInput = h('input', { type: 'text', name: `mapping-group-${i}`, 'aria-label': `${tr('group')} ${i + 1}`, size: '60', 'aria-invalid': errorOf('group') ? 'true' : undefined });
        groupInput.value = rule.group;
        groupInput.addEventListener('input', () => (rule.group = groupInput.value));
        const roleSelect = h('select', { name: `mapping-role-${i}`, 'aria-label': `${tr('role')} ${i + 1}`, 'aria-invalid': errorOf('role') ? 'true' : undefined }, ROLES.map((r) => h('option', { value: r }, [r])));
        roleSelect.value = rule.role;
        roleSelect.addEventListener('change', () => (rule.role = roleSelect.value));
        const move = (to: number) => () => {
          if (to < 0 || to >= rules.length) return;
          [rules[i], rules[to]] = [rules[to]!, rules[i]!];
          render();
        };
        return h('tr', {}, [
          h('td', {}, [groupInput, h('p', { class: 'form-error', role: 'alert' }, [errorOf('group')])]),
          h('td', {}, [roleSelect, h('p', { class: 'form-error', role: 'alert' }, [errorOf('role')])]),
          h('td', { class: 'row-actions' }, [
            button(tr('up'), move(i - 1), { 'aria-label': `${tr('up')} ${i + 1}` }),
            button(tr('down'), move(i + 1), { 'aria-label': `${tr('down')} ${i + 1}` }),
            button(tr('remove'), () => (rules.splice(i, 1), render()), { 'aria-label': `${tr('remove')} ${i + 1}` }),
          ]),
        ]);
      }),
    );
  };
  const save = button(tr('saveMapping'), () => void withStatus(status, async () => {
    try {
      const res = await api<{ roleMapping: Rule[] }>('PUT', '/api/admin/directory/role-mapping', { rules });
      rules = res.roleMapping.map((r) => ({ ...r }));
      render();
    } catch (err) {
      if (err instanceof ApiError) render((err.body.fieldErrors as Array<{ index: number; field: string; message: Text }> | undefined) ?? []);
      throw err;
    }
  }), { class: 'primary', id: 'save-role-mapping' });
  const add = button(tr('addRow'), () => (rules.push({ group: '', role: 'staff' }), render()), { id: 'add-role-mapping-row' });
  const element = h('fieldset', {}, [
    h('legend', {}, [tr('roleMapping')]),
    h('table', { class: 'admin-table', id: 'role-mapping' }, [h('thead', {}, [h('tr', {}, [tr('group'), tr('role'), tr('actions')].map((x) => h('th', { scope: 'col' }, [x])))]), body]),
    add, save,
  ]);
  return { element, set: (next) => ((rules = next.map((r) => ({ ...r }))), render()) };
}

function userTestResult(r: UserTest): HTMLElement {
  const verdict = r.role && !r.message ? `${tr('dirResultRole')}: ${r.role}` : `${tr('dirResultRefused')}: ${r.message ? localized(r.message) : ''}`;
  if (!r.found) return h('p', { id: 'user-test-result', role: 'status' }, [verdict]);
  const rows: Array<[string, string | Node]> = [
    [tr('displayName'), r.displayName ?? ''], [tr('dirDn'), r.dn ?? ''], [tr('department'), r.department ?? ''], [tr('jobTitle'), r.jobTitle ?? ''],
    [tr('matched'), r.matchedRule === null ? tr('none') : String(r.matchedRule + 1)],
    [tr('dirGroups'), h('ul', {}, (r.groups ?? []).map((g) => h('li', {}, [g])))],
  ];
  return h('div', { id: 'user-test-result', role: 'status' }, [h('p', { class: 'verdict' }, [verdict]), table([tr('item'), ''], rows.map(([k, v]) => [k, v]))]);
}

function syncLine(report: SyncReport | null): string {
  if (!report) return `${tr('lastSync')}: ${tr('never')}`;
  const outcome = report.ok ? tr('syncOk') : `${tr('syncFailed')} (${report.problem ?? ''})`;
  return `${tr('lastSync')}: ${report.finishedAt} — ${outcome}; ${tr('syncChecked')} ${report.checked}, ${tr('syncDisabled')} ${report.disabled.map((d) => d.account).join(', ') || '0'}, ${tr('syncEnabled')} ${report.enabled.join(', ') || '0'}`;
}

export function directoryView(): HTMLElement {
  const status = statusLine();
  const settingsBox = h('div');
  const editor = mappingEditor(status);
  const connResult = h('p', { id: 'connection-test-result', role: 'status' });
  const userName = textInput(tr('testUserName'), '', { name: 'test-user-name', autocomplete: 'off' });
  const userResult = h('div');
  const syncBox = h('p', { id: 'sync-status', role: 'status' });
  const tools: HTMLButtonElement[] = [];
  const load = async () => {
    const s = await api<Status>('GET', '/api/admin/directory');
    settingsBox.replaceChildren(s.settings ? settingsTable(s.settings) : h('p', {}, [tr('dirNotConfigured')]));
    editor.set(s.roleMapping);
    syncBox.textContent = syncLine(s.lastSync);
    for (const b of tools) b.disabled = !s.configured;
  };
  const testConn = button(tr('testConnection'), () => void withStatus(status, async () => {
    const res = await api<{ ok: boolean; message: Text }>('POST', '/api/admin/directory/test-connection');
    connResult.textContent = localized(res.message);
    connResult.classList.toggle('error', !res.ok);
  }, ''), { id: 'test-connection' });
  const testUser = button(tr('testUser'), () => void withStatus(status, async () => {
    userResult.replaceChildren(userTestResult(await api<UserTest>('POST', '/api/admin/directory/test-user', { username: userName.control.value })));
  }, ''), { id: 'test-user' });
  const syncNow = button(tr('syncNow'), () => void withStatus(status, async () => {
    const res = await api<{ report: SyncReport }>('POST', '/api/admin/directory/sync');
    syncBox.textContent = syncLine(res.report);
  }, ''), { id: 'sync-now' });
  tools.push(testConn, testUser, syncNow);
  void load();
  return h('section', { id: 'directory', 'aria-labelledby': 'directory-h' }, [
    h('h2', { id: 'directory-h' }, [tr('directory')]),
    h('h3', {}, [tr('dirStatic')]), settingsBox,
    editor.element,
    h('fieldset', {}, [h('legend', {}, [tr('testConnection')]), testConn, connResult]),
    h('fieldset', {}, [h('legend', {}, [tr('testUser')]), userName.row, testUser, userResult]),
    h('fieldset', {}, [h('legend', {}, [tr('syncNow')]), syncNow, syncBox]),
    status,
  ]);
}
