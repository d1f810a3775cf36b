/**
 * The egress proxy's added latency per request (issue 3, target ≤ 2 ms at p95).
 *
 * In-process: a loopback HTTP server answering a small body, and `startEgressProxy`
 * in front of it with a `decide` hook that evaluates a 1,000-rule URL policy the way
 * the gateway's per-context proxy does (gateway/egress/context-egress.ts). Two cases,
 * each a sequence of pairs (one direct, one proxied request; the order alternates
 * from pair to pair so load noise and ordering effects hit both sides equally):
 *
 * - `http`: a plain GET, absolute-form through the forward proxy vs straight to the
 *   server; no keep-alive, so every request opens its own connection (as the proxy
 *   does upstream). Timed from the request start to the end of the response body.
 * - `connect`: CONNECT + one request over the tunnel vs a direct TCP connection +
 *   the same request. The tunnel carries plain HTTP, not TLS, so the figure is the
 *   proxy's cost without a TLS handshake (which would be the same on both sides).
 *   Timed from `net.connect` to the last byte of the response body.
 *
 * The destination is a host name; the proxy's resolver seam answers 127.0.0.1 at once,
 * so DNS time is not part of the figure (Chromium would otherwise resolve it too).
 */
import http from 'node:http';
import net from 'node:net';
import { startEgressProxy, type EgressProxy } from '../gateway/egress/egress-proxy.js';
import { compilePolicy, evaluate, type Policy, type PolicyRule } from '../policies/index.js';
import { percentile, round, summarize, type Summary } from './stats.js';

const HOST = 'portal.bench-hospital.example.jp';
const BODY = Buffer.from('<!doctype html><title>ok</title><p>kekkai proxy bench</p>\n'.repeat(8)); // ~0.5 KiB

export interface ProxyCaseResult {
  pairs: number;
  warmupPairs: number;
  directMs: Summary;
  proxiedMs: Summary;
  /** p50(proxied) − p50(direct), from the two distributions. */
  addedP50Ms: number;
  /** p95(proxied) − p95(direct), from the two distributions: the figure judged against 2 ms. */
  addedP95Ms: number;
  /** Percentiles of the paired differences proxied_i − direct_i. */
  pairedDiffMs: Summary;
  /** Mean CPU time (user + system) of this process per request: client, proxy and server together. */
  directCpuMeanMs: number;
  proxiedCpuMeanMs: number;
}

export interface ProxyResult {
  policyRules: number;
  bodyBytes: number;
  http: ProxyCaseResult;
  connect: ProxyCaseResult;
  /** Mean time of one `decide` call (policy evaluation) measured on its own. */
  decideMeanUs: number;
}

/** 1,000 host/domain rules (a quarter with a path, as in policy-bench), the bench host allowed by the last one. */
function buildPolicy(rules: number): Policy {
  const r: PolicyRule[] = [];
  for (let i = 0; i < rules - 1; i++) {
    const kind = i % 4;
    const match = kind === 0 ? { domain: [`blocked${i}.example.jp`] } : kind === 1 ? { host: [`host${i}.example.com`] } : kind === 2 ? { domain: [`w${i}.example.net`] } : { domain: [`d${i}.example.org`], path: ['/private'] };
    r.push({ id: `r${i}`, enabled: true, match, scope: {}, action: i % 2 ? 'block' : 'warn', capabilities: {} });
  }
  r.push({ id: 'bench-portal', enabled: true, match: { domain: ['bench-hospital.example.jp'] }, scope: {}, action: 'allow', capabilities: {} });
  return { default: 'block', rules: r, categories: {}, capabilities: {} };
}

function startServer(): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': BODY.length });
    res.end(BODY);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as net.AddressInfo).port })));
}

/** One GET without keep-alive; resolves with the time until the body has arrived. */
function timedGet(options: http.RequestOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request({ ...options, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => {
        const t = performance.now() - t0;
        if (res.statusCode !== 200 || bytes !== BODY.length) reject(new Error(`unexpected answer ${res.statusCode} (${bytes} bytes)`));
        else resolve(t);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Raw TCP: optionally a CONNECT first, then one HTTP/1.1 request; resolves with the time
 * from `net.connect` until the whole response body (by Content-Length) has arrived.
 */
function timedRaw(port: number, connectTo: string | null, hostHeader: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    const request = `GET / HTTP/1.1\r\nHost: ${hostHeader}\r\nConnection: close\r\n\r\n`;
    let tunnelled = connectTo === null;
    let buf = Buffer.alloc(0);
    const fail = (err: Error): void => (socket.destroy(), reject(err));
    socket.on('error', fail);
    socket.on('connect', () => socket.write(connectTo === null ? request : `CONNECT ${connectTo} HTTP/1.1\r\nHost: ${connectTo}\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const headEnd = buf.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = buf.subarray(0, headEnd).toString('latin1');
      if (!tunnelled) {
        if (!head.startsWith('HTTP/1.1 200')) return fail(new Error(`CONNECT refused: ${head.split('\r\n')[0]}`));
        tunnelled = true;
        buf = buf.subarray(headEnd + 4);
        socket.write(request);
        return;
      }
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? Number.NaN);
      if (!head.startsWith('HTTP/1.1 200') || !Number.isFinite(length)) return fail(new Error(`unexpected answer: ${head.split('\r\n')[0]}`));
      if (buf.length - (headEnd + 4) < length) return;
      const t = performance.now() - t0;
      socket.destroy();
      resolve(t);
    });
    socket.on('close', () => reject(new Error('connection closed before the response was complete')));
  });
}

async function pairs(direct: () => Promise<number>, proxied: () => Promise<number>, count: number, warmup: number): Promise<ProxyCaseResult> {
  const d: number[] = [];
  const p: number[] = [];
  const diff: number[] = [];
  let directCpu = 0;
  let proxiedCpu = 0;
  const cpuOf = async (f: () => Promise<number>): Promise<[number, number]> => {
    const c0 = process.cpuUsage();
    const t = await f();
    const c = process.cpuUsage(c0);
    return [t, (c.user + c.system) / 1000];
  };
  for (let i = 0; i < warmup + count; i++) {
    let a: [number, number];
    let b: [number, number];
    if (i % 2 === 0) {
      a = await cpuOf(direct);
      b = await cpuOf(proxied);
    } else {
      b = await cpuOf(proxied);
      a = await cpuOf(direct);
    }
    if (i < warmup) continue;
    d.push(a[0]);
    p.push(b[0]);
    diff.push(b[0] - a[0]);
    directCpu += a[1];
    proxiedCpu += b[1];
  }
  return {
    pairs: count,
    warmupPairs: warmup,
    directMs: roundSummary(summarize(d)),
    proxiedMs: roundSummary(summarize(p)),
    addedP50Ms: round(percentile(p, 50) - percentile(d, 50), 3),
    addedP95Ms: round(percentile(p, 95) - percentile(d, 95), 3),
    pairedDiffMs: roundSummary(summarize(diff)),
    directCpuMeanMs: round(directCpu / count, 3),
    proxiedCpuMeanMs: round(proxiedCpu / count, 3),
  };
}

const roundSummary = (s: Summary): Summary => ({ n: s.n, min: round(s.min, 3), p50: round(s.p50, 3), p95: round(s.p95, 3), max: round(s.max, 3), mean: round(s.mean, 3) });

export async function proxyBench(count = 500, warmup = 50): Promise<ProxyResult> {
  const rules = 1000;
  const policy = buildPolicy(rules);
  compilePolicy(policy);
  const allowPrivate = ['127.0.0.0/8'];
  // Same work as ContextEgress's hook: build the URL, evaluate with the user's context, refuse only on block.
  const decide = (req: { scheme: string; host: string; port: number; path?: string; addresses: readonly string[] }): { allow: boolean; reason: string } => {
    const host = req.host.includes(':') ? `[${req.host}]` : req.host;
    const verdict = evaluate(policy, `${req.scheme}://${host}:${req.port}${req.path ?? '/'}`, { role: 'staff', sourceIp: '10.1.2.3', now: new Date(), resolvedAddresses: req.addresses, allowPrivate });
    if (verdict.verdict === 'block') return { allow: false, reason: `${verdict.rule?.id ?? 'default'}: ${verdict.reason}` };
    return { allow: true, reason: verdict.reason };
  };

  const { server, port } = await startServer();
  let proxy: EgressProxy | null = null;
  try {
    proxy = await startEgressProxy({ allowPrivate, allowedPorts: [80, 443, port], resolve: (h) => Promise.resolve(h === HOST ? ['127.0.0.1'] : []), decide });
    const proxyPort = proxy.port;
    const authority = `${HOST}:${port}`;

    // The hook alone, for reference (a refusal here would make every proxied request fail).
    const probe = { scheme: 'http', host: HOST, port, path: '/', addresses: ['127.0.0.1'] };
    if (!decide(probe).allow) throw new Error(`the bench policy refuses ${authority}`);
    for (let i = 0; i < 2000; i++) decide(probe);
    const t0 = performance.now();
    for (let i = 0; i < 20_000; i++) decide(probe);
    const decideMeanUs = ((performance.now() - t0) / 20_000) * 1000;

    const httpCase = await pairs(
      () => timedGet({ host: '127.0.0.1', port, path: '/', headers: { Host: authority } }),
      () => timedGet({ host: '127.0.0.1', port: proxyPort, path: `http://${authority}/`, headers: { Host: authority } }),
      count,
      warmup,
    );
    const connectCase = await pairs(
      () => timedRaw(port, null, authority),
      () => timedRaw(proxyPort, authority, authority),
      count,
      warmup,
    );
    return { policyRules: rules, bodyBytes: BODY.length, http: httpCase, connect: connectCase, decideMeanUs: round(decideMeanUs, 2) };
  } finally {
    await proxy?.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
