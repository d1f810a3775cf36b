/** Detail of one quarantined file and the actions on it, each with a written justification. */
import { h } from '../dom-builder.js';
import { getJson, post, saveResponse } from './api.js';
import { scanBox, scanOfError, type ScanBox } from './scan-view.js';
import { label, t } from '../i18n.js';
import { formatJst } from '../format-time.js';
import { type SecurityKey, button, field, formatSize, st, stateName, status } from './widgets.js';

export interface QuarantineRecord {
  id: string;
  sha256: string;
  name: string;
  size: number;
  trueType: string | null;
  sourceUrl: string | null;
  userId: number | null;
  userName: string | null;
  createdAt: string;
  verdict: 'sanitized' | 'blocked';
  reason: string | null;
  signature: string | null;
  steps: unknown[];
}

interface Release {
  id: string;
  state: string;
  requestedByName: string | null;
  requestedAt: string;
  requestJustification: string;
  decidedByName: string | null;
  decisionJustification: string | null;
}

interface DetailBody {
  record: QuarantineRecord;
  releases: Release[];
  releaseNeedsSecondApproval: boolean;
}

export async function showDetail(panel: HTMLElement, id: string, onChange: () => void, notice = '', onDeleted?: (text: string) => void): Promise<void> {
  const body = await getJson<DetailBody>(`/api/security/quarantine/${encodeURIComponent(id)}`);
  const closeButton = button(t('security.close'));
  closeButton.addEventListener('click', () => (panel.hidden = true));
  // The record's signature is from the download (often "—": blocked before the scan);
  // what decides a release is this fresh scan with today's signatures.
  const scan = scanBox(id);
  void scan.run();
  panel.replaceChildren(
    h('h2', { id: 'detail-title' }, [t('security.detail')]),
    facts(body.record),
    h('h3', {}, [t('security.steps')]),
    steps(body.record.steps),
    ...(body.releases.length ? [h('h3', {}, [t('security.releases')]), releases(body.releases)] : []),
    h('h3', {}, [t('security.scan')]),
    h('p', { class: 'scan-note' }, [t('security.scanNote')]),
    scan.element,
    // The outcome of an action is shown again after the detail re-renders.
    actions(body, scan, notice, (outcome, deleted) => {
      if (deleted && onDeleted) return onDeleted(outcome);
      onChange();
      void showDetail(panel, id, onChange, outcome, onDeleted);
    }),
    closeButton,
  );
  panel.setAttribute('aria-labelledby', 'detail-title');
  panel.hidden = false;
  panel.scrollIntoView({ block: 'nearest' });
}

function facts(r: QuarantineRecord): HTMLElement {
  const rows: Array<[SecurityKey, string]> = [
    ['name', r.name],
    ['size', `${formatSize(r.size)} (${r.size} B)`],
    ['sha256', r.sha256],
    ['trueType', r.trueType ?? '—'],
    ['sourceUrl', r.sourceUrl ?? '—'],
    ['user', r.userName ?? t('security.unknownUser')],
    ['time', formatJst(r.createdAt)],
    ['verdict', label('enum.verdict', r.verdict)],
    ['signature', r.signature ?? '—'],
    ['reason', r.reason ? label('reason', r.reason) : '—'],
  ];
  // Names, hashes, addresses and signatures are data, not words to translate.
  const raw = new Set<SecurityKey>(['name', 'sha256', 'trueType', 'sourceUrl', 'user', 'signature']);
  return h('dl', { class: 'facts' }, rows.flatMap(([k, v]) => [h('dt', {}, [st(k)]), h('dd', { 'data-field': k, ...(raw.has(k) ? { translate: 'no' } : {}) }, [k === 'sourceUrl' && v === 'print:' ? t('security.printed') : v])]));
}

function steps(list: unknown[]): HTMLElement {
  return h(
    'ol',
    { class: 'steps' },
    list.map((step) => {
      const one = (typeof step === 'object' && step !== null ? step : {}) as { stage?: unknown; detail?: unknown; ms?: unknown };
      const detail = String(one.detail ?? '');
      // The sanitizer writes "blocked: <reason>: <detail>" when a stage stopped the file.
      const blocked = /(?:^|: )blocked: ([a-z-]+)/.exec(detail);
      const outcome = blocked ? t('step.blocked', { reason: label('reason', blocked[1]!) }) : t('step.ok');
      return h('li', { class: blocked ? 'step blocked' : 'step' }, [
        `${label('step', String(one.stage ?? '?'))}: ${outcome}${typeof one.ms === 'number' ? `（${one.ms} ms）` : ''}`,
        ...(detail ? [h('details', { class: 'step-detail' }, [h('summary', {}, [t('step.technical')]), h('code', { translate: 'no' }, [detail])])] : []),
      ]);
    }),
  );
}

function releases(list: Release[]): HTMLElement {
  return h(
    'ul',
    { class: 'release-history' },
    list.map((r) =>
      h('li', {}, [
        `${formatJst(r.requestedAt)} ${stateName(r.state)} — ${t('security.requestedBy')}: ${r.requestedByName ?? ''} 「${r.requestJustification}」`,
        ...(r.decidedByName ? [` / ${r.decidedByName} 「${r.decisionJustification ?? ''}」`] : []),
      ]),
    ),
  );
}

function actions(body: DetailBody, scan: ScanBox, notice: string, changed: (outcome: string, deleted?: boolean) => void): HTMLElement {
  const justification = h('textarea', { name: 'justification', maxlength: '1000', rows: '3', required: true });
  const message = status();
  message.textContent = notice;
  const base = `/api/security/quarantine/${encodeURIComponent(body.record.id)}`;
  const run = (fn: () => Promise<string>, deleting = false): void => {
    message.textContent = '';
    message.classList.remove('error');
    void fn().then(
      (text) => {
        message.textContent = text;
        justification.value = '';
        changed(text, deleting);
      },
      (err: Error) => {
        // A refusal must not look like the green success line.
        message.textContent = err.message;
        message.classList.add('error');
      },
    );
  };
  const release = button(body.releaseNeedsSecondApproval ? t('security.requestRelease') : t('security.release'), { class: 'primary' });
  release.addEventListener('click', () =>
    run(async () => {
      // The gateway scans before it releases; a refusal carries that scan's result.
      const res = await post(`${base}/release`, { justification: justification.value }).catch((err: unknown) => {
        const refused = scanOfError(err);
        if (refused) scan.show(refused);
        throw err;
      });
      const { release: r } = (await res.json()) as { release: { state: string } };
      return r.state === 'pending' ? t('security.pending') : t('security.released');
    }),
  );
  const analysis = button(t('security.analysis'));
  analysis.addEventListener('click', () =>
    run(async () => {
      await saveResponse(await post(`${base}/analysis-zip`, { justification: justification.value }), `${body.record.sha256}.zip`);
      return t('security.done');
    }),
  );
  const del = button(t('security.delete'), { class: 'danger' });
  del.addEventListener('click', () => {
    if (!confirm(t('security.deleteConfirm'))) return;
    run(async () => {
      await post(`${base}/delete`, { justification: justification.value });
      return t('security.deleted');
    }, true);
  });
  return h('div', { class: 'actions' }, [field(t('security.justification'), justification), h('div', { class: 'action-buttons' }, [release, analysis, del]), message]);
}
