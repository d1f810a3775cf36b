/**
 * Issue 9, items 10 and 12, against `kekkai serve` as a process:
 * - Chromium talks DevTools over a pipe and opens no TCP listener another local
 *   process could use to list and drive every user's tabs;
 * - killing the gateway (SIGKILL, no chance to clean up) takes Chromium with it, and
 *   the next start removes the run directory the killed one left;
 * - SIGTERM stops the gateway and leaves neither Chromium nor its run directory, also
 *   while a download waits for a scanner that never answers (before: the stop waited
 *   for the scan until the CLI's 15 s last resort, exit 1, Chromium and its /tmp
 *   profile left behind).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startFixtureSite } from './support/fixture-site.js';
import { browseTo, clickRemote, launchUserBrowser, login, STAFF_PASSWORD } from './support/gateway-harness.js';
import { descendants, listeningPorts, processesMentioning, stillRunning, type ProcessId } from './support/process-table.js';
import { diesWithTest, testRunMarker } from '../process-lifetime-check.js';

const BIN = path.resolve('bin/kekkai.js');
const children: ChildProcess[] = [];
const dirs: string[] = [];
const closers: Array<() => Promise<unknown>> = [];
/** Chromium processes seen in a test: killed afterwards if a failing run left them. */
const seen: ProcessId[] = [];

afterEach(async () => {
  while (closers.length > 0) await closers.pop()!().catch(() => undefined);
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }
  // A failed run may leave Chromium behind: do not leak it into later tests.
  for (const p of stillRunning(seen.splice(0))) process.kill(p.pid, 'SIGKILL');
  for (const dir of dirs.splice(0)) {
    for (const p of processesMentioning(dir)) process.kill(p.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

function newDataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-lifetime-'));
  dirs.push(dir);
  return dir;
}

function serveEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    ...testRunMarker(),
    KEKKAI_DATA_DIR: dataDir,
    KEKKAI_PORT: '0',
    KEKKAI_HOST: '127.0.0.1',
    // One warm context: its egress proxy and renderer run like a signed-in user's.
    KEKKAI_WARM_POOL: '1',
    KEKKAI_ADMIN_PASSWORD: 'Given-admin-pass-1!',
    ...extra,
  };
}

async function serve(dataDir: string, extra: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(...diesWithTest(process.execPath, [BIN, 'serve']), { env: serveEnv(dataDir, extra) });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line:\n${out}`)), 60_000);
    child.stdout!.on('data', () => {
      const m = /^kekkai listening on https:\/\/127\.0\.0\.1:(\d+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
  });
  return { child, port };
}

/** Chromium and its helpers: every process below the gateway, once the warm context has a renderer. */
async function chromiumProcesses(gateway: ChildProcess): Promise<ProcessId[]> {
  await expect.poll(() => descendants(gateway.pid!).filter((p) => p.cmdline.includes('--type=renderer')).length, { timeout: 30_000 }).toBeGreaterThan(0);
  const found = descendants(gateway.pid!).filter((p) => /chrom/i.test(p.cmdline));
  seen.push(...found);
  expect(found.length).toBeGreaterThan(0);
  return found;
}

function exited(child: ChildProcess): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
}

describe('kekkai serve: Chromium and temporary files live and die with the gateway', () => {
  it('Chromium listens on no TCP port: DevTools runs over a pipe', async () => {
    const dataDir = newDataDir();
    const { child, port } = await serve(dataDir);
    const chromium = await chromiumProcesses(child);
    expect(listeningPorts(chromium.map((p) => p.pid))).toEqual([]);
    expect(chromium.filter((p) => p.cmdline.includes('--remote-debugging-port'))).toEqual([]);
    expect(chromium.some((p) => p.cmdline.includes('--remote-debugging-pipe'))).toBe(true);
    // The gateway's own port is the one listener a user's PC needs (the check above sees listeners).
    expect(listeningPorts([child.pid!])).toContain(port);
  });

  it('kill -9 of the gateway takes Chromium with it; the next start removes what the killed run left', async () => {
    const dataDir = newDataDir();
    const runDir = path.join(dataDir, 'run');
    const { child } = await serve(dataDir);
    const chromium = await chromiumProcesses(child);
    const browser = chromium.find((p) => p.cmdline.includes('--user-data-dir='));
    const environment = readFileSync(`/proc/${browser!.pid}/environ`, 'latin1').split('\0');

    child.kill('SIGKILL');
    await exited(child);
    await expect.poll(() => stillRunning(chromium).map((p) => p.cmdline), { timeout: 10_000, interval: 200 }).toEqual([]);
    // Chromium's profile and temporary files were in the data directory (a browser
    // worker's own directory), not in /tmp.
    expect(browser?.cmdline).toContain(`--user-data-dir=${path.join(runDir, 'worker-1', 'profile')}`);
    expect(environment).toContain(`TMPDIR=${path.join(runDir, 'worker-1', 'home')}`);

    // The killed gateway could not clean up; the next start does.
    writeFileSync(path.join(runDir, 'left-by-killed-run'), 'x');
    const second = await serve(dataDir);
    expect(existsSync(path.join(runDir, 'left-by-killed-run'))).toBe(false);
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
  });

  it('SIGTERM stops the gateway and leaves neither Chromium nor its run directory', async () => {
    const dataDir = newDataDir();
    const { child } = await serve(dataDir);
    const chromium = await chromiumProcesses(child);
    expect(existsSync(path.join(dataDir, 'run'))).toBe(true);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(existsSync(path.join(dataDir, 'run'))).toBe(false);
    await expect.poll(() => stillRunning(chromium).map((p) => p.cmdline), { timeout: 10_000, interval: 200 }).toEqual([]);
  });

  it('SIGTERM while a download waits for a scanner that never answers: exit 0, no Chromium, no run directory', async () => {
    const dataDir = newDataDir();
    // A clamd that accepts the file and never answers (its scan timeout is a minute).
    const clamdSocket = path.join(dataDir, 'mute-clamd.sock');
    const muteClamd = net.createServer((s) => s.on('data', () => undefined).on('error', () => undefined));
    await new Promise<void>((r) => muteClamd.listen(clamdSocket, r));
    closers.push(() => new Promise((r) => muteClamd.close(r)));
    const site = await startFixtureSite('127.0.0.1', { '/files/list.csv': { body: Buffer.from('a,b\n1,2\n'), contentType: 'text/csv', filename: 'list.csv' } });
    closers.push(() => site.close());
    const extra = { KEKKAI_CLAMD: clamdSocket, KEKKAI_EGRESS_ALLOW_PRIVATE: '127.0.0.1/32', KEKKAI_EGRESS_ALLOW_LOOPBACK: '1', KEKKAI_EGRESS_ALLOWED_PORTS: `80,443,${new URL(site.url).port}` };
    execFileSync(process.execPath, [BIN, 'user', 'add', 'staff', '--role', 'staff'], { env: serveEnv(dataDir, extra), input: `${STAFF_PASSWORD}\n` });
    const { child, port } = await serve(dataDir, extra);
    const browser: Browser = await launchUserBrowser();
    closers.push(() => browser.close());
    const page = await (await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1200, height: 800 } })).newPage();
    await login(page, `https://127.0.0.1:${port}`, 'staff', STAFF_PASSWORD);
    await browseTo(page, `${site.url}/downloads`, 'Downloads fixture');
    await clickRemote(page, 100, 52);
    // The file reached the scanner, which holds it.
    await page.locator('.download-panel .download-item[data-state="scanning"]', { hasText: 'list.csv' }).waitFor({ timeout: 30_000 });
    const chromium = await chromiumProcesses(child);

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(existsSync(path.join(dataDir, 'run'))).toBe(false);
    await expect.poll(() => stillRunning(chromium).map((p) => p.cmdline), { timeout: 10_000, interval: 200 }).toEqual([]);
  });
});
