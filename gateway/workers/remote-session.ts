/**
 * A browser session that lives on a worker, as the control plane sees it: the viewer
 * WebSocket, the consoles, the upload route and the download path use it exactly like
 * an in-process BrowserSession. Input goes to the worker; what the worker sends for
 * the viewer comes back through `deliver`. URL, title and tab count for the consoles
 * are read off the navigation messages passing through.
 */
import type { ClientMessage, ServerMessage, SessionEndReason, Viewport } from '../../protocol/index.js';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { MAX_UPLOAD_FILES, TRANSFER_CHUNK_BYTES, type ToWorker, type WorkerUser } from '../../protocol/worker-messages.js';
import type { SessionSummary, Viewer } from '../browser/browser-session.js';
import { message } from '../i18n/messages.js';

/** What a session needs of the worker that holds it. */
export interface SessionHost {
  readonly id: number;
  send(msg: ToWorker): void;
  /** Sends bulk bytes (upload chunks) once the channel has room: never floods it. */
  sendBulk(msg: ToWorker): Promise<void>;
  request(msg: DistributiveOmit<Extract<ToWorker, { rid: number }>, 'rid'>): Promise<unknown>;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Viewer messages that carry no reply and need not wait for the worker. */
const FIRE_AND_FORGET = new Set<ClientMessage['type']>(['ack', 'keyframe']);
/** File choosers remembered per session (the newest ones; a page may open many). */
const MAX_CHOOSERS = 20;

export class RemoteSession {
  private viewer: Viewer | null = null;
  private readonly choosers = new Map<number, string>();
  private readonly createdAt = new Date().toISOString();
  private url = '';
  private title = '';
  private tabs = 1;
  lastActivity = Date.now();
  ended = false;

  constructor(
    readonly id: string,
    readonly user: WorkerUser,
    readonly host: SessionHost,
  ) {}

  async attach(viewer: Viewer, viewport: Viewport): Promise<void> {
    const previous = this.viewer;
    if (previous && previous !== viewer) {
      previous.sendMessage({ type: 'session-ended', reason: 'replaced', message: message('replaced') });
      previous.close();
    }
    this.viewer = viewer;
    this.lastActivity = Date.now();
    await this.host.request({ t: 'attach', sid: this.id, viewport });
  }

  detach(viewer: Viewer): void {
    if (this.viewer !== viewer) return;
    this.viewer = null;
    this.host.send({ t: 'detach', sid: this.id });
  }

  async handle(msg: ClientMessage): Promise<void> {
    if (msg.type !== 'ack' && msg.type !== 'keyframe') this.lastActivity = Date.now();
    if (FIRE_AND_FORGET.has(msg.type)) {
      this.host.send({ t: 'input', rid: 0, sid: this.id, msg });
      return;
    }
    await this.host.request({ t: 'input', sid: this.id, msg });
  }

  /** A message from the control plane itself (download progress, a released file). */
  send(msg: ServerMessage): void {
    this.viewer?.sendMessage(msg);
  }

  /** A message the worker's session sent for the viewer. */
  deliver(msg: ServerMessage): void {
    if (msg.type === 'nav-state') {
      this.url = msg.url;
      this.title = msg.title;
    } else if (msg.type === 'tabs') {
      this.tabs = msg.tabs.length;
    }
    this.viewer?.sendMessage(msg);
  }

  deliverFrame(bytes: Uint8Array): void {
    this.viewer?.sendFrame(bytes);
  }

  /** The worker closed the viewer (session ended, or replaced there). */
  closeViewer(): void {
    const viewer = this.viewer;
    this.viewer = null;
    viewer?.close();
  }

  /** The worker holding this session died: tell the viewer and let go of it. */
  lost(): void {
    this.ended = true;
    const viewer = this.viewer;
    this.viewer = null;
    viewer?.sendMessage({ type: 'session-ended', reason: 'browser-crashed', message: message('browser-crashed') });
    viewer?.close();
  }

  rememberChooser(chooserId: number, url: string): void {
    this.choosers.set(chooserId, url);
    if (this.choosers.size > MAX_CHOOSERS) this.choosers.delete(this.choosers.keys().next().value!);
  }

  /** File choosers of this session's pages, as the upload route uses them (UploadBroker's shape). */
  readonly uploads = {
    target: (chooserId: number): { url: string } | null => {
      const url = this.choosers.get(chooserId);
      return url === undefined ? null : { url };
    },
    complete: async (chooserId: number, files: string[]): Promise<{ tabId: number; url: string } | null> => {
      if (!this.choosers.has(chooserId)) return null;
      this.choosers.delete(chooserId);
      if (files.length > MAX_UPLOAD_FILES) return null;
      // The files travel as bytes: a worker on another machine cannot read this one's disk.
      const sent: Array<{ name: string; size: number; sha256: string }> = [];
      for (const [index, file] of files.entries()) {
        const name = path.basename(file);
        const size = (await stat(file)).size;
        const hash = createHash('sha256');
        let chunks = 0;
        for await (const chunk of createReadStream(file, { highWaterMark: TRANSFER_CHUNK_BYTES })) {
          const data = chunk as Buffer;
          hash.update(data);
          await this.host.sendBulk({ t: 'upload-chunk', sid: this.id, chooserId, index, name, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
          chunks++;
        }
        if (chunks === 0) await this.host.sendBulk({ t: 'upload-chunk', sid: this.id, chooserId, index, name, data: new Uint8Array(0) });
        // The worker checks size and hash before it hands the file to the page.
        sent.push({ name, size, sha256: hash.digest('hex') });
      }
      const result = (await this.host.request({ t: 'upload', sid: this.id, chooserId, files: sent })) as { tabId: number; url: string } | null;
      return result && typeof result.tabId === 'number' && typeof result.url === 'string' ? result : null;
    },
  };

  async end(reason: SessionEndReason): Promise<void> {
    await this.host.request({ t: 'end', sid: this.id, reason });
  }

  summary(): SessionSummary {
    return {
      id: this.id,
      user: { id: this.user.id, name: this.user.name, role: this.user.role },
      sourceIp: this.user.sourceIp,
      url: this.url,
      title: this.title,
      tabs: this.tabs,
      since: this.createdAt,
      lastActivity: new Date(this.lastActivity).toISOString(),
      connected: this.viewer !== null,
    };
  }
}
