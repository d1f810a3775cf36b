/**
 * Records one viewer connection (docs/recording.md): the frames the viewer received,
 * at most `maxFps` a second (a frame that arrives sooner waits and is replaced by a
 * newer one, so the last picture of a change is always kept; a frame that depends on
 * the one before is never dropped), and markers for navigations, typing (that it
 * happened, never what), paste and copy (length only), downloads, uploads and
 * leak-guard findings. With a site list, nothing is recorded while the active tab is
 * elsewhere (a `paused` marker says so). Records are buffered and written as
 * encrypted chunks every few seconds.
 */
import { isKeyFrame, type ClientMessage, type ServerMessage } from '../../protocol/index.js';
import { hostOf, onListedSite } from '../../protocol/host-pattern.js';
import { encodeRecord, RecordKind, type RecordingEvent } from '../../protocol/recording-format.js';
import type { RecordingProgress } from './recording-store.js';

/** Where the encrypted chunks go (RecordingFile). */
export interface RecordingSink {
  append(plain: Uint8Array): Promise<void>;
  flushed(): Promise<void>;
  /** Bytes not yet on disk. */
  backlogBytes(): number;
}

/** Beyond this many bytes waiting for the disk, frames are dropped (events still go): memory stays bounded. */
export const MAX_RECORDING_BACKLOG = 32 * 1024 * 1024;

const FLUSH_BYTES = 256 * 1024;
const FLUSH_MS = 3_000;
/** Typing shows as one marker per this many milliseconds at most. */
const TYPING_MARKER_MS = 2_000;

export interface RecorderOptions {
  maxFps: number;
  sites: readonly string[];
  now?: () => number;
}

export class SessionRecorder {
  private readonly started: number;
  private readonly now: () => number;
  private readonly minInterval: number;
  private buffer: Uint8Array[] = [];
  private buffered = 0;
  private frames = 0;
  private events = 0;
  private readonly sites = new Set<string>();
  private lastFrameAt = -Infinity;
  private pending: { bytes: Uint8Array; at: number } | null = null;
  private pendingTimer: NodeJS.Timeout | null = null;
  private readonly flushTimer: NodeJS.Timeout;
  private lastTypingAt = -Infinity;
  private readonly downloads = new Map<string, string>();
  private activeTabId: number | null = null;
  private url = '';
  private paused = false;
  private closed = false;

  constructor(
    private readonly file: RecordingSink,
    private readonly progress: (p: RecordingProgress) => void,
    private readonly options: RecorderOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
    this.minInterval = 1000 / options.maxFps;
    this.flushTimer = setInterval(() => this.flush(), FLUSH_MS);
    this.flushTimer.unref();
  }

  /** A frame as the viewer received it. */
  frame(bytes: Uint8Array): void {
    if (this.closed || this.paused) return;
    const at = this.now();
    if (!isKeyFrame(bytes)) {
      this.writePending();
      this.writeFrame(bytes, at);
      return;
    }
    if (at - this.lastFrameAt >= this.minInterval && !this.pending) {
      this.writeFrame(bytes, at);
      return;
    }
    this.pending = { bytes: Uint8Array.from(bytes), at };
    if (!this.pendingTimer) {
      const wait = Math.max(0, this.lastFrameAt + this.minInterval - at);
      this.pendingTimer = setTimeout(() => {
        this.pendingTimer = null;
        this.writePending();
      }, wait);
      this.pendingTimer.unref();
    }
  }

  /** A message the viewer received. */
  server(msg: ServerMessage): void {
    switch (msg.type) {
      case 'tabs': {
        this.activeTabId = msg.activeTabId;
        const active = msg.tabs.find((t) => t.id === msg.activeTabId);
        if (active) this.visit(active.url, active.title);
        return;
      }
      case 'nav-state':
        if (msg.tabId === this.activeTabId) this.visit(msg.url);
        return;
      case 'clipboard':
        return this.event({ type: 'copy', chars: msg.text.length });
      case 'download': {
        // Start, and the outcome: one marker each, not one per progress message.
        const mark = msg.state === 'ready' || msg.state === 'blocked' ? msg.state : 'started';
        if (this.downloads.get(msg.id) === mark || this.downloads.size > 1000) return;
        this.downloads.set(msg.id, mark);
        this.event({ type: 'download', name: msg.name.slice(0, 255), state: mark });
        return;
      }
      case 'leak-guard':
        return this.event({ type: 'leak-guard', verdict: msg.verdict, channel: msg.channel });
      default:
        return;
    }
  }

  /** A message the viewer sent (after the leak guard). */
  client(msg: ClientMessage): void {
    if (msg.type === 'key' && msg.action === 'down' && msg.text) {
      const at = this.now();
      if (at - this.lastTypingAt < TYPING_MARKER_MS) return;
      this.lastTypingAt = at;
      this.event({ type: 'typing' });
    } else if (msg.type === 'ime' && msg.phase === 'commit') {
      this.event({ type: 'typing' });
    } else if (msg.type === 'paste') {
      this.event({ type: 'paste', chars: msg.text.length });
    }
  }

  /** An upload went to the page. */
  upload(): void {
    this.event({ type: 'upload' });
  }

  /** Writes what is left and marks the recording ended. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.writePending();
    this.closed = true;
    clearInterval(this.flushTimer);
    if (this.pendingTimer) clearTimeout(this.pendingTimer);
    this.flush(true);
    await this.file.flushed();
  }

  private visit(url: string, title?: string): void {
    if (url === this.url) return;
    this.url = url;
    const onSite = onListedSite(this.options.sites, url);
    if (!onSite) {
      if (!this.paused) {
        this.writePending();
        this.event({ type: 'paused' });
        this.paused = true;
      }
      return;
    }
    if (this.paused) {
      this.paused = false;
      this.event({ type: 'resumed' });
    }
    const host = hostOf(url);
    if (host) this.sites.add(host);
    this.event({ type: 'navigation', url: url.slice(0, 2048), ...(title ? { title: title.slice(0, 300) } : {}) });
  }

  private event(event: RecordingEvent): void {
    if (this.closed || (this.paused && event.type !== 'paused')) return;
    // A frame still waiting for its turn goes first, so records stay in time order.
    this.writePending();
    this.events++;
    this.push(encodeRecord(RecordKind.Event, this.now() - this.started, new TextEncoder().encode(JSON.stringify(event))));
  }

  private writePending(): void {
    const pending = this.pending;
    this.pending = null;
    if (this.pendingTimer) {
      clearTimeout(this.pendingTimer);
      this.pendingTimer = null;
    }
    if (pending && !this.closed) this.writeFrame(pending.bytes, pending.at);
  }

  private writeFrame(bytes: Uint8Array, at: number): void {
    // A disk that cannot keep up costs frames, never unbounded memory; the player resumes at the next key frame.
    if (this.file.backlogBytes() + this.buffered > MAX_RECORDING_BACKLOG) return;
    this.lastFrameAt = at;
    this.frames++;
    this.push(encodeRecord(RecordKind.Frame, at - this.started, bytes));
  }

  private push(record: Uint8Array): void {
    this.buffer.push(record);
    this.buffered += record.byteLength;
    if (this.buffered >= FLUSH_BYTES) this.flush();
  }

  private flush(ended = false): void {
    if (this.buffered > 0) {
      const chunk = Buffer.concat(this.buffer);
      this.buffer = [];
      this.buffered = 0;
      void this.file.append(chunk).catch(() => undefined);
    }
    this.progress({ durationMs: Math.round(this.now() - this.started), frames: this.frames, events: this.events, sites: [...this.sites], ended });
  }
}

