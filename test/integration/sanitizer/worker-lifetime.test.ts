/**
 * Issue 9, item 12: a parser worker (pdftoppm, LibreOffice) must not outlive the
 * gateway, even when the gateway is killed with SIGKILL and cannot clean up — and
 * neither may the worker's own children (LibreOffice's soffice.bin under oosplash).
 * A stand-in "gateway" process runs a worker that starts a child and waits; the
 * stand-in is killed; both sleepers must be gone.
 */
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processesMentioning } from '../../e2e/support/process-table.js';

const LIMITED_PROCESS = path.resolve('sanitizer/limited-process.ts');
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

describe('sanitizer workers die with the gateway', () => {
  it('SIGKILL of the gateway kills the worker and the worker’s own children', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-worker-'));
    // A unique duration marks this test's sleepers in the process table.
    const marker = `${300 + randomInt(1000)}.${randomInt(1_000_000)}`;
    cleanups.push(() => {
      for (const p of processesMentioning(`sleep ${marker}`)) process.kill(p.pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });
    const script = `
      const { runLimited } = await import(${JSON.stringify(LIMITED_PROCESS)});
      void runLimited({ command: 'sh', args: ['-c', 'sleep ${marker} & sleep ${marker}; :'], cwd: ${JSON.stringify(dir)}, timeoutMs: 120000, memoryBytes: 512 * 1024 * 1024 });
      setInterval(() => {}, 1000);`;
    const gateway = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
    cleanups.push(() => gateway.kill('SIGKILL'));
    const sleepers = (): string[] => processesMentioning(`sleep ${marker}`).map((p) => p.cmdline).filter((c) => c === `sleep ${marker}`);
    await expect.poll(() => sleepers().length, { timeout: 20_000 }).toBe(2);

    gateway.kill('SIGKILL');
    await expect.poll(() => processesMentioning(`sleep ${marker}`).map((p) => p.cmdline), { timeout: 10_000, interval: 200 }).toEqual([]);
  });
});
