/**
 * Choosing and setting up the per-worker cgroups on fake cgroup file systems (temporary
 * directories laid out like /sys/fs/cgroup and /proc), so that the v2, v1 and "none"
 * paths are all exercised whatever this machine has. The real kernel is in
 * process-limits-cgroup.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createWorkerLimiter } from '../../../gateway/workers/process-limits.js';

const SELF = 4242;
const CHILD = 4243;
const STRANGER = 4244;
const MiB = 1024 ** 2;

/** A fake cgroup root and procfs; `files` maps paths under the temp dir to contents ('/' at the end: a directory). */
function fakeHost(files: Record<string, string>): { root: string; proc: string; read(p: string): string; has(p: string): boolean } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-cgroupfs-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const all: Record<string, string> = {
    [`proc/${CHILD}/status`]: `Name:\tnode\nPid:\t${CHILD}\nPPid:\t${SELF}\n`,
    [`proc/${STRANGER}/status`]: `Name:\tsshd\nPid:\t${STRANGER}\nPPid:\t1\n`,
    ...files,
  };
  for (const [rel, content] of Object.entries(all)) {
    const full = path.join(dir, rel);
    if (rel.endsWith('/')) mkdirSync(full, { recursive: true });
    else {
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  }
  return {
    root: path.join(dir, 'cg'),
    proc: path.join(dir, 'proc'),
    read: (p) => readFileSync(path.join(dir, p), 'utf8'),
    has: (p) => existsSync(path.join(dir, p)),
  };
}

function spyLog(): { info: string[]; warn: string[]; log: { info(o: object, m?: string): void; warn(o: object, m?: string): void; error(o: object, m?: string): void } } {
  const info: string[] = [];
  const warn: string[] = [];
  return {
    info,
    warn,
    log: {
      info: (o, m) => info.push(`${m ?? ''} ${JSON.stringify(o)}`),
      warn: (o, m) => warn.push(`${m ?? ''} ${JSON.stringify(o)}`),
      error: (o, m) => warn.push(`${m ?? ''} ${JSON.stringify(o)}`),
    },
  };
}

const SERVICE = 'cg/system.slice/kekkai.service';

describe('per-worker limits on a cgroup v2 host', () => {
  it('moves the control plane into a leaf, hands cpu and memory down and limits each worker', async () => {
    const host = fakeHost({
      'cg/cgroup.controllers': 'cpuset cpu io memory pids\n',
      [`${SERVICE}/cgroup.controllers`]: 'cpu io memory pids\n',
      [`${SERVICE}/cgroup.type`]: 'domain\n',
      [`${SERVICE}/cgroup.procs`]: `${SELF}\n`,
      [`${SERVICE}/cgroup.subtree_control`]: '',
      [`proc/${SELF}/cgroup`]: '0::/system.slice/kekkai.service\n',
      // A group left by a control plane that was killed (pid 999 is gone) and one of a live one.
      [`${SERVICE}/kekkai/worker-1.pid-999/`]: '',
      [`${SERVICE}/kekkai/worker-1.pid-${STRANGER}/`]: '',
      // Worker 2's group survived a worker restart; swap accounting is on.
      [`${SERVICE}/kekkai/worker-2.pid-${SELF}/memory.swap.max`]: 'max\n',
    });
    const spy = spyLog();
    const limiter = await createWorkerLimiter({ memoryMaxBytes: 512 * MiB, cpuWeight: 50, log: spy.log, cgroupRoot: host.root, procRoot: host.proc, selfPid: SELF });
    expect(limiter.describe()).toMatchObject({ mechanism: 'cgroup-v2', reason: null, memoryMaxBytes: 512 * MiB, cpuWeight: 50 });
    expect(host.read(`${SERVICE}/kekkai/control/cgroup.procs`)).toBe(`${SELF}\n`);
    expect(host.read(`${SERVICE}/cgroup.subtree_control`)).toBe('+cpu +memory\n');
    expect(host.read(`${SERVICE}/kekkai/cgroup.subtree_control`)).toBe('+cpu +memory\n');
    expect(host.read(`${SERVICE}/kekkai/control/cpu.weight`)).toBe('100\n');
    expect(host.has(`${SERVICE}/kekkai/worker-1.pid-999`)).toBe(false);
    expect(host.has(`${SERVICE}/kekkai/worker-1.pid-${STRANGER}`)).toBe(true);

    const placed = await limiter.place(CHILD, 2);
    const group = `${SERVICE}/kekkai/worker-2.pid-${SELF}`;
    expect(placed).toMatchObject({ placed: true, mechanism: 'cgroup-v2' });
    expect(placed.groups).toEqual([path.join(host.root, 'system.slice/kekkai.service/kekkai', `worker-2.pid-${SELF}`)]);
    expect(host.read(`${group}/memory.max`)).toBe(`${512 * MiB}\n`);
    expect(host.read(`${group}/memory.high`)).toBe(`${Math.floor((512 * MiB * 0.9) / 4096) * 4096}\n`);
    expect(host.read(`${group}/memory.swap.max`)).toBe('0\n');
    expect(host.read(`${group}/cpu.weight`)).toBe('50\n');
    expect(host.read(`${group}/cgroup.procs`)).toBe(`${CHILD}\n`);
    expect(spy.info).toHaveLength(1);
    expect(spy.warn).toEqual([]);
  });

  it('without a memory cap needs and sets only the cpu controller', async () => {
    const host = fakeHost({
      'cg/cgroup.controllers': 'cpu pids\n',
      [`${SERVICE}/cgroup.controllers`]: 'cpu pids\n',
      [`${SERVICE}/cgroup.type`]: 'domain\n',
      [`${SERVICE}/cgroup.procs`]: `${SELF}\n`,
      [`proc/${SELF}/cgroup`]: '0::/system.slice/kekkai.service\n',
    });
    const limiter = await createWorkerLimiter({ memoryMaxBytes: null, cpuWeight: 100, log: spyLog().log, cgroupRoot: host.root, procRoot: host.proc, selfPid: SELF });
    expect(limiter.describe().mechanism).toBe('cgroup-v2');
    expect(host.read(`${SERVICE}/cgroup.subtree_control`)).toBe('+cpu\n');
    expect((await limiter.place(CHILD, 1)).placed).toBe(true);
    expect(host.has(`${SERVICE}/kekkai/worker-1.pid-${SELF}/memory.max`)).toBe(false);
  });

  it('falls back when the memory controller is not delegated to kekkai, and says why', async () => {
    const host = fakeHost({
      'cg/cgroup.controllers': 'cpu memory pids\n',
      [`${SERVICE}/cgroup.controllers`]: 'cpu pids\n',
      [`${SERVICE}/cgroup.procs`]: `${SELF}\n`,
      [`proc/${SELF}/cgroup`]: '0::/system.slice/kekkai.service\n',
    });
    const spy = spyLog();
    const limiter = await createWorkerLimiter({ memoryMaxBytes: 512 * MiB, cpuWeight: 100, log: spy.log, cgroupRoot: host.root, procRoot: host.proc, selfPid: SELF });
    expect(limiter.describe()).toMatchObject({ mechanism: 'none' });
    expect(limiter.describe().reason).toMatch(/controller\(s\) memory not available/);
    expect(host.has(`${SERVICE}/kekkai`)).toBe(false);
    expect(spy.info.join()).toMatch(/no writable cgroup/);
  });

  it('undoes a half-done setup when a group cannot be made', async () => {
    const host = fakeHost({
      'cg/cgroup.controllers': 'cpu memory\n',
      [`${SERVICE}/cgroup.controllers`]: 'cpu memory\n',
      [`${SERVICE}/cgroup.type`]: 'domain\n',
      [`${SERVICE}/cgroup.procs`]: `${SELF}\n`,
      // `kekkai/control` cannot be made: `kekkai` is a file, not a group.
      [`${SERVICE}/kekkai`]: 'not a group',
      [`proc/${SELF}/cgroup`]: '0::/system.slice/kekkai.service\n',
    });
    const limiter = await createWorkerLimiter({ memoryMaxBytes: 512 * MiB, cpuWeight: 100, log: spyLog().log, cgroupRoot: host.root, procRoot: host.proc, selfPid: SELF });
    expect(limiter.describe().mechanism).toBe('none');
    expect(limiter.describe().reason).toMatch(/cgroup v2 under .* not writable \(ENOTDIR\)/);
    expect(host.read(`${SERVICE}/cgroup.procs`)).toBe(`${SELF}\n`);
    expect(host.has(`${SERVICE}/cgroup.subtree_control`)).toBe(false);
  });
});

describe('per-worker limits on a hybrid host (memory and cpu as cgroup v1)', () => {
  const HYBRID = {
    'cg/unified/cgroup.controllers': 'hugetlb\n',
    'cg/memory/memory.limit_in_bytes': '9223372036854771712\n',
    'cg/memory/process_api/abc/': '',
    'cg/cpu/cpu.shares': '1024\n',
    'cg/cpu/cgroup.procs': '1\n',
    [`proc/${SELF}/cgroup`]: '4:memory:/process_api/abc\n1:cpu:/\n0::/\n',
  };

  it('limits memory and cpu per worker and puts the control plane beside its workers', async () => {
    const host = fakeHost({
      ...HYBRID,
      [`cg/memory/process_api/abc/kekkai/worker-1.pid-${SELF}/memory.memsw.limit_in_bytes`]: '9223372036854771712\n',
    });
    const limiter = await createWorkerLimiter({ memoryMaxBytes: 64 * MiB, cpuWeight: 50, log: spyLog().log, cgroupRoot: host.root, procRoot: host.proc, selfPid: SELF });
    expect(limiter.describe()).toMatchObject({
      mechanism: 'cgroup-v1',
      groups: { cpu: path.join(host.root, 'cpu/kekkai'), memory: path.join(host.root, 'memory/process_api/abc/kekkai') },
    });
    expect(host.read('cg/cpu/kekkai/control/cgroup.procs')).toBe(`${SELF}\n`);
    expect(host.read('cg/cpu/kekkai/control/cpu.shares')).toBe('1024\n');

    expect((await limiter.place(CHILD, 1)).placed).toBe(true);
    const memory = `cg/memory/process_api/abc/kekkai/worker-1.pid-${SELF}`;
    const cpu = `cg/cpu/kekkai/worker-1.pid-${SELF}`;
    expect(host.read(`${memory}/memory.limit_in_bytes`)).toBe(`${64 * MiB}\n`);
    expect(host.read(`${memory}/memory.memsw.limit_in_bytes`)).toBe(`${64 * MiB}\n`);
    expect(host.read(`${memory}/cgroup.procs`)).toBe(`${CHILD}\n`);
    expect(host.read(`${cpu}/cpu.shares`)).toBe('512\n');
    expect(host.read(`${cpu}/cgroup.procs`)).toBe(`${CHILD}\n`);

    await limiter.close();
    // v1 lets the control plane go back to its own group.
    expect(host.read('cg/cpu/cgroup.procs')).toBe(`${SELF}\n`);
  });

  it('gives a second limiter of the same control plane nothing until the first one is closed', async () => {
    const host = fakeHost(HYBRID);
    const options = { memoryMaxBytes: 64 * MiB, cpuWeight: 100, log: spyLog().log, cgroupRoot: host.root, procRoot: host.proc, selfPid: SELF };
    const first = await createWorkerLimiter(options);
    const second = await createWorkerLimiter(options);
    expect(first.describe().mechanism).toBe('cgroup-v1');
    expect(second.describe()).toMatchObject({ mechanism: 'none', reason: 'another worker limiter is open in this process' });
    await first.close();
    expect(await first.place(CHILD, 1)).toMatchObject({ placed: false, reason: 'limiter closed' });
    const third = await createWorkerLimiter(options);
    expect(third.describe().mechanism).toBe('cgroup-v1');
    await third.close();
  });

  it('moves only its own children, only by valid numbers, and never throws', async () => {
    const host = fakeHost(HYBRID);
    const spy = spyLog();
    const limiter = await createWorkerLimiter({ memoryMaxBytes: 64 * MiB, cpuWeight: 100, log: spy.log, cgroupRoot: host.root, procRoot: host.proc, selfPid: SELF });
    expect(await limiter.place(STRANGER, 1)).toMatchObject({ placed: false, reason: 'not a child process of the control plane' });
    expect(await limiter.place(-1, 1)).toMatchObject({ placed: false, reason: 'invalid pid or worker number' });
    expect(await limiter.place(CHILD, 0)).toMatchObject({ placed: false });
    expect(await limiter.place(CHILD + 0.5, 1)).toMatchObject({ placed: false });
    expect(host.has(`cg/cpu/kekkai/worker-1.pid-${SELF}`)).toBe(false);
    expect(spy.warn).toHaveLength(4);
  });
});

describe('per-worker limits without a writable cgroup', () => {
  it('reports "none" with the reasons, logs once at info, and lets workers run', async () => {
    const host = fakeHost({ 'cg/': '', [`proc/${SELF}/cgroup`]: '0::/\n' });
    const spy = spyLog();
    const limiter = await createWorkerLimiter({ memoryMaxBytes: 64 * MiB, cpuWeight: 100, log: spy.log, cgroupRoot: host.root, procRoot: host.proc, selfPid: SELF });
    expect(limiter.describe()).toMatchObject({ mechanism: 'none', groups: {} });
    expect(limiter.describe().reason).toBe('no cgroup v2 hierarchy mounted; no cgroup v1 cpu hierarchy');
    expect(await limiter.place(CHILD, 1)).toMatchObject({ placed: false, mechanism: 'none' });
    await limiter.release(1);
    await limiter.close();
    expect(spy.info).toHaveLength(1);
    expect(spy.info[0]).toMatch(/no writable cgroup.*renderer heap cap/);
    expect(spy.warn).toEqual([]);
  });

  it('refuses settings outside the kernel ranges (a programming error, not a host problem)', async () => {
    const log = spyLog().log;
    await expect(createWorkerLimiter({ memoryMaxBytes: 64 * MiB, cpuWeight: 0, log })).rejects.toThrow(RangeError);
    await expect(createWorkerLimiter({ memoryMaxBytes: 1.5, cpuWeight: 100, log })).rejects.toThrow(RangeError);
  });
});
