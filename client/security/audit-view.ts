/** Audit log search, exports (each export is itself audited) and the hash chain's status. */
import { h } from '../dom-builder.js';
import { getJson, queryString } from './api.js';
import { label, t, type MessageKey } from '../i18n.js';
import { JA } from '../messages/ja.js';
import { formatJst } from '../format-time.js';
import { field, formValues, input, pager, select, status, table } from './widgets.js';

interface AuditRecord {
  seq: number;
  time: string;
  userName: string | null;
  role: string | null;
  sourceIp: string | null;
  event: string;
  outcome: string;
  details: Record<string, unknown>;
}

type Verify = { ok: true; count: number } | { ok: false; count: number; firstBadSeq: number; reason: string; missingTo?: number };

// Mirrors gateway/audit/audit-event.ts AUDIT_EVENTS (the client may import protocol/ only).
const EVENTS = ['login', 'logout', 'password-change', 'navigation', 'navigation-blocked', 'download', 'upload', 'policy-change', 'account-change', 'quarantine-action', 'session-terminated', 'audit-export', 'audit-anchor'];
const OUTCOMES = ['success', 'failure', 'blocked', 'allowed', 'error'];
const LIMIT = 50;

export function auditView(root: HTMLElement): void {
  const chain = h('p', { class: 'chain-status', role: 'status' }, [t('security.chainChecking')]);
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': t('security.filters') }, [
    field(t('security.from'), input('from', 'date')),
    field(t('security.to'), input('to', 'date')),
    field(t('security.user'), input('user')),
    field(t('security.event'), select('event', [['', t('security.eventAny')], ...EVENTS.map((e): [string, string] => [e, label('event', e)])])),
    field(t('security.outcome'), select('outcome', [['', t('security.outcomeAny')], ...OUTCOMES.map((o): [string, string] => [o, label('enum.outcome', o)])])),
    field(t('security.text'), input('q', 'search')),
    h('button', { type: 'submit', class: 'primary' }, [t('security.search')]),
  ]);
  const exports = h('nav', { class: 'exports', 'aria-label': t('security.export') });
  const message = status();
  const results = h('div', { class: 'results' });
  root.replaceChildren(h('h2', {}, [t('security.navAudit')]), chain, form, exports, message, results);

  const load = async (offset: number): Promise<void> => {
    const filters = formValues(form);
    renderExports(exports, filters);
    try {
      const body = await getJson<{ records: AuditRecord[]; total: number; offset: number; limit: number }>(`/api/security/audit?${queryString({ ...filters, offset, limit: LIMIT })}`);
      results.replaceChildren(render(body.records), pager(body.total, body.offset, body.limit, (o) => void load(o)));
      message.textContent = '';
    } catch (err) {
      message.textContent = (err as Error).message;
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void load(0);
  });
  void load(0);
  void getJson<Verify>('/api/security/audit/verify').then(
    (v) => {
      chain.textContent = describeChain(v);
      chain.classList.toggle('bad', !v.ok);
    },
    (err: Error) => (chain.textContent = err.message),
  );
}

/** The end of the log cut off, or its head anchor gone, reads differently from an edited record. */
function describeChain(v: Verify): string {
  if (v.ok) return t('security.chainOk', { count: v.count });
  if (v.reason === 'truncated') return t('security.chainTruncated', { from: v.firstBadSeq, to: v.missingTo ?? '?' });
  if (v.reason === 'anchor-missing' || v.reason === 'anchor-invalid') return t('security.chainAnchor', { reason: label('chain', v.reason) });
  return t('security.chainBroken', { seq: v.firstBadSeq, reason: label('chain', v.reason) });
}

function renderExports(nav: HTMLElement, filters: Record<string, string>): void {
  const link = (format: string, label: string): HTMLAnchorElement => h('a', { class: 'button', href: `/api/security/audit/export?${queryString({ ...filters, format })}`, download: '' }, [label]);
  nav.replaceChildren(h('span', {}, [`${t('security.export')}: `]), link('csv', t('security.exportCsv')), link('csv-sjis', t('security.exportSjis')), link('jsonl', t('security.exportJsonl')));
}

function render(records: AuditRecord[]): HTMLElement {
  if (records.length === 0) return h('p', {}, [t('security.noResults')]);
  return table(
    ['time', 'user', 'role', 'sourceIp', 'event', 'outcome', 'details'],
    records.map((r) =>
      h('tr', { 'data-seq': String(r.seq), 'data-event': r.event }, [
        h('td', { class: 'time' }, [formatJst(r.time, true)]),
        h('td', { translate: 'no' }, [r.userName ?? '']),
        h('td', {}, [r.role ? label('enum.role', r.role) : '']),
        h('td', { translate: 'no' }, [r.sourceIp ?? '']),
        h('td', {}, [label('event', r.event)]),
        h('td', {}, [label('enum.outcome', r.outcome)]),
        h('td', { class: 'details' }, [describe(r.details)]),
      ]),
    ),
  );
}

/** A detail's name in the UI language; an unknown one is shown as it is, marked as data. */
function detailName(key: string): HTMLElement {
  const known = `detail.${key}`;
  return known in JA ? h('span', { class: 'detail-key' }, [t(known as MessageKey)]) : h('span', { class: 'detail-key', translate: 'no' }, [key]);
}

/** Details as "name: value" pairs (values are data, not translated); the action and justification come first. */
function describe(details: Record<string, unknown>): HTMLElement {
  const entries = Object.entries(details).sort(([a], [b]) => (a === 'action' ? -1 : b === 'action' ? 1 : a === 'justification' ? -1 : b === 'justification' ? 1 : 0));
  return h('ul', { class: 'detail-list' }, entries.map(([k, v]) => h('li', { 'data-detail': k }, [detailName(k), '：', detailValue(k, v)])));
}

/** What was done and where from read in words (「原本の解放」, 「管理コンソール」); other values are data. */
function detailValue(key: string, value: unknown): HTMLElement {
  const family = key === 'action' ? 'action' : key === 'source' ? 'origin' : null;
  const known = family && typeof value === 'string' ? `${family}.${value}` : null;
  if (known && known in JA) return h('span', { 'data-code': String(value) }, [t(known as MessageKey)]);
  return h('span', { translate: 'no' }, [typeof value === 'string' ? value : JSON.stringify(value)]);
}
