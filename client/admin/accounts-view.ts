/** Accounts and roles: list, create, edit, disable, reset, revoke, delete; unused report. */
import { h } from '../dom-builder.js';
import { formatJst, formatJstDate } from '../format-time.js';
import { label, t, type MessageKey } from '../i18n.js';
import { fieldError, fieldErrorText, setFieldError, type ServerFieldError } from './field-errors.js';
import { api, ApiError, withStatus } from './api.js';
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

const ROLES = ['staff', 'admin', 'security'].map((r) => [r, label('enum.role', r)] as const);
/** The server's account-name rule (gateway/http/admin-accounts.http.ts NAME_RULE). */
const NAME_RULE = /^[\p{L}\p{N}._@-]{1,64}$/u;
const CIDR_LIKE = /^[0-9a-fA-F:.]+\/\d{1,3}$/;

export function accountsView(): HTMLElement {
  const status = statusLine();
  const listBox = h('div');
  const unusedBox = h('div');
  const form = accountForm(() => void load());

  /** An action on one account; `confirmKey` asks first, `doneKey` says what happened. */
  const act = (text: string, a: Account, run: () => Promise<unknown>, confirmKey?: MessageKey, doneKey?: MessageKey, danger = false) =>
    button(text, () => {
      if (confirmKey && !confirm(t(confirmKey, { name: a.name }))) return;
      void withStatus(status, async () => (await run(), await load()), doneKey ? t(doneKey, { name: a.name }) : undefined);
    }, { 'aria-label': `${text}: ${a.name}`, ...(danger ? { class: 'danger' } : {}) });
  const rowOf = (a: Account) => [
    a.name, label('enum.authSource', a.authSource), label('enum.role', a.role), a.department, a.jobTitle, formatJstDate(a.expiresOn), a.allowedSources.join(', '),
    a.disabled ? t('admin.yes') : t('admin.no'), a.totpEnabled ? t('admin.yes') : t('admin.no'), formatJst(a.lastLoginAt),
    h('span', { class: 'row-actions' }, [
      button(t('admin.edit'), () => form.fill(a), { 'aria-label': `${t('admin.edit')}: ${a.name}` }),
      act(a.disabled ? t('admin.enable') : t('admin.disable'), a, () => api('PUT', `/api/admin/accounts/${a.id}`, { disabled: !a.disabled })),
      act(t('admin.resetPassword'), a, async () => {
        const pw = prompt(t('admin.oneTimePassword'));
        if (pw) await api('POST', `/api/admin/accounts/${a.id}/password`, { oneTimePassword: pw });
      }, undefined, 'admin.passwordReset'),
      act(t('admin.resetTotp'), a, () => api('POST', `/api/admin/accounts/${a.id}/totp-reset`), 'admin.confirmResetTotp', 'admin.totpReset'),
      act(t('admin.revoke'), a, () => api('POST', `/api/admin/accounts/${a.id}/revoke`), 'admin.confirmRevoke', 'admin.revoked', true),
      act(t('admin.deleteAccount'), a, () => api('DELETE', `/api/admin/accounts/${a.id}`), 'admin.confirmDelete', 'admin.deleted', true),
    ]),
  ];
  const headers = [t('admin.name'), t('admin.source'), t('admin.role'), t('admin.department'), t('admin.jobTitle'), t('admin.expiresOn'), t('admin.sourcesShort'), t('admin.disabled'), t('admin.totp'), t('admin.lastLogin'), t('admin.actions')];
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
      table([t('admin.name'), t('admin.role'), t('admin.lastLogin')], res.accounts.map((a) => [a.name, label('enum.role', a.role), formatJst(a.lastLoginAt) || '—'])),
      ...(res.disabledByDirectory.length
        ? [h('h3', {}, [t('admin.directoryDisabled')]), table([t('admin.name'), t('admin.role'), t('admin.reason'), t('admin.lastLogin')], res.disabledByDirectory.map((a) => [a.name, label('enum.role', a.role), reasons[a.disabledReason ?? ''] ?? a.disabledReason ?? '', formatJst(a.lastLoginAt) || '—']), { id: 'directory-disabled-table' })]
        : []),
    );
  }, ''));
  const disableAll = button(t('admin.disableAll'), () => {
    if (!confirm(t('admin.confirmDisableAll', { days: days.control.value }))) return;
    void withStatus(status, async () => {
      await api('POST', '/api/admin/accounts/disable-unused', { days: Number(days.control.value) });
      unusedBox.replaceChildren();
      await load();
    }, t('admin.disabledAll'));
  }, { class: 'danger' });
  void load();
  return h('section', { id: 'accounts', class: 'page', 'aria-labelledby': 'accounts-h' }, [
    h('h2', { id: 'accounts-h' }, [t('admin.accounts')]),
    status,
    h('div', { class: 'table-scroll' }, [listBox]),
    form.element,
    h('fieldset', {}, [h('legend', {}, [t('admin.unused')]), days.row, show, disableAll, unusedBox]),
  ]);
}

/** Field rules checked before sending, each with the message shown under its field. */
function localProblems(values: { name: string; sources: string; password: string; creating: boolean }): Record<string, string> {
  const out: Record<string, string> = {};
  if (values.creating && !NAME_RULE.test(values.name)) out.name = t('validation.accountName');
  if (values.creating && (!values.password || values.password.length > 200)) out.oneTimePassword = t('validation.password');
  if (splitList(values.sources).some((c) => !CIDR_LIKE.test(c))) out.allowedSources = t('validation.cidr');
  return out;
}

/** Server field names → the message that names what is allowed there. */
const FIELD_MESSAGES: Partial<Record<string, MessageKey>> = {
  name: 'validation.accountName',
  allowedSources: 'validation.cidr',
  expiresOn: 'validation.date',
  oneTimePassword: 'validation.password',
  department: 'validation.tooLong',
  jobTitle: 'validation.tooLong',
};

function accountForm(reload: () => void): { element: HTMLElement; fill(a: Account): void } {
  let editingId = 0;
  const status = statusLine();
  const name = textInput(t('admin.name'), '', { name: 'account-name', autocomplete: 'off' });
  const role = select(t('admin.role'), ROLES, 'staff', { name: 'account-role' });
  const dept = textInput(t('admin.department'), '', { name: 'account-department', maxlength: '100' });
  const job = textInput(t('admin.jobTitle'), '', { name: 'account-job', maxlength: '100' });
  const expires = textInput(t('admin.expiresOn'), '', { name: 'account-expires', type: 'date' });
  const sources = textInput(t('admin.sources'), '', { name: 'account-sources', placeholder: '10.0.0.0/8, 192.168.1.0/24' });
  const password = textInput(t('admin.oneTimePassword'), '', { name: 'account-password', type: 'password', autocomplete: 'new-password' });
  const disabled = checkbox(t('admin.disabled'), false, { name: 'account-disabled' });
  const fields: Record<string, { row: HTMLElement; control: HTMLElement; error: HTMLElement }> = {};
  for (const [key, f] of Object.entries({ name, role, department: dept, jobTitle: job, expiresOn: expires, allowedSources: sources, oneTimePassword: password })) {
    const error = fieldError(f.control);
    f.row.append(error);
    fields[key] = { ...f, error };
  }
  const showProblems = (problems: Record<string, string>): void => {
    for (const [key, f] of Object.entries(fields)) setFieldError(f.control, f.error, problems[key] ?? '');
    const first = Object.keys(problems).map((k) => fields[k]?.control).find(Boolean);
    if (first) {
      first.focus();
      status.textContent = t('validation.formHasErrors');
      status.classList.add('error');
    }
  };
  const submit = button(t('admin.create'), () => {
    const creating = !editingId;
    const problems = localProblems({ name: name.control.value, sources: sources.control.value, password: password.control.value, creating });
    showProblems(problems);
    if (Object.keys(problems).length) return;
    const profile = { role: role.control.value, department: dept.control.value, jobTitle: job.control.value, expiresOn: expires.control.value || null, allowedSources: splitList(sources.control.value), disabled: disabled.control.checked };
    const accountName = name.control.value;
    void withStatus(status, async () => {
      try {
        if (editingId) await api('PUT', `/api/admin/accounts/${editingId}`, profile);
        else await api('POST', '/api/admin/accounts', { ...profile, name: accountName, oneTimePassword: password.control.value });
      } catch (err) {
        // The server's verdict per field goes next to the field, in the UI language.
        const list = err instanceof ApiError ? ((err.body.fieldErrors as ServerFieldError[] | undefined) ?? []) : [];
        const mapped: Record<string, string> = {};
        for (const fe of list) mapped[fe.field] = fieldErrorText(fe, FIELD_MESSAGES);
        if (err instanceof ApiError && err.body.code === 'KEKKAI_ERR_USER_EXISTS') mapped.name = err.message;
        if (err instanceof ApiError && err.body.code === 'KEKKAI_ERR_INVALID_CIDR') mapped.allowedSources = t('validation.cidr');
        showProblems(mapped);
        if (Object.keys(mapped).length) throw new ApiError(t('validation.formHasErrors'));
        throw err;
      }
      fill(null);
      reload();
    }, creating ? t('admin.accountCreated', { name: accountName }) : t('admin.saved'));
  }, { id: 'save-account', class: 'primary' });
  const fill = (a: Account | null) => {
    editingId = a?.id ?? 0;
    showProblems({});
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
  const element = h('fieldset', { class: 'account-form' }, [h('legend', {}, [t('admin.create')]), name.row, role.row, dept.row, job.row, expires.row, sources.row, password.row, disabled.row, submit, status]);
  return { element, fill };
}
