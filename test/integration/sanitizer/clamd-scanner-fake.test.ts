import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClamdScanner, clamdTarget, interpretScanError, interpretScanStream } from '../../../sanitizer/clamd-scanner.js';
import { fakeDeps } from '../../unit/sanitizer/fakes.js';
import { sanitize } from '../../../sanitizer/pipeline.js';
import { DEFAULT_FILE_POLICY } from '../../../sanitizer/file-policy.js';
import type { FakeClamd } from './fake-clamd.js';
import { startFakeClamd } from './fake-clamd.js';

// clamscan logs socket errors with console.error (index.js scanStream); keep the output readable.
beforeEach(() => void vi.spyOn(console, 'error').mockImplementation(() => undefined));
afterEach(() => vi.restoreAllMocks());

const bytes = new TextEncoder().encode('plain text that is not a virus\n');
const waitFor = async (cond: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
};

describe('ClamdScanner (clamscan) against a fake clamd on a Unix socket', () => {
  let clamd: FakeClamd;
  let scanner: ClamdScanner;
  beforeAll(async () => {
    clamd = await startFakeClamd();
    scanner = new ClamdScanner({ address: clamd.address, timeoutMs: 500 });
  });
  afterAll(async () => {
    await clamd?.stop();
  });

  it('is clean only on "stream: OK", and clamd got the bytes over INSTREAM', async () => {
    clamd.behave({ reply: 'stream: OK\0' });
    expect(await scanner.scan(bytes)).toEqual({ status: 'clean' });
    const last = clamd.received.at(-1)!;
    expect(last.command).toBe('zINSTREAM');
    expect(Buffer.concat(last.chunks).equals(Buffer.from(bytes))).toBe(true);
  });

  it('streams in chunks of chunkBytes', async () => {
    clamd.behave({ reply: 'stream: OK\0' });
    const big = new Uint8Array(10_000).map((_, i) => i % 251);
    const small = new ClamdScanner({ address: clamd.address, timeoutMs: 2000, chunkBytes: 4096 });
    expect(await small.scan(big)).toEqual({ status: 'clean' });
    const last = clamd.received.at(-1)!;
    expect(last.chunks.map((c) => c.length)).toEqual([4096, 4096, 1808]);
    expect(Buffer.concat(last.chunks).equals(Buffer.from(big))).toBe(true);
  });

  it('reports an infected stream with the signature name', async () => {
    clamd.behave({ reply: 'stream: Win.Test.Fake-1 FOUND\0' });
    expect(await scanner.scan(bytes)).toEqual({ status: 'infected', signature: 'Win.Test.Fake-1' });
    clamd.behave({ reply: 'stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND\0' });
    expect(await scanner.scan(bytes)).toEqual({ status: 'infected', signature: 'Heuristics.Limits.Exceeded.MaxFileSize' });
  });

  it.each([
    ['garbage', 'HELLO THERE\0'],
    ['an OK that is not "stream: OK" (clamscan alone would call it clean)', 'UNKNOWN COMMAND: OK\0'],
    ['clamd ERROR', "stream: Can't allocate memory ERROR\0"],
    ['COMMAND READ TIMED OUT', 'COMMAND READ TIMED OUT\0'],
    ['an empty reply', ''],
  ])('fails closed on %s', async (_, reply) => {
    clamd.behave({ reply });
    expect(await scanner.scan(bytes)).toMatchObject({ status: 'unavailable' });
  });

  it('maps the INSTREAM size-limit reply to limit-exceeded', async () => {
    clamd.behave({ reply: 'INSTREAM size limit exceeded. ERROR\0' });
    expect(await scanner.scan(bytes)).toMatchObject({ status: 'limit-exceeded' });
  });

  it('fails closed when clamd closes the connection before answering', async () => {
    clamd.behave('close-after-command');
    expect(await scanner.scan(bytes)).toMatchObject({ status: 'unavailable' });
    expect(await scanner.scan(new Uint8Array(512 * 1024).fill(7))).toMatchObject({ status: 'unavailable' });
  });

  it('fails closed on a timeout and closes the socket', async () => {
    clamd.behave('hang');
    const before = clamd.closed;
    const t0 = Date.now();
    const r = await scanner.scan(bytes);
    expect(r).toEqual({ status: 'unavailable', detail: 'clamd did not answer within 500ms' });
    expect(Date.now() - t0).toBeLessThan(2000);
    await waitFor(() => clamd.closed > before);
    expect(clamd.closed).toBeGreaterThan(before);
  });

  it('fails closed when clamd answers OK but never ends the connection', async () => {
    clamd.behave({ reply: 'stream: OK\0', keepOpen: true });
    expect(await scanner.scan(bytes)).toMatchObject({ status: 'unavailable' });
  });

  it('blocks in the pipeline with scanner-unavailable on a garbage reply', async () => {
    clamd.behave({ reply: 'garbage\0' });
    const v = await sanitize({ name: 'a.txt', bytes }, DEFAULT_FILE_POLICY, fakeDeps(scanner));
    expect(v).toMatchObject({ verdict: 'blocked', reason: 'scanner-unavailable' });
  });

  it('pings with PING/PONG and fails closed on anything else', async () => {
    clamd.behave({ reply: 'PONG\n' });
    expect(await scanner.ping()).toBe(true);
    expect(clamd.received.at(-1)!.command).toBe('PING');
    clamd.behave({ reply: 'PANG\n' });
    expect(await scanner.ping()).toBe(false);
    clamd.behave('hang');
    expect(await scanner.ping()).toBe(false);
    clamd.behave('close-after-command');
    expect(await scanner.ping()).toBe(false);
  });
});

describe('ClamdScanner with nothing listening', () => {
  it('is unavailable and does not ping', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kekkai-noclamd-'));
    try {
      const s = new ClamdScanner({ address: join(dir, 'nope.sock'), timeoutMs: 1000 });
      expect(await s.scan(bytes)).toMatchObject({ status: 'unavailable', detail: expect.stringContaining('ENOENT') });
      expect(await s.ping()).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('ClamdScanner over TCP (host:port)', () => {
  it('scans through a TCP clamd', async () => {
    const clamd = await startFakeClamd({ tcp: true });
    try {
      const s = new ClamdScanner({ address: clamd.address, timeoutMs: 1000 });
      clamd.behave({ reply: 'stream: Eicar-Test-Signature FOUND\0' });
      expect(await s.scan(bytes)).toEqual({ status: 'infected', signature: 'Eicar-Test-Signature' });
      clamd.behave('hang');
      expect(await s.scan(bytes)).toMatchObject({ status: 'unavailable' });
    } finally {
      await clamd.stop();
    }
  });
});

describe('clamscan answers and addresses', () => {
  it('parses /path/to/socket and host:port', () => {
    expect(clamdTarget('/run/clamav/clamd.ctl')).toEqual({ socket: '/run/clamav/clamd.ctl', host: false, port: false });
    expect(clamdTarget('127.0.0.1:3310')).toEqual({ socket: false, host: '127.0.0.1', port: 3310 });
    expect(clamdTarget('clamd.internal:3310')).toEqual({ socket: false, host: 'clamd.internal', port: 3310 });
    expect(clamdTarget('[::1]:3310')).toEqual({ socket: false, host: '::1', port: 3310 });
  });

  it('needs isInfected === false and "stream: OK" to be clean', () => {
    expect(interpretScanStream({ isInfected: false, viruses: [], resultString: 'stream: OK\0' })).toEqual({ status: 'clean' });
    expect(interpretScanStream({ isInfected: false, viruses: [], resultString: 'x: OK' }).status).toBe('unavailable');
    expect(interpretScanStream({ isInfected: null, viruses: [], resultString: 'stream: OK\0' }).status).toBe('unavailable');
    expect(interpretScanStream({ isInfected: undefined, resultString: 'stream: OK\0' }).status).toBe('unavailable');
    expect(interpretScanStream(undefined).status).toBe('unavailable');
    expect(interpretScanStream(null).status).toBe('unavailable');
  });

  it('names what is infected', () => {
    expect(interpretScanStream({ isInfected: true, viruses: ['A', 'B'], resultString: '' })).toEqual({ status: 'infected', signature: 'A, B' });
    expect(interpretScanStream({ isInfected: true, viruses: [], resultString: 'stream: C FOUND\0' })).toEqual({ status: 'infected', signature: 'C' });
    expect(interpretScanStream({ isInfected: true, viruses: [], resultString: '??' })).toEqual({ status: 'infected', signature: 'unnamed' });
  });

  it('maps rejections', () => {
    expect(interpretScanError(new Error('connect ECONNREFUSED')).status).toBe('unavailable');
    expect(interpretScanError(new Error('Scan aborted. Reply from server: INSTREAM size limit exceeded. ERROR')).status).toBe('limit-exceeded');
    expect(interpretScanError('weird').status).toBe('unavailable');
    // clamd answered, then the connection was reset while we were still writing
    expect(interpretScanError(new Error('read ECONNRESET'), 'INSTREAM size limit exceeded. ERROR\0').status).toBe('limit-exceeded');
    expect(interpretScanError(new Error('read ECONNRESET'), 'stream: X FOUND\0')).toEqual({ status: 'infected', signature: 'X' });
    expect(interpretScanError(new Error('read ECONNRESET'), 'stream: OK\0').status).toBe('unavailable');
  });
});
