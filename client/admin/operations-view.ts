/** Live sessions with the browser workers, and operator settings. */
import { h } from '../dom-builder.js';
import { formatJst } from '../format-time.js';
import { label, t } from '../i18n.js';
import { api, withStatus } from './api.js';
import { fieldError, setFieldError } from './field-errors.js';
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
      `${s.user.name}（${label('enum.role', s.user.role)}）`, s.sourceIp, h('span', { translate: 'no' }, [s.url]), formatJst(s.since),
      button(t('admin.terminate'), () => {
        if (!confirm(t('admin.confirmTerminate', { name: s.user.name }))) return;
        void withStatus(status, async () => (await api('POST', `/api/admin/sessions/${encodeURIComponent(s.id)}/terminate`), await load()), t('admin.terminated', { name: s.user.name }));
      }, { 'aria-label': `${t('admin.terminate')}: ${s.user.name}`, class: 'danger' }),
    ]);
    box.replaceChildren(rows.length ? table([t('admin.user'), t('admin.sourceIp'), t('admin.url'), t('admin.since'), t('admin.actions')], rows) : h('p', {}, [t('admin.noSessions')]));
    await loadWorkers();
  };
  // Browser workers: sessions per worker; draining one stops new sessions on it before maintenance.
  const workersBox = h('div');
  const loadWorkers = async () => {
    const { inProcess, workers } = await api<{ inProcess: boolean; workers: BrowserWorker[] }>('GET', '/api/admin/workers');
    if (inProcess) return void workersBox.replaceChildren(h('p', {}, [t('admin.workersInProcess')]));
    const drain = (w: BrowserWorker) =>
      button(w.draining ? t('admin.workerResume') : t('admin.workerDrain'), () => {
        if (!w.draining && !confirm(t('admin.confirmDrain', { name: String(w.id) }))) return;
        void withStatus(status, async () => (await api('POST', `/api/admin/workers/${w.id}/drain`, { draining: !w.draining }), await loadWorkers()));
      }, {
        'aria-label': `${w.draining ? t('admin.workerResume') : t('admin.workerDrain')}: ${t('admin.worker')} ${w.id}`,
      });
    const state = (w: BrowserWorker) => (!w.ready ? t('admin.workerRestarting') : w.draining ? t('admin.workerDraining') : t('admin.workerReady'));
    const label = (w: BrowserWorker) => (w.kind === 'remote' ? `${w.id} ${w.name ?? ''} (${t('admin.workerRemote')} ${w.address ?? ''})` : `${w.id} (${t('admin.workerLocal')})`);
    workersBox.replaceChildren(table([t('admin.worker'), t('admin.workerState'), t('admin.workerSessions'), t('admin.actions')], workers.map((w) => [label(w), state(w), String(w.sessions), drain(w)])));
    await loadRemote();
  };
  // Remote workers that joined with a token: revoking one refuses its certificate and cuts it off.
  const remoteBox = h('div');
  const loadRemote = async () => {
    const remote = await api<{ enabled: boolean; port: number | null; caFingerprint: string | null; workers: RemoteWorker[] }>('GET', '/api/admin/remote-workers');
    if (!remote.enabled) return void remoteBox.replaceChildren(h('p', {}, [t('admin.remoteWorkersOff')]));
    const revoke = (w: RemoteWorker) =>
      w.revokedAt
        ? t('admin.workerRevoked')
        : button(t('admin.workerRevoke'), () => {
            if (!confirm(`${t('admin.workerRevokeConfirm')}\n${w.name}`)) return;
            void withStatus(status, async () => (await api('POST', `/api/admin/remote-workers/${encodeURIComponent(w.name)}/revoke`), await loadWorkers()), t('admin.workerRevokedDone', { name: w.name }));
          }, { 'aria-label': `${t('admin.workerRevoke')}: ${w.name}` });
    remoteBox.replaceChildren(
      h('p', {}, [`${t('admin.remoteWorkersPort')}: ${remote.port ?? '-'} / CA SHA-256: ${remote.caFingerprint ?? '-'}`]),
      remote.workers.length
        ? table([t('admin.worker'), t('admin.workerJoined'), t('admin.sourceIp'), t('admin.workerLastSeen'), t('admin.workerJoinId'), t('admin.actions')], remote.workers.map((w) => [w.name, formatJst(w.joinedAt), w.joinedFrom, formatJst(w.lastSeenAt) || '—', w.joinId, revoke(w)]))
        : h('p', {}, [t('admin.remoteWorkersNone')]),
    );
  };
  void load();
  return h('section', { id: 'sessions', class: 'page', 'aria-labelledby': 'sessions-h' }, [
    h('h2', { id: 'sessions-h' }, [t('admin.sessions')]),
    button(t('admin.refresh'), () => void load()),
    box,
    h('h3', {}, [t('admin.workers')]),
    workersBox,
    h('h3', {}, [t('admin.remoteWorkers')]),
    remoteBox,
    status,
  ]);
}

/** A settings field's value problem, named as what is allowed (mirrors gateway/http/admin-settings.http.ts). */
function settingsProblems(values: { idle: string; tabs: string; ranges: string[] }): Record<string, string> {
  const out: Record<string, string> = {};
  const whole = (text: string, min: number, max: number): boolean => /^\d+$/.test(text.trim()) && Number(text) >= min && Number(text) <= max;
  if (!whole(values.idle, 30, 86_400)) out.idle = t('validation.integerRange', { min: 30, max: 86_400 });
  if (!whole(values.tabs, 1, 50)) out.tabs = t('validation.integerRange', { min: 1, max: 50 });
  values.ranges.forEach((text, i) => {
    if (splitList(text).some((c) => !/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(c))) out[`range${i}`] = t('validation.cidr');
  });
  return out;
}

export function settingsView(): HTMLElement {
  const status = statusLine();
  const contact = textInput(t('admin.contact'), '', { name: 'contact', maxlength: '300' });
  const idle = textInput(t('admin.idleTimeout'), '', { name: 'idle-timeout', inputmode: 'numeric' });
  const tabs = textInput(t('admin.maxTabs'), '', { name: 'max-tabs', inputmode: 'numeric' });
  const ranges = {
    staff: textInput(label('enum.role', 'staff'), '', { name: 'sources-staff' }),
    admin: textInput(label('enum.role', 'admin'), '', { name: 'sources-admin' }),
    security: textInput(label('enum.role', 'security'), '', { name: 'sources-security' }),
  };
  const fields: Record<string, { control: HTMLElement; error: HTMLElement }> = {};
  for (const [key, f] of Object.entries({ idle, tabs, range0: ranges.staff, range1: ranges.admin, range2: ranges.security })) {
    const error = fieldError(f.control);
    f.row.append(error);
    fields[key] = { control: f.control, error };
  }
  void api<{ contact: string | null; idleTimeoutSeconds: number; maxTabs: number; sourceRanges: Record<keyof typeof ranges, string[]> }>('GET', '/api/admin/settings').then((s) => {
    contact.control.value = s.contact ?? '';
    idle.control.value = String(s.idleTimeoutSeconds);
    tabs.control.value = String(s.maxTabs);
    for (const role of ['staff', 'admin', 'security'] as const) ranges[role].control.value = s.sourceRanges[role].join(', ');
  });
  const save = button(t('admin.save'), () => {
    const problems = settingsProblems({ idle: idle.control.value, tabs: tabs.control.value, ranges: [ranges.staff.control.value, ranges.admin.control.value, ranges.security.control.value] });
    for (const [key, f] of Object.entries(fields)) setFieldError(f.control, f.error, problems[key] ?? '');
    if (Object.keys(problems).length) {
      status.textContent = t('validation.formHasErrors');
      status.classList.add('error');
      return;
    }
    void withStatus(status, () => api('PUT', '/api/admin/settings', {
      contact: contact.control.value || null,
      idleTimeoutSeconds: Number(idle.control.value),
      maxTabs: Number(tabs.control.value),
      sourceRanges: { staff: splitList(ranges.staff.control.value), admin: splitList(ranges.admin.control.value), security: splitList(ranges.security.control.value) },
    }));
  }, { class: 'primary', id: 'save-settings' });
  return h('section', { id: 'settings', class: 'page', 'aria-labelledby': 'settings-h' }, [
    h('h2', { id: 'settings-h' }, [t('admin.settings')]),
    contact.row, idle.row, tabs.row,
    h('fieldset', {}, [h('legend', {}, [t('admin.roleSources')]), ranges.staff.row, ranges.admin.row, ranges.security.row]),
    save, status,
  ]);
}
