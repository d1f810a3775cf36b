/**
 * Issue 9, item 10: the per-user egress proxies listen on 127.0.0.1. Another local
 * user (here uid 65534, "nobody") must not be able to use them; the gateway's own uid
 * (Chromium's) must. Switching uid needs root, so these tests run as root only.
 */
import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startEgressProxy, type EgressProxy } from '../../../gateway/egress/egress-proxy.js';
import { startFixture, type Fixture } from './egress-helpers.js';

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const NOBODY = 65534;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/**
 * A client in its own process: sends one request through the proxy (an absolute-form
 * GET of `target`, or `CONNECT target`) and prints what came back, or
 * `CLOSED-WITHOUT-ANSWER` when the proxy hung up silently.
 */
const CLIENT = `
const net = require('node:net');
const [proxyPort, method, target] = process.argv.slice(1);
const head = method === 'CONNECT'
  ? 'CONNECT ' + target + ' HTTP/1.1\\r\\nHost: ' + target + '\\r\\n\\r\\n'
  : 'GET ' + target + ' HTTP/1.1\\r\\nHost: ' + new URL(target).host + '\\r\\nConnection: close\\r\\n\\r\\n';
const s = net.connect(Number(proxyPort), '127.0.0.1', () => s.write(head));
let got = '';
s.on('data', (d) => { got += d; if (method === 'CONNECT') s.destroy(); });
s.on('error', () => {});
s.on('close', () => { process.stdout.write(got === '' ? 'CLOSED-WITHOUT-ANSWER' : got); process.exit(0); });
setTimeout(() => { process.stdout.write('TIMEOUT ' + got); process.exit(0); }, 10000);
`;

function runClient(asUid: number | null, proxyPort: number, method: 'GET' | 'CONNECT', target: string): Promise<string> {
  const node = [process.execPath, '-e', CLIENT, String(proxyPort), method, target];
  const argv = asUid === null ? node : ['setpriv', `--reuid=${asUid}`, `--regid=${asUid}`, '--clear-groups', ...node];
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { cwd: '/', timeout: 20_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

describe.skipIf(!asRoot)('egress proxy: only the gateway’s own uid may connect (run as root)', () => {
  async function setup(): Promise<{ f: Fixture; p: EgressProxy; target: string }> {
    const f = await startFixture();
    cleanups.push(() => f.close());
    const p = await startEgressProxy({ allowPrivate: ['127.0.0.0/8'], allowedPorts: [f.port], decide: () => ({ allow: true, reason: 'test' }) });
    cleanups.push(() => p.close());
    return { f, p, target: `http://127.0.0.1:${f.port}/patient?id=1` };
  }

  it('closes a connection from another local user (uid 65534) without answering or forwarding', async () => {
    const { f, p, target } = await setup();
    expect(await runClient(NOBODY, p.port, 'GET', target)).toBe('CLOSED-WITHOUT-ANSWER');
    expect(f.seen).toHaveLength(0);
  });

  it('serves the same request from the gateway’s own uid', async () => {
    const { f, p, target } = await setup();
    const answer = await runClient(null, p.port, 'GET', target);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain('fixture says hello to /patient?id=1');
    expect(f.seen).toHaveLength(1);
  });

  it('closes a CONNECT tunnel request from another local user, and opens it for our own uid', async () => {
    const { f, p } = await setup();
    expect(await runClient(NOBODY, p.port, 'CONNECT', `127.0.0.1:${f.port}`)).toBe('CLOSED-WITHOUT-ANSWER');
    expect(await runClient(null, p.port, 'CONNECT', `127.0.0.1:${f.port}`)).toMatch(/^HTTP\/1\.1 200 Connection Established/);
  });
});
