import { describe, expect, it } from 'vitest';
import { safeUploadName, sessionUploadDir, UploadBroker, type UploadTab } from '../../../../gateway/browser/upload-broker.js';

class FakeTab implements UploadTab {
  readonly set: { backendNodeId: number; files: string[] }[] = [];
  constructor(
    readonly id: number,
    readonly state = { url: `https://example.jp/form${id}` },
  ) {}
  async setFiles(backendNodeId: number, files: string[]): Promise<void> {
    this.set.push({ backendNodeId, files });
  }
}

function setup() {
  const tabs = new Map<number, FakeTab>([[1, new FakeTab(1)], [2, new FakeTab(2)]]);
  return { tabs, broker: new UploadBroker((id) => tabs.get(id)) };
}

describe('UploadBroker', () => {
  it('sets the file on the input of the tab that opened the chooser, once', async () => {
    const { tabs, broker } = setup();
    const id = broker.open(2, { backendNodeId: 42, multiple: false });
    expect(broker.target(id)).toEqual({ url: 'https://example.jp/form2' });
    expect(await broker.complete(id, ['/u/a.pdf', '/u/b.pdf'])).toEqual({ tabId: 2, url: 'https://example.jp/form2' });
    // A single-file input gets one file.
    expect(tabs.get(2)!.set).toEqual([{ backendNodeId: 42, files: ['/u/a.pdf'] }]);
    expect(await broker.complete(id, ['/u/a.pdf'])).toBeNull();
    expect(broker.target(id)).toBeNull();
  });

  it('gives a multiple-file input all files', async () => {
    const { tabs, broker } = setup();
    const id = broker.open(1, { backendNodeId: 7, multiple: true });
    await broker.complete(id, ['/u/a', '/u/b']);
    expect(tabs.get(1)!.set[0]!.files).toEqual(['/u/a', '/u/b']);
  });

  it('refuses a cancelled chooser, one whose tab closed, and ids it never gave out', async () => {
    const { tabs, broker } = setup();
    const cancelled = broker.open(1, { backendNodeId: 1, multiple: false });
    broker.cancel(cancelled);
    const closing = broker.open(2, { backendNodeId: 2, multiple: false });
    tabs.delete(2);
    expect(broker.target(closing)).toBeNull();
    expect(await broker.complete(cancelled, ['/u/x'])).toBeNull();
    expect(await broker.complete(closing, ['/u/x'])).toBeNull();
    expect(await broker.complete(999, ['/u/x'])).toBeNull();
    expect(tabs.get(1)!.set).toEqual([]);
  });
});

describe('upload files on disk', () => {
  it('names a session directory by a hash, never by the session token', () => {
    const dir = sessionUploadDir('/data/uploads', 'secret-session-id');
    expect(dir.startsWith('/data/uploads/')).toBe(true);
    expect(dir).not.toContain('secret');
    expect(sessionUploadDir('/data/uploads', 'secret-session-id')).toBe(dir);
  });

  it('keeps upload names inside their directory and free of control characters', () => {
    expect(safeUploadName('..%2F..%2Fetc%2Fpasswd')).toBe('passwd');
    expect(safeUploadName('C:\\\\Users\\\\紹介状.pdf')).toBe('紹介状.pdf');
    expect(safeUploadName('a\u202Etxt.exe')).toBe('a_txt.exe');
    expect(safeUploadName('..')).toBe('upload');
  });
});
