/**
 * A new tab Chromium opens (popup, target=_blank) that cannot be set up is logged
 * and closed, not dropped silently as an unhandled rejection with its page left open.
 */
import { EventEmitter } from 'node:events';
import type { BrowserContext, Page, Target } from 'puppeteer';
import { describe, expect, it, vi } from 'vitest';
import { BrowserSession } from '../../../../gateway/browser/browser-session.js';

const OPTIONS = { maxTabs: 10, jpegQuality: 80, maxDeviceScaleFactor: 2, clipboardToClient: true, clipboardFromClient: true, uploadEnabled: false };
const USER = { id: 1, name: 'staff', role: 'staff' as const, sourceIp: '127.0.0.1' };

function popupTarget(page: () => Promise<Page | null>): Target {
  return { type: () => 'page', url: () => 'https://example.test/popup', opener: () => undefined, page } as unknown as Target;
}

function sessionWithLog(context: EventEmitter, options = OPTIONS) {
  const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  new BrowserSession('s1', USER, context as unknown as BrowserContext, options, log);
  return log;
}

describe('BrowserSession adopting a new tab', () => {
  it('logs a popup whose page cannot be had', async () => {
    const context = new EventEmitter();
    const log = sessionWithLog(context);
    context.emit('targetcreated', popupTarget(() => Promise.reject(new Error('Target closed'))));
    await vi.waitFor(() => expect(log.warn).toHaveBeenCalledWith(expect.objectContaining({ sessionId: 's1', err: 'Error: Target closed' }), 'new tab could not be adopted'));
  });

  it('holds the tab cap against a popup flood: tabs still being set up count (issue 10)', async () => {
    const context = new EventEmitter();
    sessionWithLog(context, { ...OPTIONS, maxTabs: 2 });
    // Set-up of every tab stays pending, as when window.open() runs in a loop.
    const pages = Array.from({ length: 6 }, () => ({ createCDPSession: () => new Promise(() => undefined), close: vi.fn(async () => undefined) }));
    for (const page of pages) context.emit('targetcreated', popupTarget(async () => page as unknown as Page));
    await vi.waitFor(() => expect(pages.filter((p) => p.close.mock.calls.length > 0)).toHaveLength(4));
    expect(pages.slice(0, 2).every((p) => p.close.mock.calls.length === 0)).toBe(true);
  });

  it('logs and closes a popup whose tab set-up fails', async () => {
    const context = new EventEmitter();
    const log = sessionWithLog(context);
    const close = vi.fn(async () => undefined);
    const page = { createCDPSession: () => Promise.reject(new Error('Session closed')), close } as unknown as Page;
    context.emit('targetcreated', popupTarget(async () => page));
    await vi.waitFor(() => expect(log.warn).toHaveBeenCalledWith(expect.objectContaining({ err: 'Error: Session closed' }), 'new tab could not be adopted'));
    expect(close).toHaveBeenCalled();
  });
});
