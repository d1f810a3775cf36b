/**
 * The ordered group → role table of an identity source (LDAP, OIDC, SAML), edited in
 * the admin console: rows added, moved, removed; the server's message for each row
 * and field shown next to it (Japanese or English).
 */
import { h } from '../dom-builder.js';
import { label, localized, t } from '../i18n.js';
import { api, ApiError, withStatus } from './api.js';
import { button } from './form-controls.js';

type Text = { ja: string; en: string };
export interface Rule {
  group: string;
  role: string;
}

const ROLES = ['staff', 'admin', 'security'];

/** The editable table; `showErrors` puts each server message next to its row and field. */
export function mappingEditor(status: HTMLElement, opts: { url: string; groupLabel: string; placeholder: string; id?: string }): { element: HTMLElement; set(rules: Rule[]): void } {
  let rules: Rule[] = [];
  const body = h('tbody');
  const render = (errors: Array<{ index: number; field: string; message: Text }> = []) => {
    body.replaceChildren(
      ...rules.map((rule, i) => {
        const errorOf = (field: string) => errors.filter((e) => e.index === i && e.field === field).map((e) => localized(e.message)).join(' ');
        const groupInput = h('input', { type: 'text', name: `mapping-group-${i}`, 'aria-label': `${opts.groupLabel} ${i + 1}`, size: '60', placeholder: opts.placeholder, 'aria-invalid': errorOf('group') ? 'true' : undefined });
        groupInput.value = rule.group;
        groupInput.addEventListener('input', () => (rule.group = groupInput.value));
        const roleSelect = h('select', { name: `mapping-role-${i}`, 'aria-label': `${t('admin.role')} ${i + 1}`, 'aria-invalid': errorOf('role') ? 'true' : undefined }, ROLES.map((r) => h('option', { value: r }, [label('enum.role', r)])));
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
            button(t('admin.up'), move(i - 1), { 'aria-label': `${t('admin.up')} ${i + 1}` }),
            button(t('admin.down'), move(i + 1), { 'aria-label': `${t('admin.down')} ${i + 1}` }),
            button(t('admin.remove'), () => (rules.splice(i, 1), render()), { 'aria-label': `${t('admin.remove')} ${i + 1}` }),
          ]),
        ]);
      }),
    );
  };
  const save = button(t('admin.saveMapping'), () => void withStatus(status, async () => {
    try {
      const res = await api<{ roleMapping: Rule[] }>('PUT', opts.url, { rules });
      rules = res.roleMapping.map((r) => ({ ...r }));
      render();
    } catch (err) {
      if (err instanceof ApiError) render((err.body.fieldErrors as Array<{ index: number; field: string; message: Text }> | undefined) ?? []);
      throw err;
    }
  }), { class: 'primary', id: `save-${opts.id ?? 'role-mapping'}` });
  const add = button(t('admin.addRow'), () => (rules.push({ group: '', role: 'staff' }), render()), { id: `add-${opts.id ?? 'role-mapping'}-row` });
  const element = h('fieldset', {}, [
    h('legend', {}, [t('admin.roleMapping')]),
    h('table', { class: 'admin-table', id: opts.id ?? 'role-mapping' }, [h('thead', {}, [h('tr', {}, [opts.groupLabel, t('admin.role'), t('admin.actions')].map((x) => h('th', { scope: 'col' }, [x])))]), body]),
    add, save,
  ]);
  return { element, set: (next) => ((rules = next.map((r) => ({ ...r }))), render()) };
}
