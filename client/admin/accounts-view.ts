/** Accounts and roles: list, create, edit, disable, reset, revoke, delete; unused report. */
import { h } from '../dom-builder.js';
import { t } from '../i18n.js';
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
    a.name, a.authSource === 'local' ? t('admin.local') : a.authSource, a.role, a.department, a.jobTitle, a.expiresOn ?? '', a.allowedSources.join(', '),
    a.disabled ? t('admin.yes') : t('admin.no'), a.totpEnabled ? t('admin.yes') : t('admin.no'), a.lastLoginAt ?? '',
    h('span', { class: 'row-actions' }, [
      button(t('admin.edit'), () => form.fill(a), { 'aria-label': `${t('admin.edit')}: ${a.name}` }),
      act(a.disabled ? t('admin.enable') : t('admin.disable'), a, () => api('PUT', `/api/admin/accounts/${a.id}`, { disabled: !a.disabled })),
      act(t('admin.resetPassword'), a, async () => {
        const pw = prompt(t('admin.oneTimePassword'));
        if (pw) await api('POST', `/api/admin/accounts/${a.id}/password`, { oneTimePassword: pw });
      }),
      act(t('admin.resetTotp'), a, () => api('POST', `/api/admin/accounts/${a.id}/totp-reset`)),
      act(t('admin.revoke'), a, () => api('POST', `/api/admin/accounts/${a.id}/revoke`)),
      act(t('admin.deleteAccount'), a, async () => {
        if (confirm(t('admin.confirmDelete'))) await api('DELETE', `/api/admin/accounts/${a.id}`);
      }),
    ]),
  ];
  const headers = [t('admin.name'), t('admin.source'), t('admin.role'), t('admin.department'), t('admin.jobTitle'), t('admin.expiresOn'), t('admin.sources'), t('admin.disabled'), t('admin.totp'), t('admin.lastLogin'), t('admin.actions')];
  const load = async () => {
    const { accounts } = await api<{ accounts: Account[] }>('GET', '/api/admin/accounts');
    listBox.replaceChildren(table(headers, accounts.map(rowOf), { 'aria-label': t('admin.accounts'), id: 'account-table' }));
  };

  const days = textInput(t('admin.unusedDays'), '90', { name: 'unused-days', inputmode: 'numeric' });
  const show = button(t('admin.showUnused'), () => void withStatus(status, async () => {
    const res = await api<{ accounts: Account[]; disabledByDirectory: Account[] }>('GET', `/api/admin/accounts/unused?days=${encodeURIComponent(days.control.value)}`);
    // Accounts the directory sync disabled (left, locked there, or out of every mapped group).
    const reasons: Record<string, string> = { 'not-in-directory': t('admin.notInDirectory'), 'disabled-in-directory': t('admin.disabledInDirectory'), 'no-mapped-group': t('admin.noMappedGroup') };
    unusedBox.replaceChildren(
      table([t('admin.name'), t('admin.role'), t('admin.lastLogin')], res.accounts.map((a) => [a.name, a.role, a.lastLoginAt ?? '—'])),
      ...(res.disabledByDirectory.length
        ? [h('h3', {}, [t('admin.directoryDisabled')]), table([t('admin.name'), t('admin.role'), t('admin.reason'), t('admin.lastLogin')], res.disabledByDirectory.map((a) => [a.name, a.role, reasons[a.disabledReason ?? ''] ?? a.disabledReason ?? '', a.lastLoginAt ?? '—']), { id: 'directory-disabled-table' })]
        : []),
    );
  }, ''));
  const disableAll = button(t('admin.disableAll'), () => void withStatus(status, async () => {
    await api('POST', '/api/admin/accounts/disable-unused', { days: Number(days.control.value) });
    unusedBox.replaceChildren();
    await load();
  }));
  void load();
  return h('section', { id: 'accounts', 'aria-labelledby': 'accounts-h' }, [
    h('h2', { id: 'accounts-h' }, [t('admin.accounts')]),
    listBox,
    form.element,
    status,
    h('fieldset', {}, [h('legend', {}, [t('admin.unused')]), days.row, show, disableAll, unusedBox]),
  ]);
}

function accountForm(status: HTMLElement, reload: () => void): { element: HTMLElement; fill(a: Account): void } {
  let editingId = 0;
  const name = textInput(t('admin.name'), '', { name: 'account-name' });
  const role = select(t('admin.role'), ROLES, 'staff', { name: 'account-role' });
  const dept = textInput(t('admin.department'), '', { name: 'account-department' });
  const job = textInput(t('admin.jobTitle'), '', { name: 'account-job' });
  const expires = textInput(t('admin.expiresOn'), '', { name: 'account-expires', type: 'date' });
  const sources = textInput(t('admin.sources'), '', { name: 'account-sources' });
  const password = textInput(t('admin.oneTimePassword'), '', { name: 'account-password', type: 'password', autocomplete: 'new-password' });
  const disabled = checkbox(t('admin.disabled'), false, { name: 'account-disabled' });
  const submit = button(t('admin.create'), () => {
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
    submit.textContent = a ? t('admin.save') : t('admin.create');
  };
  const element = h('fieldset', { class: 'account-form' }, [h('legend', {}, [t('admin.create')]), name.row, role.row, dept.row, job.row, expires.row, sources.row, password.row, disabled.row, submit]);
  return { element, fill };
}
