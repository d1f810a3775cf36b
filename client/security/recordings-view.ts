/**
 * Session recordings (docs/recording.md): search by user, site and date, then play one
 * back — the picture on a canvas drawn by the viewer's own frame renderer, a timeline
 * with the navigations and other events marked (a click jumps there), play/pause and
 * speed — and export a part of it with a reason. Every playback and export is audited
 * by the gateway.
 */
import { decodeFrame, FrameKind, type DecodedFrame } from '../../protocol/index.js';
import { decodeRecords, RecordKind, type RecordingEvent, type RecordingSummary } from '../../protocol/recording-format.js';
import { h } from '../dom-builder.js';
import { formatJst } from '../format-time.js';
import { label, t, type MessageKey } from '../i18n.js';
import { FrameRenderer } from '../viewer/frame-renderer.js';
import { getJson, post, queryString, saveResponse } from './api.js';
import { button, field, formValues, input, status, table } from './widgets.js';

interface TimedFrame {
  at: number;
  frame: DecodedFrame;
}

interface TimedEvent {
  at: number;
  event: RecordingEvent;
}

const SPEEDS = [1, 2, 4, 8];

/** `mm:ss` (or `h:mm:ss`) of a position in a recording. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const mm = String(Math.floor((total % 3600) / 60)).padStart(2, '0');
  const ss = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

function eventText(event: RecordingEvent): string {
  switch (event.type) {
    case 'navigation':
      return `${t('security.recEventNavigation')}: ${event.title ? `${event.title} — ` : ''}${event.url}`;
    case 'paste':
      return t('security.recEventPaste', { chars: event.chars });
    case 'copy':
      return t('security.recEventCopy', { chars: event.chars });
    case 'download':
      return `${t('security.recEventDownload')}: ${event.name} (${t(`security.recDownload.${event.state}` as MessageKey)})`;
    case 'leak-guard':
      return `${t('security.recEventLeak')}: ${label('enum.outcome', event.verdict === 'blocked' ? 'blocked' : 'warned')}`;
    default:
      return t(`security.recEvent.${event.type}` as MessageKey);
  }
}

export function recordingsView(root: HTMLElement): void {
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': t('security.filters') }, [
    field(t('security.from'), input('since', 'date')),
    field(t('security.to'), input('until', 'date')),
    field(t('security.user'), input('user')),
    field(t('security.recSite'), input('site')),
    h('button', { type: 'submit', class: 'primary' }, [t('security.search')]),
  ]);
  const message = status();
  const results = h('div', { class: 'results' });
  const player = h('section', { class: 'recording-player', 'aria-label': t('security.recPlayer'), hidden: true });
  root.replaceChildren(h('h2', {}, [t('security.navRecordings')]), h('p', { class: 'hint' }, [t('security.recIntro')]), form, message, results, player);

  const load = async (): Promise<void> => {
    const v = formValues(form);
    // Dates are Japan days: from its 00:00 to the next day's 00:00 (+09:00).
    const query: Record<string, string> = {};
    if (v.user) query.user = v.user;
    if (v.site) query.site = v.site;
    if (v.since) query.since = `${v.since}T00:00:00+09:00`;
    if (v.until) query.until = new Date(new Date(`${v.until}T00:00:00+09:00`).getTime() + 86_400_000).toISOString();
    try {
      const body = await getJson<{ recordings: RecordingSummary[] }>(`/api/security/recordings?${queryString(query)}`);
      message.textContent = body.recordings.length === 0 ? t('security.recNone') : '';
      results.replaceChildren(
        table(
          ['recStarted', 'user', 'recRole', 'recTerminal', 'recLength', 'recSites', 'recActions'],
          body.recordings.map((r) => {
            const play = button(t('security.recPlay'), { 'data-recording': r.id });
            play.addEventListener('click', () => void openPlayer(player, r, message));
            return h('tr', {}, [
              h('td', {}, [formatJst(r.startedAt)]),
              h('td', { translate: 'no' }, [r.userName]),
              h('td', {}, [r.role ? label('enum.role', r.role) : '—']),
              h('td', { translate: 'no' }, [r.sourceIp ?? '—']),
              h('td', {}, [clock(r.durationMs)]),
              h('td', { translate: 'no' }, [r.sites.join(', ') || '—']),
              h('td', {}, [play]),
            ]);
          }),
        ),
      );
    } catch (err) {
      message.textContent = (err as Error).message;
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  void load();
}

async function openPlayer(player: HTMLElement, summary: RecordingSummary, message: HTMLElement): Promise<void> {
  message.textContent = t('security.recLoading');
  let data: Uint8Array;
  try {
    const res = await fetch(`/api/security/recordings/${summary.id}/data`, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(t('security.failed'));
    data = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    message.textContent = (err as Error).message;
    return;
  }
  message.textContent = '';
  const frames: TimedFrame[] = [];
  const events: TimedEvent[] = [];
  for (const record of decodeRecords(data)) {
    if (record.kind === RecordKind.Frame) {
      const frame = decodeFrame(record.payload.slice());
      if (frame) frames.push({ at: record.at, frame });
    } else {
      try {
        events.push({ at: record.at, event: JSON.parse(new TextDecoder().decode(record.payload)) as RecordingEvent });
      } catch {
        /* a damaged event is skipped */
      }
    }
  }
  const duration = Math.max(summary.durationMs, frames.at(-1)?.at ?? 0, events.at(-1)?.at ?? 0);
  const canvas = h('canvas', { class: 'recording-canvas', role: 'img', 'aria-label': t('security.recScreen') });
  // A delta whose base was not recorded (a paused stretch) waits for the next key frame.
  const renderer = new FrameRenderer(canvas, () => undefined, () => undefined);
  const slider = h('input', { type: 'range', min: '0', max: String(duration), step: '100', value: '0', 'aria-label': t('security.recPosition') });
  const time = h('span', { class: 'recording-time', 'aria-live': 'off' }, [`${clock(0)} / ${clock(duration)}`]);
  const playButton = button(t('security.recPlay'), { class: 'primary' });
  const speed = h('select', { 'aria-label': t('security.recSpeed') }, SPEEDS.map((s) => h('option', { value: String(s) }, [`${s}×`])));
  const marks = h('div', { class: 'recording-marks', 'aria-hidden': 'true' });
  for (const { at, event } of events) {
    if (event.type !== 'navigation') continue;
    const mark = h('span', { class: 'recording-mark' });
    mark.style.left = `${duration ? (at / duration) * 100 : 0}%`;
    marks.append(mark);
  }
  const list = h('ol', { class: 'recording-events', 'aria-label': t('security.recTimeline') }, events.map(({ at, event }) => {
    const jump = button(`${clock(at)}  ${eventText(event)}`, { class: `recording-event event-${event.type}` });
    jump.addEventListener('click', () => seek(at));
    return h('li', {}, [jump]);
  }));

  let position = 0;
  /** Index of the next frame to draw while playing. */
  let next = 0;
  let playing = false;
  let last = 0;

  const show = (): void => {
    slider.value = String(Math.round(position));
    time.textContent = `${clock(position)} / ${clock(duration)}`;
  };
  /** Draws the picture at `to`: from the last whole picture at or before it, through the frames up to it. */
  const seek = (to: number): void => {
    position = Math.max(0, Math.min(duration, to));
    let end = -1;
    for (let i = 0; i < frames.length && frames[i]!.at <= position; i++) end = i;
    let base = end;
    while (base > 0 && frames[base]!.frame.header.kind !== FrameKind.Key) base--;
    for (let i = Math.max(0, base); i <= end; i++) renderer.push(frames[i]!.frame);
    next = end + 1;
    show();
  };
  const tick = (now: number): void => {
    if (!playing) return;
    position = Math.min(duration, position + (now - last) * Number(speed.value));
    last = now;
    while (next < frames.length && frames[next]!.at <= position) renderer.push(frames[next++]!.frame);
    show();
    if (position >= duration) return stop();
    requestAnimationFrame(tick);
  };
  const stop = (): void => {
    playing = false;
    playButton.textContent = t('security.recPlay');
  };
  playButton.addEventListener('click', () => {
    if (playing) return stop();
    if (position >= duration) seek(0);
    playing = true;
    playButton.textContent = t('security.recPause');
    last = performance.now();
    requestAnimationFrame(tick);
  });
  slider.addEventListener('input', () => seek(Number(slider.value)));

  // Export a part, with the reason the audit record keeps.
  const reason = h('input', { type: 'text', maxlength: '500', 'aria-describedby': 'rec-export-error' });
  const fromField = h('input', { type: 'text', value: clock(0), inputmode: 'numeric', pattern: '\\d{1,2}(:\\d{2}){1,2}' });
  const toField = h('input', { type: 'text', value: clock(duration), inputmode: 'numeric', pattern: '\\d{1,2}(:\\d{2}){1,2}' });
  const exportError = h('p', { id: 'rec-export-error', class: 'field-error', role: 'alert' });
  const exportButton = button(t('security.recExport'));
  exportButton.addEventListener('click', () => {
    const why = reason.value.trim();
    const fromMs = parseClock(fromField.value);
    const toMs = parseClock(toField.value);
    if (!why) {
      exportError.textContent = t('security.recReasonRequired');
      reason.setAttribute('aria-invalid', 'true');
      return reason.focus();
    }
    if (fromMs === null || toMs === null || toMs < fromMs) {
      exportError.textContent = t('security.recRangeInvalid');
      return fromField.focus();
    }
    reason.removeAttribute('aria-invalid');
    exportError.textContent = '';
    void post(`/api/security/recordings/${summary.id}/export`, { reason: why, fromMs, toMs })
      .then((res) => saveResponse(res, `recording-${summary.id}.kekkai-rec`))
      .then(() => (exportError.textContent = t('security.recExported')), (err: Error) => (exportError.textContent = err.message));
  });

  player.hidden = false;
  player.replaceChildren(
    h('h3', {}, [t('security.recOf', { user: summary.userName, start: formatJst(summary.startedAt) })]),
    h('div', { class: 'recording-stage' }, [canvas]),
    h('div', { class: 'recording-controls' }, [playButton, speed, h('div', { class: 'recording-track' }, [slider, marks]), time]),
    h('h4', {}, [t('security.recTimeline')]),
    list,
    h('h4', {}, [t('security.recExportTitle')]),
    h('div', { class: 'filters' }, [field(t('security.recExportFrom'), fromField), field(t('security.recExportTo'), toField), field(t('security.recReason'), reason), exportButton]),
    exportError,
  );
  seek(0);
  player.scrollIntoView({ block: 'start' });
}

/** `mm:ss` or `h:mm:ss` → milliseconds; null when malformed. */
export function parseClock(text: string): number | null {
  const m = /^\s*(?:(\d{1,2}):)?(\d{1,2}):(\d{2})\s*$/.exec(text);
  if (!m) return null;
  const [hours, minutes, seconds] = [Number(m[1] ?? 0), Number(m[2]), Number(m[3])];
  if (seconds >= 60 || (m[1] !== undefined && minutes >= 60)) return null;
  return ((hours * 60 + minutes) * 60 + seconds) * 1000;
}
