/**
 * Releases waiting for a decision: a second security user's approval of a colleague's
 * release, or a user's own request from the viewer's download panel (recipient = requester).
 */
import { h } from '../dom-builder.js';
import { getJson, post } from './api.js';
import { scanBox, scanOfError, scanText, type Scan } from './scan-view.js';
import { t } from '../i18n.js';
import { formatJst } from '../format-time.js';
import { button, field, status, table } from './widgets.js';

interface Release {
  id: string;
  quarantineId: string;
  name: string;
  sha256: string;
  recipientId: number;
  recipientName: string | null;
  requestedBy: number;
  requestedByName: string | null;
  requestedAt: string;
  requestJustification: string;
  /** On a pending user request: the first of two approvers (second approval on). */
  decidedByName: string | null;
}

export function approvalsView(root: HTMLElement): void {
  const message = status();
  const list = h('div');
  const count = h('p', { class: 'pending-count', role: 'status' });
  root.replaceChildren(h('h2', {}, [t('security.navApprovals')]), count, message, list);
  const load = async (): Promise<void> => {
    try {
      const { releases } = await getJson<{ releases: Release[] }>('/api/security/releases?state=pending');
      count.textContent = t('security.pendingCount', { count: releases.length, user: releases.filter(isUserRequest).length });
      // The menu's badge follows what this page shows.
      window.dispatchEvent(new CustomEvent('kekkai-pending', { detail: releases.length }));
      list.replaceChildren(releases.length ? table(['time', 'name', 'recipient', 'requestedBy', 'justification', 'scan', 'state'], releases.map((r) => row(r, message, load))) : h('p', {}, [t('security.noPending')]));
    } catch (err) {
      message.textContent = (err as Error).message;
    }
  };
  void load();
}

/** As gateway/security/quarantine-actions.ts isUserRequest: the recipient asked themselves. */
function isUserRequest(r: Pick<Release, 'recipientId' | 'requestedBy'>): boolean {
  return r.recipientId === r.requestedBy;
}

function row(r: Release, message: HTMLElement, reload: () => Promise<void>): HTMLTableRowElement {
  const justification = h('textarea', { name: 'justification', maxlength: '1000', rows: '2' });
  // The approver decides on today's scan, not the requester's: scan now, and the
  // approval itself scans once more.
  const scan = scanBox(r.quarantineId);
  void scan.run();
  const decide = (verb: 'approve' | 'reject'): void => {
    if (verb === 'reject' && !confirm(t('security.confirmReject'))) return;
    void post(`/api/security/releases/${encodeURIComponent(r.id)}/${verb}`, { justification: justification.value }).then(
      async (res) => {
        const body = (await res.json()) as { scan: Scan | null };
        message.classList.remove('error');
        message.textContent = verb === 'reject' ? t('security.rejected') : body.scan ? `${t('security.approved')} ${scanText(body.scan)}` : t('security.done');
        void reload();
      },
      (err: Error) => {
        const refused = scanOfError(err);
        if (refused) scan.show(refused);
        message.classList.add('error');
        message.textContent = err.message;
      },
    );
  };
  const approve = button(t('security.approve'), { class: 'primary' });
  const reject = button(t('security.reject'));
  approve.addEventListener('click', () => decide('approve'));
  reject.addEventListener('click', () => decide('reject'));
  return h('tr', {}, [
    h('td', {}, [formatJst(r.requestedAt)]),
    h('td', {}, [r.name, h('br'), h('code', {}, [r.sha256.slice(0, 16)])]),
    h('td', {}, [r.recipientName ?? '']),
    h('td', {}, [r.requestedByName ?? '']),
    h('td', {}, [
      ...(isUserRequest(r) ? [h('p', { class: 'user-request' }, [t('security.userRequest')])] : []),
      r.requestJustification,
      ...(r.decidedByName ? [h('p', { class: 'first-approval' }, [t('security.firstApproval', { name: r.decidedByName })])] : []),
    ]),
    h('td', {}, [scan.element]),
    h('td', {}, [field(t('security.justification'), justification), approve, reject]),
  ]);
}
