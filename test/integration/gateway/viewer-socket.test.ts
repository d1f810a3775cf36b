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
});
