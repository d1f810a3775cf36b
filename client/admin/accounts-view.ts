/** Accounts and roles: list, create, edit, disable, reset, revoke, delete; unused report. */
import { h } from '../dom-builder.js';
import { tr } from './admin-i18n.js';
import { api, withStatus } from './api.js';
import { button, checkbox, select, splitList, statusLine, table, textInput } from './form-controls.js';

interface Account {
  id: number;
  name: string;
  role: string;
  department: string;
  jobTitle: string;
  expiresOn: string | null;
  allowedSources: string[];
  disabled: boolean;
  totpEnabled: boolean;
  lastLoginAt: string | null;
  authSource: string;
  disabledReason: string | null;
}

const ROLES = [['staff', 'staff'], ['admin', 'admin'], ['security', 'security']] as const;

export function accountsView(): HTMLElement {
  const status = statusLine();
  const listBox = h('div');
  const unusedBox = h('div');
  const form = accountForm(status, () => void load());

  const act = (label: string, a: Account, run: () => Promise<unknown>) =>
    button(label, () => void withStatus(status, async () => (await run(), await load())), { 'aria-label': `${label}: ${a.name}` });
  const rowOf = (a: Account) => [
    a.name, a.authSource === 'local' ? tr('local') : a.authSource, a.role, a.department, a.jobTitle, a.expiresOn ?? '', a.allowedSources.join(', '),
    a.disabled ? tr('yes') : tr('no'), a.totpEnabled ? tr('yes') : tr('no'), a.lastLoginAt ?? '',
    h('span', { class: 'row-actions' }, [
      button(tr('edit'), () => form.fill(a), { 'aria-label': `${tr('edit')}: ${a.name}` }),
      act(a.disabled ? tr('enable') : tr('disable'), a, () => api('PUT', `/api/admin/accounts/${a.id}`, { disabled: !a.disabled })),
      act(tr('resetPassword'), a, async () => {
        const pw = prompt(tr('oneTimePassword'));
        if (pw) await api('POST', `/api/admin/accounts/${a.id}/password`, { oneTimePassword: pw });
      }),
      act(tr('resetTotp'), a, () => api('POST', `/api/admin/accounts/${a.id}/totp-reset`)),
      act(tr('revoke'), a, () => api('POST', `/api/admin/accounts/${a.id}/revoke`)),
      act(tr('deleteAccount'), a, async () => {
        if (confirm(tr('confirmDelete'))) await api('DELETE', `/api/admin/accounts/${a.id}`);
      }),
    ]),
  ];
  const headers = [tr('name'), tr('source'), tr('role'), tr('department'), tr('jobTitle'), tr('expiresOn'), tr('sources'), tr('disabled'), tr('totp'), tr('lastLogin'), tr('actions')];
  const load = async () => {
    const { accounts } = await api<{ accounts: Account[] }>('GET', '/api/admin/accounts');
    listBox.replaceChildren(table(headers, accounts.map(rowOf), { 'aria-label': tr('accounts'), id: 'account-table' }));
  };

  const days = textInput(tr('unusedDays'), '90', { name: 'unused-days', inputmode: 'numeric' });
  const show = button(tr('showUnused'), () => void withStatus(status, async () => {
    const res = await api<{ accounts: Account[]; disabledByDirectory: Account[] }>('GET', `/api/admin/accounts/unused?days=${encodeURIComponent(days.control.value)}`);
    // Accounts the directory sync disabled (left, locked there, or out of every mapped group).
    const reasons: Record<string, string> = { 'not-in-directory': tr('notInDirectory'), 'disabled-in-directory': tr('disabledInDirectory'), 'no-mapped-group': tr('noMappedGroup') };
    unusedBox.replaceChildren(
      table([tr('name'), tr('role'), tr('lastLogin')], res.accounts.map((a) => [a.name, a.role, a.lastLoginAt ?? '—'])),
      ...(res.disabledByDirectory.length
        ? [h('h3', {}, [tr('directoryDisabled')]), table([tr('name'), tr('role'), tr('reason'), tr('lastLogin')], res.disabledByDirectory.map((a) => [a.name, a.role, reasons[a.disabledReason ?? ''] ?? a.disabledReason ?? '', a.lastLoginAt ?? '—']), { id: 'directory-disabled-table' })]
        : []),
    );
  }, ''));
  const disableAll = button(tr('disableAll'), () => void withStatus(status, async () => {
    await api('POST', '/api/admin/accounts/disable-unused', { days: Number(days.control.value) });
    unusedBox.replaceChildren();
    await load();
  }));
  void load();
  return h('section', { id: 'accounts', 'aria-labelledby': 'accounts-h' }, [
    h('h2', { id: 'accounts-h' }, [tr('accounts')]),
    listBox,
    form.element,
    status,
    h('fieldset', {}, [h('legend', {}, [tr('unused')]), days.row, show, disableAll, unusedBox]),
  ]);
}

function accountForm(status: HTMLElement, reload: () => void): { element: HTMLElement; fill(a: Account): void } {
  let editingId = 0;
  const name = textInput(tr('name'), '', { name: 'account-name' });
  const role = select(tr('role'), ROLES, 'staff', { name: 'account-role' });
  const dept = textInput(tr('department'), '', { name: 'account-department' });
  const job = textInput(tr('jobTitle'), '', { name: 'account-job' });
  const expires = textInput(tr('expiresOn'), '', { name: 'account-expires', type: 'date' });
  const sources = textInput(tr('sources'), '', { name: 'account-sources' });
  const password = textInput(tr('oneTimePassword'), '', { name: 'account-password', type: 'password', autocomplete: 'new-password' });
  const disabled = checkbox(tr('disabled'), false, { name: 'account-disabled' });
  const submit = button(tr('create'), () => {
    const profile = { role: role.control.value, department: dept.control.value, jobTitle: job.control.value, expiresOn: expires.control.value || null, allowedSources: splitList(sources.control.value), disabled: disabled.control.checked };
    void withStatus(status, async () => {
      if (editingId) await api('PUT', `/api/admin/accounts/${editingId}`, profile);
      else await api('POST', '/api/admin/accounts', { ...profile, name: name.control.value, oneTimePassword: password.control.value });
      fill(null);
      reload();
    });
  }, { id: 'save-account', class: 'primary' });
  const fill = (a: Account | null) => {
    editingId = a?.id ?? 0;
    name.control.value = a?.name ?? '';
    name.control.disabled = Boolean(a);
    password.control.disabled = Boolean(a);
    role.control.value = a?.role ?? 'staff';
    dept.control.value = a?.department ?? '';
    job.control.value = a?.jobTitle ?? '';
    expires.control.value = a?.expiresOn ?? '';
    sources.control.value = a?.allowedSources.join(', ') ?? '';
    disabled.control.checked = a?.disabled ?? false;
    password.control.value = '';
    submit.textContent = a ? tr('save') : tr('create');
  };
  const element = h('fieldset', { class: 'account-form' }, [h('legend', {}, [tr('create')]), name.row, role.row, dept.row, job.row, expires.row, sources.row, password.row, disabled.row, submit]);
  return { element, fill };
}
