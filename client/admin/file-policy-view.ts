/**
 * File policy as a form: one row per file type (allowed, size limit in MB), then every
 * top-level choice the schema has (Office documents, Office documents with macros, …),
 * read from the server's form description so a new schema field shows up here. The YAML
 * stays available as the advanced view for per-role overrides and the rest.
 */
import { h } from '../dom-builder.js';
import { label, t } from '../i18n.js';
import { api, withStatus } from './api.js';
import { button, statusLine } from './form-controls.js';
import { fieldError, setFieldError } from './field-errors.js';

interface FilePolicyReply {
  version: number;
  yaml: string;
  document: Record<string, unknown> | null;
  form: { groups: string[]; choices: Record<string, string[]> };
  effective: { allowedGroups: string[]; maxBytes: Record<string, number> } & Record<string, unknown>;
}

const MB = 1024 * 1024;

/** Bytes as MB for the form: whole numbers stay whole, others keep two decimals. */
export function mbText(bytes: number): string {
  const mb = bytes / MB;
  return Number.isInteger(mb) ? String(mb) : mb.toFixed(2);
}

interface GroupRow {
  group: string;
  allowed: HTMLInputElement;
  size: HTMLInputElement;
  shown: string;
  error: HTMLElement;
}

export function filePolicyView(): HTMLElement {
  const status = statusLine();
  const version = h('p', { class: 'hint', id: 'file-policy-version' });
  const tableBox = h('div');
  const choicesBox = h('div', { class: 'choices' });
  const yaml = h('textarea', { id: 'file-policy-yaml', rows: '16', spellcheck: 'false' });
  let reply: FilePolicyReply | null = null;
  let rows: GroupRow[] = [];
  let selects: Array<[string, HTMLSelectElement]> = [];

  const draw = (r: FilePolicyReply): void => {
    reply = r;
    version.textContent = t('admin.fileVersion', { version: r.version });
    yaml.value = r.yaml;
    rows = r.form.groups.map((group) => {
      const allowed = h('input', { type: 'checkbox', id: `fp-allowed-${group}`, 'aria-label': `${label('file.group', group)}: ${t('admin.allowed')}` });
      allowed.checked = r.effective.allowedGroups.includes(group);
      const shown = mbText(r.effective.maxBytes[group] ?? 0);
      const size = h('input', { type: 'number', id: `fp-size-${group}`, min: '0.01', step: '0.01', inputmode: 'decimal', class: 'size', 'aria-label': `${label('file.group', group)}: ${t('admin.sizeMb')}` });
      size.value = shown;
      const error = fieldError(size);
      return { group, allowed, size, shown, error };
    });
    tableBox.replaceChildren(
      h('table', { class: 'admin-table file-policy-table', id: 'file-policy-table' }, [
        h('caption', { class: 'visually-hidden' }, [t('admin.filePolicy')]),
        h('thead', {}, [h('tr', {}, [t('admin.fileType'), t('admin.allowed'), t('admin.sizeMb')].map((x) => h('th', { scope: 'col' }, [x])))]),
        h('tbody', {}, rows.map((row) => h('tr', { 'data-group': row.group }, [h('th', { scope: 'row' }, [label('file.group', row.group)]), h('td', {}, [row.allowed]), h('td', {}, [row.size, row.error])]))),
      ]),
    );
    selects = Object.entries(r.form.choices).map(([name, options]) => {
      const select = h('select', { id: `fp-choice-${name}`, name }, options.map((o) => h('option', { value: o }, [label('file.option', o)])));
      select.value = String(r.effective[name] ?? options[0]);
      return [name, select];
    });
    choicesBox.replaceChildren(...selects.map(([name, select]) => h('div', { class: 'field' }, [h('label', { for: select.id }, [label('file.field', name)]), select])));
  };

  const load = async (): Promise<void> => draw(await api<FilePolicyReply>('GET', '/api/admin/file-policy'));

  /** The document with the form's values; sizes left as shown keep their exact bytes. */
  const formDocument = (): Record<string, unknown> | null => {
    if (!reply) return null;
    let ok = true;
    const maxBytes: Record<string, unknown> = { ...((reply.document?.maxBytes as Record<string, unknown> | undefined) ?? {}) };
    for (const row of rows) {
      setFieldError(row.size, row.error, '');
      if (row.size.value.trim() === row.shown) continue;
      const mb = Number(row.size.value);
      if (!row.size.value.trim() || !Number.isFinite(mb) || mb < 0.01) {
        setFieldError(row.size, row.error, t('validation.sizeMb'));
        ok = false;
        continue;
      }
      maxBytes[row.group] = Math.round(mb * MB);
    }
    if (!ok) return null;
    const doc: Record<string, unknown> = { ...(reply.document ?? {}), allowedGroups: rows.filter((r) => r.allowed.checked).map((r) => r.group) };
    if (Object.keys(maxBytes).length) doc.maxBytes = maxBytes;
    for (const [name, select] of selects) doc[name] = select.value;
    return doc;
  };

  const save = button(t('admin.save'), () => {
    const document = formDocument();
    if (!document) {
      status.textContent = t('validation.formHasErrors');
      status.classList.add('error');
      return;
    }
    void withStatus(status, async () => (await api('PUT', '/api/admin/file-policy', { document }), await load()));
  }, { class: 'primary', id: 'save-file-policy' });
  const saveYaml = button(t('admin.saveYaml'), () => void withStatus(status, async () => (await api('PUT', '/api/admin/file-policy', { yaml: yaml.value }), await load())), { id: 'save-file-policy-yaml' });
  void load().catch((err: Error) => (status.textContent = err.message));
  return h('section', { id: 'file-policy', class: 'page', 'aria-labelledby': 'file-policy-h' }, [
    h('h2', { id: 'file-policy-h' }, [t('admin.filePolicy')]),
    version,
    tableBox,
    h('fieldset', {}, [h('legend', {}, [t('admin.fileHandling')]), choicesBox]),
    h('div', { class: 'form-actions' }, [save]),
    status,
    h('details', { class: 'advanced' }, [
      h('summary', {}, [t('admin.fileAdvanced')]),
      h('p', { class: 'hint' }, [t('admin.fileYamlNote')]),
      h('label', { for: 'file-policy-yaml' }, ['YAML']),
      yaml,
      saveYaml,
    ]),
  ]);
}
