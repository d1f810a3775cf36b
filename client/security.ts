/**
 * Security console: an overview, quarantine review (filters, detail, release / delete /
 * analysis download with a justification), releases awaiting approval (with a count in
 * the menu), the audit log (search, export, chain status) and the checklist evidence.
 * Japanese by default, English with ?lang=en.
 */
import { complianceView } from './admin/compliance-view.js';
import { setCsrf } from './admin/api.js';
import { loadMe, startConsole } from './console-shell.js';
import { h } from './dom-builder.js';
import { t } from './i18n.js';
import { setCsrfToken } from './security/api.js';
import { approvalsView } from './security/approvals-view.js';
import { auditView } from './security/audit-view.js';
import { overviewView } from './security/overview-view.js';
import { quarantineView } from './security/quarantine-view.js';
import { recordingsView } from './security/recordings-view.js';

/** The pending-approvals count beside the menu entry, refreshed on every page change. */
function pendingBadge(): { element: HTMLElement; refresh(): void } {
  const element = h('span', { class: 'menu-badge', hidden: true });
  const show = (count: number): void => {
    element.hidden = count === 0;
    element.textContent = String(count);
    element.setAttribute('aria-label', t('security.pendingBadge', { count }));
  };
  const refresh = (): void => {
    void fetch('/api/security/releases?state=pending', { credentials: 'same-origin' })
      .then(async (res) => (res.ok ? ((await res.json()) as { releases: unknown[] }).releases.length : 0))
      .then(show, () => undefined);
  };
  window.addEventListener('kekkai-pending', (e) => show(Number((e as CustomEvent<number>).detail)));
  return { element, refresh };
}

async function start(): Promise<void> {
  const me = await loadMe();
  if (!me) return;
  setCsrfToken(me.csrfToken);
  setCsrf(me.csrfToken);
  const badge = pendingBadge();
  window.addEventListener('hashchange', badge.refresh);
  badge.refresh();
  startConsole('security', me, [
    { id: 'overview', label: t('security.navOverview'), render: overviewView },
    { id: 'quarantine', label: t('security.navQuarantine'), render: quarantineView },
    { id: 'approvals', label: t('security.navApprovals'), render: approvalsView, badge: badge.element },
    { id: 'audit', label: t('security.navAudit'), render: auditView },
    { id: 'recordings', label: t('security.navRecordings'), render: recordingsView },
    { id: 'compliance', label: t('security.navCompliance'), render: (main) => main.replaceChildren(complianceView()) },
  ]);
}

void start().catch((err: Error) => {
  document.body.replaceChildren(h('p', { class: 'form-error', role: 'alert' }, [err.message]));
});
