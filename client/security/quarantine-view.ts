/** Quarantine list with filters and paging; opening a row shows its detail and actions. */
import { h } from '../dom-builder.js';
import { getJson, queryString } from './api.js';
import { showDetail, type QuarantineRecord } from './quarantine-detail.js';
import { label, t } from '../i18n.js';
import { formatJst } from '../format-time.js';
import { field, formValues, formatSize, input, pager, select, status, table } from './widgets.js';

interface ListBody {
  records: QuarantineRecord[];
  total: number;
  offset: number;
  limit: number;
  facets: { reasons: string[]; types: string[] };
}

const LIMIT = 50;

export function quarantineView(root: HTMLElement): void {
  const reason = select('reason', [['', t('security.reasonAny')]]);
  const type = input('type');
  type.setAttribute('list', 'type-choices');
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': t('security.filters') }, [
    field(t('security.user'), input('user')),
    field(t('security.from'), input('from', 'date')),
    field(t('security.to'), input('to', 'date')),
    field(t('security.verdict'), select('verdict', [['', t('security.verdictAny')], ['blocked', t('security.verdictBlocked')], ['sanitized', t('security.verdictSanitized')]])),
    field(t('security.reason'), reason),
    field(t('security.type'), type),
    field(t('security.text'), input('q', 'search')),
    h('button', { type: 'submit', class: 'primary' }, [t('security.search')]),
  ]);
  const typeChoices = h('datalist', { id: 'type-choices' });
  const results = h('div', { class: 'results' });
  const message = status();
  const detail = h('section', { class: 'detail', hidden: true, 'aria-label': t('security.detail') });
  root.replaceChildren(h('h2', {}, [t('security.navQuarantine')]), form, typeChoices, message, results, detail);

  /** A deleted file's detail closes; the list reloads and says so. */
  const afterDelete = (text: string): void => {
    detail.hidden = true;
    detail.replaceChildren();
    void load(0).then(() => {
      message.classList.remove('error');
      message.textContent = text;
    });
  };
  const load = async (offset: number): Promise<void> => {
    message.textContent = '';
    try {
      const body = await getJson<ListBody>(`/api/security/quarantine?${queryString({ ...formValues(form), offset, limit: LIMIT })}`);
      fillChoices(reason, typeChoices, body.facets);
      results.replaceChildren(render(body, detail, () => void load(offset), afterDelete), pager(body.total, body.offset, body.limit, (o) => void load(o)));
    } catch (err) {
      message.textContent = (err as Error).message;
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void load(0);
  });
  void load(0);
}

function fillChoices(reason: HTMLSelectElement, types: HTMLDataListElement, facets: ListBody['facets']): void {
  const current = reason.value;
  reason.replaceChildren(h('option', { value: '' }, [t('security.reasonAny')]), ...facets.reasons.map((r) => h('option', { value: r }, [label('reason', r)])));
  reason.value = facets.reasons.includes(current) ? current : '';
  types.replaceChildren(...facets.types.map((t) => h('option', { value: t })));
}

function render(body: ListBody, detail: HTMLElement, refresh: () => void, deleted: (text: string) => void): HTMLElement {
  if (body.records.length === 0) return h('p', {}, [t('security.noResults')]);
  const rows = body.records.map((r) => {
    const open = h('button', { type: 'button', class: 'link-button', 'aria-label': `${t('security.open')}: ${r.name}` }, [r.name]);
    open.setAttribute('translate', 'no');
    open.addEventListener('click', () => void showDetail(detail, r.id, refresh, '', deleted));
    const printed = r.sourceUrl === 'print:';
    return h('tr', { 'data-id': r.id, ...(printed ? { 'data-printed': 'true' } : {}) }, [
      h('td', { class: 'time' }, [formatJst(r.createdAt)]),
      h('td', {}, [open, ...(printed ? [h('span', { class: 'printed-tag' }, [` ${t('security.printed')}`])] : [])]),
      h('td', { translate: 'no', 'data-field': 'user' }, [r.userName ?? t('security.unknownUser')]),
      h('td', {}, [label('enum.verdict', r.verdict)]),
      h('td', {}, [r.reason ? label('reason', r.reason) : '']),
      h('td', { translate: 'no' }, [r.signature ?? '']),
      h('td', { translate: 'no' }, [r.trueType ?? '']),
      h('td', { class: 'num' }, [formatSize(r.size)]),
    ]);
  });
  return table(['time', 'name', 'user', 'verdict', 'reason', 'signature', 'trueType', 'size'], rows);
}
