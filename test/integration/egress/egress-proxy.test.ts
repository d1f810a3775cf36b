import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startEgressProxy, type EgressDecisionEvent, type EgressProxy, type EgressProxyOptions } from '../../../gateway/egress/egress-proxy.js';
import { closedPort, openTunnel, proxyGet, rawExchange, requestThroughTunnel, startFixture, type Fixture } from './egress-helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function fixture(): Promise<Fixture> {
  const f = await startFixture();
  cleanups.push(() => f.close());
  return f;
}

async function proxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const p = await startEgressProxy(options);
  cleanups.push(() => p.close());
  return p;
}

describe('egress proxy: forward (absolute-form) HTTP', () => {
  it('forwards to an allow-listed loopback fixture, without proxy credentials or hop-by-hop headers', async () => {
    const f = await fixture();
    const p = await proxy({ allowPrivate: ['127.0.0.0/8'], allowedPorts: [f.port] });
    expect(p.host).toBe('127.0.0.1');
    const res = await proxyGet(
      p.port,
      `http://127.0.0.1:${f.port}/page?q=1`,
      'Proxy-Authorization: Basic c2VjcmV0\r\nProxy-Connection: keep-alive\r\nX-Secret-Hop: 1\r\nConnection: close, X-Secret-Hop\r\nX-Kept: yes\r\n',
    );
    expect(res.status).toBe(200);
    expect(res.body).toBe('fixture says hello to /page?q=1');
    expect(res.headers['x-fixture']).toBe('yes');
    expect(res.headers['proxy-authenticate']).toBeUndefined();
    expect(res.headers['keep-alive']).toBeUndefined();
    expect(f.seen).toHaveLength(1);
    const seen = f.seen[0]!;
    expect(seen.url).toBe('/page?q=1');
    expect(seen.headers.host).toBe(`127.0.0.1:${f.port}`);
    expect(seen.headers['x-kept']).toBe('yes');
    expect(seen.headers['proxy-authorization']).toBeUndefined();
    expect(seen.headers['proxy-connection']).toBeUndefined();
    expect(seen.headers['x-secret-hop']).toBeUndefined();
  });

  it('refuses loopback with 403 and a plain-text reason when nothing is allow-listed', async () => {
    const f = await fixture();
    const p = await proxy({ allowedPorts: [f.port] });
    const res = await proxyGet(p.port, `http://127.0.0.1:${f.port}/`);
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('loopback');
    expect(f.seen).toHaveLength(0);
  });

  it.each(['2130706433', '0x7f.0.0.1', '0177.0.0.1', '127.1', '[::ffff:127.0.0.1]', '[::127.0.0.1]', '[64:ff9b::7f00:1]', '[2002:7f00:1::]'])(
    'refuses the loopback form %s',
    async (host) => {
      const f = await fixture();
      const p = await proxy({ allowedPorts: [f.port] });
      const res = await proxyGet(p.port, `http://${host}:${f.port}/`);
      expect(res.status).toBe(403);
      expect(f.seen).toHaveLength(0);
    },
  );

  it('refuses a port that is not in allowedPorts, even for an allow-listed address', async () => {
    const f = await fixture();
    const p = await proxy({ allowPrivate: ['127.0.0.0/8'] });
    const res = await proxyGet(p.port, `http://127.0.0.1:${f.port}/`);
    expect(res.status).toBe(403);
    expect(res.body).toContain(`port ${f.port}`);
    expect(f.seen).toHaveLength(0);
  });

  it('lets the decide hook refuse by URL and passes it the path and checked addresses', async () => {
    const f = await fixture();
    const asked: unknown[] = [];
    const p = await proxy({
      allowPrivate: ['127.0.0.0/8'],
      allowedPorts: [f.port],
      decide: (req) => (asked.push(req), req.path?.startsWith('/admin') ? { allow: false, reason: 'rule no-admin' } : { allow: true, reason: 'ok' }),
    });
    const blocked = await proxyGet(p.port, `http://127.0.0.1:${f.port}/admin/x`);
    expect(blocked.status).toBe(403);
    expect(blocked.body).toContain('rule no-admin');
    const ok = await proxyGet(p.port, `http://127.0.0.1:${f.port}/public`);
    expect(ok.status).toBe(200);
    expect(asked[0]).toEqual({ scheme: 'http', host: '127.0.0.1', port: f.port, path: '/admin/x', addresses: ['127.0.0.1'] });
    expect(f.seen.map((s) => s.url)).toEqual(['/public']);
  });

  it('answers 502 when the allow-listed upstream refuses the connection', async () => {
    const port = await closedPort();
    const p = await proxy({ allowPrivate: ['127.0.0.0/8'], allowedPorts: [port] });
    const res = await proxyGet(p.port, `http://127.0.0.1:${port}/`);
    expect(res.status).toBe(502);
  });
});

describe('egress proxy: CONNECT', () => {
  it('tunnels to an allow-listed fixture', async () => {
    const f = await fixture();
    const p = await proxy({ allowPrivate: ['127.0.0.0/8'], allowedPorts: [f.port] });
    const t = await openTunnel(p.port, `127.0.0.1:${f.port}`);
    expect(t.status).toBe(200);
    const res = await requestThroughTunnel(t.socket, `127.0.0.1:${f.port}`, '/through-tunnel');
    expect(res.status).toBe(200);
    expect(res.body).toBe('fixture says hello to /through-tunnel');
  });

  it('refuses loopback with 403 when not allow-listed, and a mapped IPv6 form too', async () => {
    const f = await fixture();
    const p = await proxy({ allowedPorts: [f.port] });
    for (const target of [`127.0.0.1:${f.port}`, `[::ffff:127.0.0.1]:${f.port}`, `localhost:${f.port}`]) {
      const t = await openTunnel(p.port, target);
      expect(t.status, target).toBe(403);
    }
    expect(f.seen).toHaveLength(0);
  });

  it("refuses the gateway's own port even when its address is allow-listed", async () => {
    const gateway = http.createServer((_req, res) => res.end('gateway'));
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => gateway.close(() => r())));
    const gatewayPort = (gateway.address() as AddressInfo).port;
    const p = await proxy({ allowPrivate: ['127.0.0.0/8'], allowedPorts: [gatewayPort], ownEndpoints: [{ address: '127.0.0.1', port: gatewayPort }] });
    const t = await openTunnel(p.port, `127.0.0.1:${gatewayPort}`);
    expect(t.status).toBe(403);
    expect(t.body).toContain('gateway itself');
    // Without an address the endpoint covers every local address, including other loopback ones.
    const p2 = await proxy({ allowPrivate: ['127.0.0.0/8'], allowedPorts: [gatewayPort], ownEndpoints: [{ port: gatewayPort }] });
    expect((await openTunnel(p2.port, `127.0.0.2:${gatewayPort}`)).status).toBe(403);
  });

  it('refuses a tunnel to the proxy itself', async () => {
    const p = await proxy({ allowPrivate: ['127.0.0.0/8'] });
    const t = await openTunnel(p.port, `127.0.0.1:${p.port}`);
    expect(t.status).toBe(403);
    expect(t.body).toContain('gateway itself');
  });

  it('refuses a port that is not in allowedPorts', async () => {
    const f = await fixture();
    const p = await proxy({ allowPrivate: ['127.0.0.0/8'] });
    const t = await openTunnel(p.port, `127.0.0.1:${f.port}`);
    expect(t.status).toBe(403);
    expect(t.body).toContain(`port ${f.port} is not allowed`);
    expect(f.seen).toHaveLength(0);
  });
});

describe('egress proxy: name resolution', () => {
  it('refuses a public-looking name that resolves to a private address (wildcard DNS / rebinding)', async () => {
    const f = await fixture();
    const events: EgressDecisionEvent[] = [];
    const p = await proxy({ allowedPorts: [f.port], resolve: async () => ['127.0.0.1'], onDecision: (e) => events.push(e) });
    const t = await openTunnel(p.port, `www.public-looking.example:${f.port}`);
    expect(t.status).toBe(403);
    const res = await proxyGet(p.port, `http://www.public-looking.example:${f.port}/`);
    expect(res.status).toBe(403);
    expect(f.seen).toHaveLength(0);
    expect(events.map((e) => [e.kind, e.host, e.allowed, e.code, e.addresses])).toEqual([
      ['connect', 'www.public-looking.example', false, 'address', ['127.0.0.1']],
      ['http', 'www.public-looking.example', false, 'address', ['127.0.0.1']],
    ]);
  });

  it('refuses when any one of several resolved addresses is denied', async () => {
    const f = await fixture();
    const p = await proxy({ allowedPorts: [f.port], resolve: async () => ['93.184.216.34', '::ffff:10.0.0.1'] });
    const t = await openTunnel(p.port, `mixed.example:${f.port}`);
    expect(t.status).toBe(403);
    expect(t.body).toContain('10.0.0.1');
  });

  it('connects to the address it checked and never resolves twice', async () => {
    const f = await fixture();
    let calls = 0;
    // A rebinding resolver: first answer is the allow-listed fixture, any later answer the metadata service.
    const resolve = async (): Promise<string[]> => (calls++ === 0 ? ['127.0.0.1'] : ['169.254.169.254']);
    const p = await proxy({ allowPrivate: ['127.0.0.1/32'], allowedPorts: [f.port], resolve });
    const res = await proxyGet(p.port, `http://intranet.example:${f.port}/x`);
    expect(res.status).toBe(200);
    expect(calls).toBe(1);
    expect(f.seen[0]?.headers.host).toBe(`intranet.example:${f.port}`);
  });

  it('answers 502 when the name does not resolve, and does not consult the resolver for IP literals', async () => {
    const f = await fixture();
    const asked: string[] = [];
    const p = await proxy({
      allowPrivate: ['127.0.0.0/8'],
      allowedPorts: [f.port],
      resolve: async (h) => (asked.push(h), Promise.reject(new Error('ENOTFOUND'))),
    });
    expect((await openTunnel(p.port, `nowhere.example:${f.port}`)).status).toBe(502);
    expect((await openTunnel(p.port, `127.0.0.1:${f.port}`)).status).toBe(200);
    expect(asked).toEqual(['nowhere.example']);
  });
});

describe('egress proxy: robustness', () => {
  it('survives malformed input and keeps serving', async () => {
    const f = await fixture();
    const p = await proxy({ allowPrivate: ['127.0.0.0/8'], allowedPorts: [f.port] });
    expect((await rawExchange(p.port, 'THIS IS NOT HTTP\r\n\r\n')).status).toBe(400);
    expect((await rawExchange(p.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')).status).toBe(400);
    expect((await rawExchange(p.port, 'GET https://127.0.0.1/ HTTP/1.1\r\nHost: x\r\n\r\n')).status).toBe(400);
    expect((await rawExchange(p.port, 'GET http://user:pw@127.0.0.1/ HTTP/1.1\r\nHost: x\r\n\r\n')).status).toBe(400);
    for (const bad of ['no-port', 'a b:80', '[::1:443', 'host:99999', 'user@host:443', ':443']) {
      expect((await rawExchange(p.port, `CONNECT ${bad} HTTP/1.1\r\nHost: x\r\n\r\n`)).status, bad).toBe(400);
    }
    expect((await rawExchange(p.port, `GET http://exa mple.test/ HTTP/1.1\r\n\r\n`)).status).toBe(400);
    // A client that resets in the middle of a CONNECT.
    const { socket } = await openTunnel(p.port, `127.0.0.1:${f.port}`);
    socket.resetAndDestroy();
    const ok = await proxyGet(p.port, `http://127.0.0.1:${f.port}/still-alive`);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('/still-alive');
  });

  it('rejects an invalid allowPrivate entry at start-up, naming it', async () => {
    await expect(startEgressProxy({ allowPrivate: ['10.0.0.0/33'] })).rejects.toThrow(/10\.0\.0\.0\/33/);
  });

  it('close() ends open tunnels', async () => {
    const f = await fixture();
    const p = await startEgressProxy({ allowPrivate: ['127.0.0.0/8'], allowedPorts: [f.port] });
    const t = await openTunnel(p.port, `127.0.0.1:${f.port}`);
    expect(t.status).toBe(200);
    const closed = new Promise<void>((r) => t.socket.on('close', () => r()));
    await p.close();
    await closed;
    expect(t.socket.destroyed).toBe(true);
  });
});
