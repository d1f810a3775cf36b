/**
 * One verdict (issue 13): for a table of URLs — ports, localhost, 127.0.0.x, private
 * ranges, IDN, cidr rules that only resolved addresses trigger, names that do not
 * resolve, http/https/ws/wss and ftp/file/data — the URL test preview
 * (egress-preview.ts, what the admin box and `kekkai policy test` show) equals what the
 * real per-context egress proxy does with the request Chromium would send for it, on
 * loopback, with the same policy, settings and resolver.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContextEgress } from '../../../gateway/egress/context-egress.js';
import { previewAddress } from '../../../gateway/egress/egress-preview.js';
import { proxyRequestFor } from '../../../gateway/egress/url-decision.js';
import { evaluate, formatIssues, parsePolicyYaml, type Policy } from '../../../policies/index.js';
import { openTunnel, proxyGet } from './egress-helpers.js';

const POLICY = `default: allow
rules:
  - id: no-blocked
    match: { domain: blocked.test }
    action: block
  - id: no-cidr
    match: { cidr: 127.0.0.4/32 }
    action: block
  - id: admin-path
    match: { domain: site.test, path: /admin }
    action: block
  - id: warn-news
    match: { domain: news.test }
    action: warn
`;

const NAMES: Record<string, string[]> = {
  'site.test': ['127.0.0.3'],
  'news.test': ['127.0.0.3'],
  'blocked.test': ['127.0.0.3'],
  'cidr.test': ['127.0.0.4'],
  'private.test': ['10.1.2.3'],
  'mixed.test': ['127.0.0.3', '192.168.1.1'],
  'xn--r8jz45g.test': ['127.0.0.3'], // 例え.test
  localhost: ['127.0.0.1', '::1'],
};
const resolve = async (host: string): Promise<string[]> => {
  const found = NAMES[host];
  if (!found) throw new Error(`${host} does not resolve`);
  return found;
};

let server: http.Server;
let port: number;
let egress: ContextEgress;
let policy: Policy;
const GATEWAY_PORT = 8443;
const settings = () => ({ allowPrivate: ['127.0.0.3/32', '127.0.0.4/32'], allowedPorts: [80, 443, port] });
const identity = { id: 1, name: 'staff', role: 'staff' as const, sourceIp: '10.9.9.9' };

beforeAll(async () => {
  const parsed = parsePolicyYaml(POLICY);
  if (!parsed.ok) throw new Error(formatIssues(parsed.issues));
  policy = parsed.policy;
  server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.3', r));
  port = (server.address() as AddressInfo).port;
  egress = await ContextEgress.start({
    policy: { evaluate: (url, ctx) => evaluate(policy, url, ctx), contact: () => null },
    ...settings(),
    ownPorts: () => [GATEWAY_PORT],
    onRefusal: () => undefined,
    resolve,
  });
  egress.assign(identity);
});

afterAll(async () => {
  await egress?.close();
  await new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r())));
});

/** What the real proxy does with the request Chromium sends for `url`: allowed or refused. */
async function throughProxy(url: string): Promise<'allowed' | 'refused'> {
  const request = proxyRequestFor(url);
  if (!request) throw new Error(`no proxy request for ${url}`);
  const proxyPort = Number(new URL(egress.proxyServer).port);
  if (request.kind === 'connect') {
    const host = request.target.host.includes(':') ? `[${request.target.host}]` : request.target.host;
    const tunnel = await openTunnel(proxyPort, `${host}:${request.target.port}`);
    tunnel.socket.destroy();
    return tunnel.status === 200 ? 'allowed' : 'refused';
  }
  const u = new URL(url);
  u.hash = '';
  if (u.protocol === 'ws:') u.protocol = 'http:';
  const res = await proxyGet(proxyPort, u.href);
  return res.status === 200 ? 'allowed' : 'refused';
}

const preview = (input: string) => previewAddress(input, identity, { policy: { evaluate: (u, c) => evaluate(policy, u, c) }, egress: settings(), ownPorts: [GATEWAY_PORT], resolve });

describe('the URL test preview equals the egress proxy', () => {
  // [input, outcome the preview must give, what refuses it]
  const rows = (): Array<[string, string, string | null]> => [
    [`https://site.test:${port}/`, 'allow', null],
    [`http://site.test:${port}/page?q=1`, 'allow', null],
    [`site.test:${port}/x`, 'allow', null], // no scheme: https, as the address bar reads it
    [`https://news.test:${port}/`, 'warn', null],
    [`wss://site.test:${port}/socket`, 'allow', null],
    [`ws://site.test:${port}/socket`, 'allow', null],
    [`https://例え.test:${port}/`, 'allow', null],
    [`https://site.test:${port + 1 === 65536 ? port - 1 : port + 1}/`, 'block', 'egress:port'],
    ['https://site.test:8080/', 'block', 'egress:port'],
    ['https://localhost/', 'block', 'egress:address'],
    [`http://localhost:${port}/`, 'block', 'egress:address'],
    ['localhost', 'block', 'egress:address'],
    [`http://127.0.0.1:${port}/`, 'block', 'navigation:system:address'],
    [`https://127.0.0.3:${port}/`, 'allow', null],
    [`http://127.0.0.3:${GATEWAY_PORT}/`, 'block', 'egress:own-endpoint'],
    ['https://private.test/', 'block', 'egress:address'],
    ['https://mixed.test/', 'block', 'egress:address'],
    ['https://10.1.2.3/', 'block', 'navigation:system:address'],
    ['http://192.168.0.10/', 'block', 'navigation:system:address'],
    [`https://cidr.test:${port}/`, 'block', 'egress:policy'],
    [`https://blocked.test:${port}/`, 'block', 'navigation:no-blocked'],
    [`http://site.test:${port}/admin`, 'block', 'navigation:admin-path'],
    ['https://nowhere.test/', 'allow', null], // does not resolve: the page fails whatever the policy says
    ['ftp://site.test/file', 'block', 'navigation:system:scheme'],
    ['file:///etc/passwd', 'block', 'navigation:system:scheme'],
    ['data:text/html,<b>x</b>', 'block', 'navigation:system:scheme'],
  ];

  it('gives each URL the outcome the proxy enforces, and says which layer refused', async () => {
    for (const [input, outcome, refusedBy] of rows()) {
      const p = await preview(input);
      const d = p.decision;
      const by = d.refusedBy === 'egress' ? `egress:${d.egress?.code}` : d.refusedBy === 'navigation' ? `navigation:${d.verdict.rule?.id}` : null;
      expect({ input, outcome: d.outcome, by }).toEqual({ input, outcome, by: refusedBy });
      const request = proxyRequestFor(p.testedUrl);
      if (d.refusedBy === 'navigation') continue; // the guard answers with a block page; nothing reaches the proxy
      if (!request) throw new Error(`${input}: allowed but no proxy request`);
      if (d.egress?.code === 'resolve-failed') {
        expect(await throughProxy(p.testedUrl)).toBe('refused');
        continue;
      }
      expect({ input, proxy: await throughProxy(p.testedUrl) }).toEqual({ input, proxy: d.refusedBy === 'egress' ? 'refused' : 'allowed' });
    }
  });

  it('sends nothing to the proxy for schemes the browser does not fetch through it', () => {
    for (const url of ['ftp://site.test/file', 'file:///etc/passwd', 'data:text/html,x', 'about:blank']) expect(proxyRequestFor(url)).toBeNull();
  });

  it('reads a scheme-less entry as the address bar does', async () => {
    const p = await preview(`site.test:${port}/x`);
    expect(p).toMatchObject({ testedUrl: `https://site.test:${port}/x`, assumedScheme: 'https', addressBar: true });
    expect((await preview('file:///etc/passwd')).addressBar).toBe(false);
  });
});
