/**
 * Per-worker limits with the real kernel: a child process placed in its worker group
 * with a 64 MiB cap that allocates 200 MiB is killed by the OOM killer, the same child
 * outside the group is not, and the control plane (this test process) lives on.
 *
 * Needs root (or a delegated cgroup) and a writable cgroup v2 with memory and cpu, or
 * v1 memory and cpu hierarchies; elsewhere the test says why it is skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createWorkerLimiter } from '../../../gateway/workers/process-limits.js';

const MiB = 1024 ** 2;

/** Why this machine cannot run the test, or null when it can. */
function whyNot(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (cgroups not writable without delegation)';
  const writable = (dir: string): boolean => {
    try {
      accessSync(dir, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  };
  const v2Root = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'].find((d) => existsSync(path.join(d, 'cgroup.controllers')));
  const v2Has = v2Root ? readFileSync(path.join(v2Root, 'cgroup.controllers'), 'utf8').split(/\s+/) : [];
  if (v2Has.includes('memory') && v2Has.includes('cpu') && writable(v2Root!)) return null;
  if (existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes') && existsSync('/sys/fs/cgroup/cpu/cpu.shares') && writable('/sys/fs/cgroup/memory')) return null;
  return 'no writable cgroup with the memory and cpu controllers';
}

const SKIP = whyNot();
const title = (name: string): string => (SKIP ? `${name} (skipped: ${SKIP})` : name);

/** A process that allocates and touches `mb` MiB when told to, then says so. */
function hog(mb: number): { child: ChildProcess; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> } {
  const script = `
    process.stdin.once('data', () => {
      const keep = [];
      for (let i = 0; i < ${mb / 8}; i++) keep.push(Buffer.allocUnsafe(8 * 1024 * 1024).fill(i & 255));
      process.stdout.write('survived ' + keep.length);
      process.exit(0);
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'ignore'] });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, out })),
  );
  return { child, exit };
}

const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('per-worker limits with the kernel', () => {
  it.skipIf(SKIP !== null)(title('a worker over its memory cap is OOM-killed, a worker without one is not, the control plane lives on'), async () => {
    const ownCgroupBefore = readFileSync('/proc/self/cgroup', 'utf8');
    const limiter = await createWorkerLimiter({ memoryMaxBytes: 64 * MiB, cpuWeight: 50, log });
    onTestFinished(() => limiter.close());
    const described = limiter.describe();
    expect(described.mechanism).not.toBe('none');

    const capped = hog(200);
    const free = hog(200);
    const placement = await limiter.place(capped.child.pid!, 1);
    expect(placement.placed).toBe(true);
    const group = `kekkai/worker-1.pid-${process.pid}`;
    expect(placement.groups.every((dir) => dir.endsWith(group))).toBe(true);

    // Chromium, forked later by the worker, inherits these lines.
    const membership = readFileSync(`/proc/${capped.child.pid}/cgroup`, 'utf8');
    if (described.mechanism === 'cgroup-v2') {
      expect(membership).toMatch(new RegExp(`^0::.*/${group}$`, 'm'));
      const dir = placement.groups[0]!;
      expect(readFileSync(path.join(dir, 'memory.max'), 'utf8').trim()).toBe(String(64 * MiB));
      expect(readFileSync(path.join(dir, 'cpu.weight'), 'utf8').trim()).toBe('50');
    } else {
      expect(membership).toMatch(new RegExp(`^\\d+:(?:[a-z,]*,)?memory(?:,[a-z,]*)?:.*/${group}$`, 'm'));
      expect(membership).toMatch(new RegExp(`^\\d+:(?:[a-z,]*,)?cpu(?:,[a-z,]*)?:.*/${group}$`, 'm'));
      const [memoryDir, cpuDir] = placement.groups as [string, string];
      expect(readFileSync(path.join(memoryDir, 'memory.limit_in_bytes'), 'utf8').trim()).toBe(String(64 * MiB));
      expect(readFileSync(path.join(cpuDir, 'cpu.shares'), 'utf8').trim()).toBe('512');
      // The control plane sits beside its workers with the default weight.
      expect(readFileSync('/proc/self/cgroup', 'utf8')).toMatch(/^\d+:(?:[a-z,]*,)?cpu(?:,[a-z,]*)?:.*\/kekkai\/control$/m);
    }

    capped.child.stdin!.write('go\n');
    free.child.stdin!.write('go\n');
    const [cappedExit, freeExit] = await Promise.all([capped.exit, free.exit]);
    expect(cappedExit).toMatchObject({ code: null, signal: 'SIGKILL', out: '' });
    expect(freeExit).toMatchObject({ code: 0, out: 'survived 25' });

    // Once the worker is gone its groups go; on close everything kekkai made goes.
    await limiter.release(1);
    for (const dir of placement.groups) expect(existsSync(dir)).toBe(false);
    await limiter.close();
    if (described.mechanism === 'cgroup-v1') {
      expect(readFileSync('/proc/self/cgroup', 'utf8')).toBe(ownCgroupBefore);
      for (const base of Object.values(described.groups)) expect(existsSync(base)).toBe(false);
    }
  });
});
