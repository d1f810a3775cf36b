import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../../protocol/index.js';
import { buildTestApp, signIn, type AppHarness } from './app-harness.js';

let h: AppHarness;
let base: string;
let hostHeader: string;

beforeEach(async () => {
  h = await buildTestApp();
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = h.app.server.address() as AddressInfo;
  hostHeader = `127.0.0.1:${port}`;
  base = `ws://${hostHeader}/ws`;
});
afterEach(async () => {
  await h.close();
});

function connect(headers: Record<string, string>): Promise<{ ws: WebSocket; messages: Array<Record<string, unknown>> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(base, { headers });
    const messages: Array<Record<string, unknown>> = [];
    ws.on('message', (data, isBinary) => {
      if (!isBinary) messages.push(JSON.parse(String(data)) as Record<string, unknown>);
    });
    ws.once('open', () => resolve({ ws, messages }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

async function until<T>(fn: () => T | undefined, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timeout');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const hello = { type: 'hello', version: PROTOCOL_VERSION, viewport: { width: 1024, height: 700, dpr: 2 } };

describe('viewer WebSocket', () => {
  it('refuses connections without a session or from another origin', async () => {
    await expect(connect({ origin: `https://${hostHeader}` })).rejects.toThrow('HTTP 401');
    const { cookie } = await signIn(h.app, hostHeader);
    await expect(connect({ origin: 'https://evil.test', cookie })).rejects.toThrow('HTTP 403');
    await expect(connect({ cookie })).rejects.toThrow('HTTP 403');
  });

  it('welcomes after hello and attaches the session with the client viewport', async () => {
    const { cookie } = await signIn(h.app, hostHeader);
    const { ws, messages } = await connect({ origin: `https://${hostHeader}`, cookie });
    ws.send(JSON.stringify(hello));
    const welcome = await until(() => messages.find((m) => m.type === 'welcome'));
    expect(welcome).toMatchObject({ resumed: false, user: { name: 'nurse', role: 'staff' }, capabilities: { upload: false } });
    const session = [...h.sessions.sessions.values()][0]!;
    expect(session.viewport).toEqual(hello.viewport);
    ws.close();
  });

  it('answers malformed, unknown, oversized and binary messages with an error and stays up', async () => {
    const { cookie } = await signIn(h.app, hostHeader);
    const { ws, messages } = await connect({ origin: `https://${hostHeader}`, cookie });
    ws.send(JSON.stringify(hello));
    await until(() => messages.find((m) => m.type === 'welcome'));
    ws.send('{not json');
    ws.send(JSON.stringify({ type: 'eval', code: '1' }));
    ws.send(JSON.stringify({ type: 'pointer', action: 'down', x: 'a' }));
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await until(() => (messages.filter((m) => m.code === 'bad-message').length === 4 ? true : undefined));
    // A failure inside the session is reported, not fatal.
    ws.send(JSON.stringify({ type: 'navigate', url: 'boom' }));
    await until(() => messages.find((m) => m.code === 'internal-error'));
    ws.send(JSON.stringify({ type: 'navigate', url: 'example.jp' }));
    const session = [...h.sessions.sessions.values()][0]!;
    await until(() => session.handled.find((m) => m.type === 'navigate'));
    const error = messages.find((m) => m.code === 'bad-message') as { message: { ja: string; en: string } };
    expect(error.message.ja).toContain('不正');
    expect(error.message.en).toContain('malformed');
    ws.close();
  });

  it('closes a connection whose message exceeds the size limit', async () => {
    const { cookie } = await signIn(h.app, hostHeader);
    const { ws } = await connect({ origin: `https://${hostHeader}`, cookie });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify({ type: 'paste', text: 'x'.repeat(300 * 1024) }));
    expect(await closed).toBe(1009);
  });

  it('tells a viewer page older than the gateway (protocol 1: whole-JPEG frames) to reload, in Japanese, and closes', async () => {
    const { cookie } = await signIn(h.app, hostHeader);
    const { ws, messages } = await connect({ origin: `https://${hostHeader}`, cookie });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify({ ...hello, version: 1 }));
    expect(await closed).toBe(4426);
    const error = messages.find((m) => m.type === 'error');
    expect(error).toMatchObject({ code: 'client-outdated', message: { ja: expect.stringContaining('再読み込み') } });
    expect(h.sessions.sessions.size).toBe(0);
  });

  it('refuses input before hello', async () => {
    const { cookie } = await signIn(h.app, hostHeader);
    const { ws, messages } = await connect({ origin: `https://${hostHeader}`, cookie });
    ws.send(JSON.stringify({ type: 'navigate', url: 'example.jp' }));
    await until(() => messages.find((m) => m.code === 'not-ready'));
    ws.close();
  });

  it('closes an open viewer once its sign-in is revoked', async () => {
    await h.close();
    h = await buildTestApp({}, { viewerRecheckMs: 100 });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = h.app.server.address() as AddressInfo;
    hostHeader = `127.0.0.1:${port}`;
    base = `ws://${hostHeader}/ws`;
    const { cookie } = await signIn(h.app, hostHeader);
    const { ws, messages } = await connect({ origin: `https://${hostHeader}`, cookie });
    ws.send(JSON.stringify(hello));
    await until(() => messages.find((m) => m.type === 'welcome'));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const user = h.store.users.findByName('nurse')!;
    h.store.authSessions.deleteForUser(user.id);
    expect(await closed).toBe(4401);
    expect(messages.find((m) => m.type === 'session-ended')).toMatchObject({ reason: 'terminated' });
    expect(h.sessions.ended).toHaveLength(1);
  });

  it('resumes the same browser session on reconnect', async () => {
    const { cookie } = await signIn(h.app, hostHeader);
    const first = await connect({ origin: `https://${hostHeader}`, cookie });
    first.ws.send(JSON.stringify(hello));
    await until(() => first.messages.find((m) => m.type === 'welcome'));
    first.ws.close();
    const second = await connect({ origin: `https://${hostHeader}`, cookie });
    second.ws.send(JSON.stringify(hello));
    const welcome = await until(() => second.messages.find((m) => m.type === 'welcome'));
    expect(welcome.resumed).toBe(true);
    expect(h.sessions.sessions.size).toBe(1);
    second.ws.close();
  });

  it('bounds what a flood of pastes to a hung page holds, says so once, and frees it on close', async () => {
    const { cookie } = await signIn(h.app, hostHeader);
    const { ws, messages } = await connect({ origin: `https://${hostHeader}`, cookie });
    ws.send(JSON.stringify(hello));
    await until(() => messages.find((m) => m.type === 'welcome'));
    const session = [...h.sessions.sessions.values()][0]!;
    session.hung = true;
    const paste = JSON.stringify({ type: 'paste', text: 'x'.repeat(100_000) });
    let peak = { queued: 0, queuedBytes: 0 };
    for (let i = 0; i < 60; i++) {
      ws.send(paste);
      await new Promise((r) => setImmediate(r));
      const s = h.inputQueues.stats();
      peak = { queued: Math.max(peak.queued, s.queued), queuedBytes: Math.max(peak.queuedBytes, s.queuedBytes) };
    }
    const dropped = await until(() => messages.find((m) => m.type === 'notice' && m.code === 'input-dropped'));
    expect(dropped.message).toMatchObject({ ja: expect.stringContaining('破棄'), en: expect.stringContaining('discarded') });
    const s = h.inputQueues.stats();
    peak = { queued: Math.max(peak.queued, s.queued), queuedBytes: Math.max(peak.queuedBytes, s.queuedBytes) };
    expect(peak.queued).toBeGreaterThan(0);
    expect(peak.queuedBytes).toBeLessThanOrEqual(1024 * 1024);
    expect(peak.queued).toBeLessThanOrEqual(256);
    // The notice about drops is itself rate-limited.
    expect(messages.filter((m) => m.code === 'input-dropped')).toHaveLength(1);

    // Answers to dialogs do not wait behind the hung input.
    await new Promise((r) => setTimeout(r, 200));
    ws.send(JSON.stringify({ type: 'dialog-reply', dialogId: 1, accept: true }));
    await until(() => session.handled.find((m) => m.type === 'dialog-reply'));

    // Closing drops everything queued; nothing is delivered to the page afterwards.
    const handledAtClose = session.handled.filter((m) => m.type === 'paste').length;
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.close();
    await closed;
    await until(() => (h.inputQueues.stats().connections === 0 ? true : undefined));
    expect(h.inputQueues.stats()).toEqual({ connections: 0, queued: 0, queuedBytes: 0 });
    await new Promise((r) => setTimeout(r, 3500));
    expect(session.handled.filter((m) => m.type === 'paste').length).toBe(handledAtClose);
    expect(handledAtClose).toBeLessThanOrEqual(2);
  });

  it('drops a message flood with a notice and closes the socket when it goes on', async () => {
    const { cookie } = await signIn(h.app, hostHeader);
    const { ws, messages } = await connect({ origin: `https://${hostHeader}`, cookie });
    ws.send(JSON.stringify(hello));
    await until(() => messages.find((m) => m.type === 'welcome'));
    const session = [...h.sessions.sessions.values()][0]!;
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const sent = 20_000;
    for (let i = 0; i < sent; i++) {
      ws.send(JSON.stringify({ type: 'pointer', action: 'move', x: i % 1000, y: 10, button: 'none', buttons: 0, clickCount: 0, modifiers: 0 }));
    }
    expect(await closed).toBe(4429);
    expect(messages.find((m) => m.code === 'rate-limited')).toMatchObject({ type: 'notice' });
    expect(messages.find((m) => m.code === 'rate-limit-closed')).toMatchObject({ type: 'error', message: { ja: expect.stringContaining('切断') } });
    expect(session.handled.length).toBeLessThan(1000);
    expect(messages.filter((m) => m.code === 'rate-limited').length).toBeLessThanOrEqual(2);
    await until(() => (h.inputQueues.stats().connections === 0 ? true : undefined));
  });
});
