/**
 * Uploads into remote file inputs. When a page opens a file chooser, the session asks
 * the broker for a chooser id and tells the viewer; the user's file arrives by
 * POST /api/upload/:chooserId (gateway/http/upload.http.ts), waits on disk under the
 * session's upload directory, and the broker sets it on the input that asked for it.
 * Chromium reads the file only when the page submits it, so the directory lives as
 * long as the browser session.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

/** What the broker needs of a tab: its URL and the CDP call that fills the input. */
export interface UploadTab {
  readonly id: number;
  readonly state: { url: string };
  setFiles(backendNodeId: number, files: string[]): Promise<void>;
}

interface Chooser {
  tabId: number;
  backendNodeId: number;
  multiple: boolean;
}

export class UploadBroker {
  private readonly choosers = new Map<number, Chooser>();
  private nextId = 1;

  /** @param findTab the session's open tab by id (closed tabs are gone). */
  constructor(private readonly findTab: (tabId: number) => UploadTab | undefined) {}

  /** Registers a chooser a page opened; returns the id the viewer answers with. */
  open(tabId: number, chooser: { backendNodeId: number; multiple: boolean }): number {
    const id = this.nextId++;
    this.choosers.set(id, { tabId, ...chooser });
    return id;
  }

  /** The user dismissed the local file picker. */
  cancel(chooserId: number): void {
    this.choosers.delete(chooserId);
  }

  /** The page a chooser belongs to (for the audit record), or null if it is gone. */
  target(chooserId: number): { url: string } | null {
    const tab = this.tabOf(chooserId);
    return tab ? { url: tab.state.url } : null;
  }

  /** Hands a stored upload to the file input that asked for it; null if the chooser or its tab is gone. */
  async complete(chooserId: number, files: string[]): Promise<{ tabId: number; url: string } | null> {
    const chooser = this.choosers.get(chooserId);
    const tab = this.tabOf(chooserId);
    if (!chooser || !tab) return null;
    this.choosers.delete(chooserId);
    await tab.setFiles(chooser.backendNodeId, chooser.multiple ? files : files.slice(0, 1));
    return { tabId: tab.id, url: tab.state.url };
  }

  private tabOf(chooserId: number): UploadTab | undefined {
    const chooser = this.choosers.get(chooserId);
    return chooser ? this.findTab(chooser.tabId) : undefined;
  }
}

/**
 * Uploads of one browser session live under one directory, removed when the session
 * ends (Chromium reads the file only when the page submits it, so not earlier).
 */
export function sessionUploadDir(uploadRoot: string, sessionId: string): string {
  return path.join(uploadRoot, createHash('sha256').update(sessionId).digest('hex').slice(0, 32));
}

/** A file name safe to create on disk; the remote page sees this name. */
export function safeUploadName(raw: string): string {
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    name = raw;
  }
  name = path.basename(name.replace(/\\/g, '/')).replace(/[\p{Cc}\p{Cf}<>:"/\\|?*]/gu, '_').trim();
  if (!name || name === '.' || name === '..') name = 'upload';
  return name.slice(0, 200);
}
