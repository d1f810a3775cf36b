/**
 * Routes Chromium's download events to the right user's session and on to the
 * download manager (scan, sanitize, one-time link). Chromium reports downloads
 * browser-wide without a context id, so a download is attributed by the frame
 * that started it, or failing that by the per-session directory it lands in.
 * Anything that cannot be attributed is deleted: nothing unscanned stays around.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext } from 'puppeteer';
import type { DownloadManager } from '../downloads/download-manager.js';
import type { Actor } from '../actor.js';
import type { Logger } from '../logging.js';
import type { ChromiumHost, DownloadEvent } from './chromium-host.js';

/** Where downloads go: the download manager, or in a browser worker, the channel to the control plane. */
export type DownloadSink = Pick<DownloadManager, 'downloadDir' | 'onWillBegin' | 'onProgress' | 'endSession'>;

export interface DownloadSessionLookup {
  /** The session and its context whose tab has this main frame, and whether downloads are allowed there. */
  byFrame(frameId: string): { sessionId: string; context: BrowserContext; allowed: boolean } | undefined;
  /** Whether URL policy lets this session's user download from `url` (capability `download`). */
  allows(sessionId: string, url: string): boolean;
}

/** Hands a file that did not come from Chromium's download path (a printed page) to the pipeline. */
export async function injectFile(downloads: DownloadSink, sessionId: string, name: string, bytes: Uint8Array, url: string, guid: string = randomUUID()): Promise<void> {
  const dir = downloads.downloadDir(sessionId);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(path.join(dir, guid), bytes, { mode: 0o600 });
  downloads.onWillBegin(sessionId, { guid, url, suggestedFilename: name });
  downloads.onProgress(sessionId, { guid, receivedBytes: bytes.length, totalBytes: bytes.length, state: 'completed' });
}

export class DownloadRouter {
  private readonly owners = new Map<string, string>();
  private readonly dirs = new Map<string, string>();
  /** Downloads whose frame was not a known main frame (iframes): attributed on completion. */
  private readonly unattributed = new Map<string, { url: string; suggestedFilename: string }>();

  constructor(
    private readonly host: ChromiumHost,
    private readonly downloads: DownloadSink,
    private readonly sessions: DownloadSessionLookup,
    private readonly log: Logger,
  ) {
    host.onDownload((event) => void this.route(event).catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'download routing failed')));
  }

  /** Opens downloads for a session's context into its own directory. */
  async attach(sessionId: string, context: BrowserContext, owner: Actor): Promise<void> {
    const dir = this.downloads.downloadDir(sessionId, { userId: owner.id, userName: owner.name, role: owner.role, sourceIp: owner.sourceIp });
    this.dirs.set(path.resolve(dir), sessionId);
    await this.host.setDownloadDir(context, dir);
  }

  async detach(sessionId: string, context: BrowserContext): Promise<void> {
    await this.host.releaseContext(context);
    for (const [dir, id] of this.dirs) if (id === sessionId) this.dirs.delete(dir);
    for (const [guid, id] of this.owners) if (id === sessionId) this.owners.delete(guid);
    await this.downloads.endSession(sessionId);
  }

  /** Puts a file the gateway made (a printed page) through the same pipeline as a download. */
  async inject(sessionId: string, name: string, bytes: Uint8Array, url: string): Promise<void> {
    await injectFile(this.downloads, sessionId, name, bytes, url);
  }

  private async route(event: DownloadEvent): Promise<void> {
    if (event.kind === 'begin') {
      const found = this.sessions.byFrame(event.frameId);
      if (!found) {
        // Attributed on completion by its directory, or deleted.
        this.unattributed.set(event.guid, { url: event.url, suggestedFilename: event.suggestedFilename });
        if (this.unattributed.size > 1000) this.unattributed.delete(this.unattributed.keys().next().value!);
        return;
      }
      this.owners.set(event.guid, found.sessionId);
      this.downloads.onWillBegin(found.sessionId, { guid: event.guid, url: event.url, suggestedFilename: event.suggestedFilename });
      if (!found.allowed || !this.sessions.allows(found.sessionId, event.url)) await this.host.cancelDownload(event.guid, found.context);
      return;
    }
    let sessionId = this.owners.get(event.guid);
    if (!sessionId && event.state === 'completed' && event.filePath) {
      sessionId = this.dirs.get(path.dirname(path.resolve(event.filePath)));
      if (!sessionId) {
        this.log.warn({ guid: event.guid }, 'download of no known session deleted');
        await rm(event.filePath, { force: true });
        return;
      }
      const begin = this.unattributed.get(event.guid);
      this.unattributed.delete(event.guid);
      this.downloads.onWillBegin(sessionId, { guid: event.guid, url: begin?.url ?? '', suggestedFilename: begin?.suggestedFilename ?? 'download' });
      // An iframe's download is judged by its own URL (no main frame to take flags from).
      if (!begin || !this.sessions.allows(sessionId, begin.url)) {
        await rm(event.filePath, { force: true });
        this.downloads.onProgress(sessionId, { guid: event.guid, receivedBytes: event.receivedBytes, totalBytes: event.totalBytes, state: 'canceled' });
        return;
      }
    }
    if (!sessionId) return;
    if (event.state !== 'inProgress') this.owners.delete(event.guid);
    this.downloads.onProgress(sessionId, { guid: event.guid, receivedBytes: event.receivedBytes, totalBytes: event.totalBytes, state: event.state });
  }
}
