/** Live sessions, operator settings, file policy and the compliance page. */
import { h } from '../dom-builder.js';
import { tr } from './admin-i18n.js';
import { api, withStatus } from './api.js';
import { button, splitList, statusLine, table, textInput } from './form-controls.js';

interface LiveSession {
  id: string;
  user: { name: string; role: string };
  sourceIp: string;
  url: string;
  since: string;
}

interface BrowserWorker {
  id: number;
  kind: 'local' | 'remote';
  name: string | null;
  address: string | null;
  ready: boolean;
  draining: boolean;
  sessions: number;
}

interface RemoteWorker {
  name: string;
  joinedAt: string;
  joinedFrom: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
  joinId: string;
}

export function sessionsView(): HTMLElement {
  const status = statusLine();
  const box = h('div');
  const load = async () => {
    const { sessions } = await api<{ sessions: LiveSession[] }>('GET', '/api/admin/sessions');
    const rows = sessions.map((s) => [
      `${s.user.name} (${s.user.role})`, s.sourceIp, s.url, s.since,
      button(tr('terminate'), () => void withStatus(status, async () => (await api('POST', `/api/admin/sessions/${encodeURIComponent(s.id)}/terminate`), await load())), { 'aria-label': `${tr('terminate')}: ${s.user.name}` }),
    ]);
    box.replaceChildren(rows.length ? table([tr('user'), tr('sourceIp'), tr('url'), tr('since'), tr('actions')], rows) : h('p', {}, [tr('noSessions')]));
    await loadWorkers();
  };
  // Browser workers: sessions per worker; draining one stops new sessions on it before maintenance.
  const workersBox = h('div');
  const loadWorkers = async () => {
    const { inProcess, workers } = await api<{ inProcess: boolean; workers: BrowserWorker[] }>('GET', '/api/admin/workers');
    if (inProcess) return void workersBox.replaceChildren(h('p', {}, [tr('workersInProcess')]));
    const drain = (w: BrowserWorker) =>
      button(w.draining ? tr('workerResume') : tr('workerDrain'), () => void withStatus(status, async () => (await api('POST', `/api/admin/workers/${w.id}/drain`, { draining: !w.draining }), await loadWorkers())), {
        'aria-label': `${w.draining ? tr('workerResume') : tr('workerDrain')}: ${tr('worker')} ${w.id}`,
      });
    const state = (w: BrowserWorker) => (!w.ready ? tr('workerRestarting') : w.draining ? tr('workerDraining') : tr('workerReady'));
    const label = (w: BrowserWorker) => (w.kind === 'remote' ? `${w.id} ${w.name ?? ''} (${tr('workerRemote')} ${w.address ?? ''})` : `${w.id} (${tr('workerLocal')})`);
    workersBox.replaceChildren(table([tr('worker'), tr('workerState'), tr('workerSessions'), tr('actions')], workers.map((w) => [label(w), state(w), String(w.sessions), drain(w)])));
    await loadRemote();
  };
  // Remote workers that joined with a token: revoking one refuses its certificate and cuts it off.
  const remoteBox = h('div');
  const loadRemote = async () => {
    const remote = await api<{ enabled: boolean; port: number | null; caFingerprint: string | null; workers: RemoteWorker[] }>('GET', '/api/admin/remote-workers');
    if (!remote.enabled) return void remoteBox.replaceChildren(h('p', {}, [tr('remoteWorkersOff')]));
    const revoke = (w: RemoteWorker) =>
      w.revokedAt
        ? tr('workerRevoked')
        : button(tr('workerRevoke'), () => {
            if (!confirm(`${tr('workerRevokeConfirm')}\n${w.name}`)) return;
            void withStatus(status, async () => (await api('POST', `/api/admin/remote-workers/${encodeURIComponent(w.name)}/revoke`), await loadWorkers()));
          }, { 'aria-label': `${tr('workerRevoke')}: ${w.name}` });
    remoteBox.replaceChildren(
      h('p', {}, [`${tr('remoteWorkersPort')}: ${remote.port ?? '-'} / CA SHA-256: ${remote.caFingerprint ?? '-'}`]),
      remote.workers.length
        ? table([tr('worker'), tr('workerJoined'), tr('sourceIp'), tr('workerLastSeen'), tr('workerJoinId'), tr('actions')], remote.workers.map((w) => [w.name, w.joinedAt, w.joinedFrom, w.lastSeenAt ?? '-', w.joinId, revoke(w)]))
        : h('p', {}, [tr('remoteWorkersNone')]),
    );
  };
  void load();
  return h('section', { id: 'sessions', 'aria-labelledby': 'sessions-h' }, [
    h('h2', { id: 'sessions-h' }, [tr('sessions')]),
    button(tr('refresh'), () => void load()),
    box,
    h('h3', {}, [tr('workers')]),
    workersBox,
    h('h3', {}, [tr('remoteWorkers')]),
    remoteBox,
    status,
  ]);
}

export function settingsView(): HTMLElement {
  const status = statusLine();
  const contact = textInput(tr('contact'), '', { name: 'contact' });
  const idle = textInput(tr('idleTimeout'), '', { name: 'idle-timeout', inputmode: 'numeric' });
  const tabs = textInput(tr('maxTabs'), '', { name: 'max-tabs', inputmode: 'numeric' });
  const ranges = { staff: textInput('staff', '', { name: 'sources-staff' }), admin: textInput('admin', '', { name: 'sources-admin' }), security: textInput('security', '', { name: 'sources-security' }) };
  void api<{ contact: string | null; idleTimeoutSeconds: number; maxTabs: number; sourceRanges: Record<keyof typeof ranges, string[]> }>('GET', '/api/admin/settings').then((s) => {
    contact.control.value = s.contact ?? '';
    idle.control.value = String(s.idleTimeoutSeconds);
    tabs.control.value = String(s.maxTabs);
    for (const role of ['staff', 'admin', 'security'] as const) ranges[role].control.value = s.sourceRanges[role].join(', ');
  });
  const save = button(tr('save'), () => void withStatus(status, () => api('PUT', '/api/admin/settings', {
    contact: contact.control.value || null,
    idleTimeoutSeconds: Number(idle.control.value),
    maxTabs: Number(tabs.control.value),
    sourceRanges: { staff: splitList(ranges.staff.control.value), admin: splitList(ranges.admin.control.value), security: splitList(ranges.security.control.value) },
  })), { class: 'primary', id: 'save-settings' });
  return h('section', { id: 'settings', 'aria-labelledby': 'settings-h' }, [
    h('h2', { id: 'settings-h' }, [tr('settings')]),
    contact.row, idle.row, tabs.row,
    h('fieldset', {}, [h('legend', {}, [tr('roleSources')]), ranges.staff.row, ranges.admin.row, ranges.security.row]),
    save, status,
  ]);
}

export function filePolicyView(): HTMLElement {
  const status = statusLine();
  const text = h('textarea', { id: 'file-policy-yaml', rows: '14', cols: '80' });
  const effective = h('pre', { class: 'effective', 'aria-label': tr('effective') });
  const load = async () => {
    const res = await api<{ yaml: string; effective: unknown }>('GET', '/api/admin/file-policy');
    text.value = res.yaml;
    effective.textContent = JSON.stringify(res.effective, null, 2);
  };
  const save = button(tr('save'), () => void withStatus(status, async () => (await api('PUT', '/api/admin/file-policy', { yaml: text.value }), await load())), { class: 'primary', id: 'save-file-policy' });
  void load();
  return h('section', { id: 'file-policy', 'aria-labelledby': 'file-policy-h' }, [
    h('h2', { id: 'file-policy-h' }, [tr('filePolicy')]),
    h('label', { for: 'file-policy-yaml' }, [tr('fileYaml')]), text, save, status,
    h('details', {}, [h('summary', {}, [tr('effective')]), effective]),
  ]);
}

export function complianceView(lang: string): HTMLElement {
  const box = h('div');
  void api<{ items: Array<{ id: string; title: { ja: string; en: string }; figures: Record<string, unknown>; ok: boolean }> }>('GET', '/api/compliance').then(({ items }) => {
    const rows = items.map((i) => [
      lang === 'en' ? i.title.en : i.title.ja,
      h('ul', {}, Object.entries(i.figures).map(([k, v]) => h('li', {}, [`${k}: ${String(v ?? '—')}`]))),
      i.ok ? tr('ok') : tr('attention'),
    ]);
    box.replaceChildren(table([tr('item'), tr('figures'), tr('status')], rows, { id: 'compliance-table' }));
  });
  return h('section', { id: 'compliance', 'aria-labelledby': 'compliance-h' }, [
    h('h2', { id: 'compliance-h' }, [tr('compliance')]),
    box,
    h('a', { href: '/api/compliance.csv', download: 'kekkai-compliance.csv', class: 'button' }, [tr('exportCsv')]),
  ]);
}
