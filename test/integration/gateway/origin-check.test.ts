/**
 * Issue 9, item 15: the Origin check compares scheme, host and port with the gateway's
 * public address, on the viewer WebSocket and on state-changing requests. An `http://`
 * page of the same host (e.g. a network attacker's injected page) or a service on
 * another port of it must not reach the HTTPS gateway as "same origin".
 */
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, PASSWORD, signIn, type AppHarness } from './app-harness.js';

let h: AppHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Opens the viewer socket over TLS; resolves with the HTTP status of a refusal or 101. */
function upgrade(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/ws`, { headers, rejectUnauthorized: false });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.once('error', reject);
  });
}

describe('Origin check on the HTTPS listener', () => {
  it('refuses an http:// origin and another port of the same host on the viewer socket; accepts its own origin', async () => {
    h = await buildTestApp({}, { https: true });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = h.app.server.address() as AddressInfo;
    const host = `127.0.0.1:${port}`;
    const { cookie } = await signIn(h.app, host);
    expect(await upgrade(port, { origin: `http://${host}`, cookie })).toBe(403);
    expect(await upgrade(port, { origin: `https://127.0.0.1:${port === 65535 ? 1 : port + 1}`, cookie })).toBe(403);
    expect(await upgrade(port, { origin: 'https://127.0.0.1', cookie })).toBe(403);
    expect(await upgrade(port, { origin: `https://${host}`, cookie })).toBe(101);
  });

  it('refuses sign-in and CSRF-protected posts from an http:// origin or another port', async () => {
    h = await buildTestApp({}, { https: true });
    const host = 'kekkai.test:8443';
    const login = (origin: string) =>
      h!.app.inject({ method: 'POST', url: '/api/login', headers: { host, origin }, payload: { username: 'nurse', password: PASSWORD } });
    expect((await login('http://kekkai.test:8443')).statusCode).toBe(403);
    expect((await login('https://kekkai.test:9443')).statusCode).toBe(403);
    expect((await login('https://kekkai.test')).statusCode).toBe(403);
    expect((await login('https://kekkai.test:8443')).statusCode).toBe(200);

    const { cookie, csrf } = await signIn(h.app, host);
    const logout = (origin: string) =>
      h!.app.inject({ method: 'POST', url: '/api/logout', headers: { host, origin, cookie, 'x-kekkai-csrf': csrf } });
    expect((await logout('http://kekkai.test:8443')).statusCode).toBe(403);
    expect((await logout('https://kekkai.test:9443')).statusCode).toBe(403);
    expect((await h.app.inject({ url: '/api/me', headers: { host, cookie } })).statusCode).toBe(200);
  });

  it('with publicUrl set, only that exact origin passes, whatever the Host header says', async () => {
    h = await buildTestApp({ publicUrl: 'https://kekkai.hospital.example' });
    const login = (host: string, origin: string) =>
      h!.app.inject({ method: 'POST', url: '/api/login', headers: { host, origin }, payload: { username: 'nurse', password: PASSWORD } });
    // Behind the proxy the gateway sees its internal Host; the browser's Origin is the public one.
    expect((await login('10.0.0.7:8443', 'https://kekkai.hospital.example')).statusCode).toBe(200);
    expect((await login('kekkai.hospital.example', 'https://kekkai.hospital.example:443')).statusCode).toBe(200);
    expect((await login('kekkai.hospital.example', 'http://kekkai.hospital.example')).statusCode).toBe(403);
    expect((await login('kekkai.hospital.example:8443', 'https://kekkai.hospital.example:8443')).statusCode).toBe(403);
    expect((await login('evil.test', 'https://evil.test')).statusCode).toBe(403);
  });
});
