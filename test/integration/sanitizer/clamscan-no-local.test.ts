import type * as ChildProcess from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// clamscan takes `execFile` from child_process when it is loaded (index.js top), so
// the spy goes in before clamscan and our scanner are imported. The control test below
// proves the spy sees clamscan's binary probes; ours must make none.
const require = createRequire(import.meta.url);
const cp = require('node:child_process') as typeof ChildProcess;
const spawned: string[] = [];
const realExecFile = cp.execFile;
cp.execFile = ((file: string, ...rest: unknown[]) => {
  spawned.push(file);
  return (realExecFile as (...a: unknown[]) => unknown)(file, ...rest);
}) as unknown as typeof cp.execFile;
const { default: NodeClam } = await import('clamscan');
const { ClamdScanner } = await import('../../../sanitizer/clamd-scanner.js');

describe('clamscan never runs a local binary', () => {
  it('control: clamscan with its default settings probes local binaries at init', async () => {
    spawned.length = 0;
    await new NodeClam().init({ clamscan: { path: process.execPath }, clamdscan: { socket: '/nonexistent/clamd.sock', bypassTest: true, path: process.execPath } });
    expect(spawned).toContain(process.execPath);
  });

  it('ClamdScanner scans and pings without spawning anything, and fails closed with clamd down', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kekkai-nolocal-'));
    try {
      spawned.length = 0;
      const s = new ClamdScanner({ address: join(dir, 'clamd.sock'), timeoutMs: 1000 });
      expect(await s.scan(new TextEncoder().encode('hello'))).toMatchObject({ status: 'unavailable' });
      expect(await s.ping()).toBe(false);
      expect(spawned).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
