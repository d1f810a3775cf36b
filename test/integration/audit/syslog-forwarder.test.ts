/** Forwarding to real UDP and TCP listeners on loopback, ephemeral ports. */
import dgram from 'node:dgram';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../gateway/audit/audit-event.js';
import { formatSyslog } from '../../../gateway/audit/audit-export.js';
import { SyslogForwarder } from '../../../gateway/audit/syslog-forwarder.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const RFC5424 = /^<\d{1,3}>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+09:00 \S+ kekkai - \S+ \[kekkai@32473( [a-z]+="([^"\\\]]|\\["\\\]])*")+\] \uFEFF.*$/su;

function record(seq: number, url = `https://example.jp/${seq}`): AuditRecord {
  return {
    seq,
    time: '2026-11-27T13:05:00.123+09:00',
    userId: 1,
    userName: '医師A',
    role: 'staff',
    sourceIp: '10.0.0.1',
    event: 'navigation',
    outcome: 'allowed',
    details: { url },
    mac: 'cd'.repeat(32),
  };
}

function forwarder(options: ConstructorParameters<typeof SyslogForwarder>[0]): SyslogForwarder {
  const f = new SyslogForwarder(options);
  cleanups.push(() => f.close());
  return f;
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Splits an RFC 6587 octet-counted stream into messages. */
function parseOctetCounted(buf: Buffer): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < buf.length) {
    const space = buf.indexOf(0x20, i);
    if (space < 0) break;
    const len = Number(buf.subarray(i, space).toString('ascii'));
    if (space + 1 + len > buf.length) break;
    out.push(buf.subarray(space + 1, space + 1 + len).toString('utf8'));
    i = space + 1 + len;
  }
  return out;
}

interface TcpListener {
  server: net.Server;
  port: number;
  received: () => string[];
  dropClients: () => void;
}

async function tcpListener(port = 0): Promise<TcpListener> {
  let data = Buffer.alloc(0);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('data', (d) => (data = Buffer.concat([data, d])));
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return {
    server,
    port: (server.address() as AddressInfo).port,
    received: () => parseOctetCounted(data),
    dropClients: () => {
      for (const s of sockets) s.destroy();
    },
  };
}

describe('syslog forwarding', () => {
  it('sends one well-formed RFC 5424 line per UDP datagram', async () => {
    const socket = dgram.createSocket('udp4');
    const received: string[] = [];
    socket.on('message', (msg) => received.push(msg.toString('utf8')));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
    const f = forwarder({ host: '127.0.0.1', port: socket.address().port, protocol: 'udp' });
    f.send(formatSyslog(record(1), { hostname: 'gw1' }));
    f.send(formatSyslog(record(2, 'https://evil.example/\r\n<13>1 forged'), { hostname: 'gw1' }));
    await waitFor(() => received.length === 2);
    for (const line of received) expect(line).toMatch(RFC5424);
    expect(received[1]).toContain('url="https://evil.example/%0D%0A<13>1 forged"');
    expect(f.stats()).toMatchObject({ sent: 2, dropped: 0 });
  });

  it('frames TCP lines by octet count, UTF-8 lengths included', async () => {
    const listener = await tcpListener();
    const f = forwarder({ host: '127.0.0.1', port: listener.port, protocol: 'tcp' });
    for (let i = 1; i <= 20; i++) f.send(formatSyslog(record(i, `https://病院.example/${i}\n`), { hostname: 'gw1' }));
    await waitFor(() => listener.received().length === 20);
    const lines = listener.received();
    for (const line of lines) expect(line).toMatch(RFC5424);
    expect(lines.map((l) => /seq="(\d+)"/.exec(l)![1])).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 1)));
  });

  it('queues while the collector is down and delivers after it comes back, without throwing', async () => {
    // Reserve a free port, then close it so the first connection is refused.
    const probe = await tcpListener();
    const port = probe.port;
    await new Promise<void>((resolve) => probe.server.close(() => resolve()));
    const errors: Error[] = [];
    const f = forwarder({ host: '127.0.0.1', port, protocol: 'tcp', minBackoffMs: 20, maxBackoffMs: 100, onError: (e) => errors.push(e) });
    expect(() => f.send(formatSyslog(record(1), { hostname: 'gw1' }))).not.toThrow();
    await waitFor(() => errors.length > 0);
    expect(f.stats()).toMatchObject({ connected: false, queued: 1 });
    const listener = await tcpListener(port);
    f.send(formatSyslog(record(2), { hostname: 'gw1' }));
    await waitFor(() => listener.received().length === 2);
    expect(listener.received().map((l) => /seq="(\d+)"/.exec(l)![1])).toEqual(['1', '2']);
    expect(f.stats().connected).toBe(true);
  });

  it('reconnects after the collector drops the connection', async () => {
    const listener = await tcpListener();
    const f = forwarder({ host: '127.0.0.1', port: listener.port, protocol: 'tcp', minBackoffMs: 20 });
    f.send(formatSyslog(record(1), { hostname: 'gw1' }));
    await waitFor(() => listener.received().length === 1);
    const connections = await new Promise<number>((resolve) => listener.server.getConnections((_e, n) => resolve(n)));
    expect(connections).toBe(1);
    // Kick every client off; the forwarder should come back on its own.
    listener.dropClients();
    await waitFor(() => !f.stats().connected);
    f.send(formatSyslog(record(2), { hostname: 'gw1' }));
    await waitFor(() => listener.received().some((l) => l.includes('seq="2"')));
  });

  it('drops the oldest lines when the queue is full', () => {
    const f = forwarder({ host: '127.0.0.1', port: 9, protocol: 'tcp', maxQueue: 3, minBackoffMs: 60_000, onError: () => undefined });
    for (let i = 0; i < 5; i++) f.send(`line ${i}`);
    expect(f.stats()).toMatchObject({ queued: 3, dropped: 2 });
  });
});
