import { describe, expect, it } from 'vitest';
import {
  groupDir,
  isCleanGroupPath,
  ownerOfWorkerGroup,
  parentPid,
  parseControllers,
  parseProcCgroup,
  sharesForWeight,
  unifiedPath,
  v1Membership,
  workerGroupName,
} from '../../../../gateway/workers/cgroup-paths.js';
import { loadConfig } from '../../../../gateway/config/load-config.js';
import { workerMemoryMaxBytes } from '../../../../gateway/workers/process-limits.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

// As read on this project's build machine (a hybrid host) and on Debian 12 with systemd.
const HYBRID = `9:name=systemd:/
8:pids:/
4:memory:/process_api/07d3c512af6281f3b219c530f2e469af
2:cpuacct:/
1:cpu:/
0::/
`;
const DEBIAN_V1 = `5:cpu,cpuacct:/system.slice/kekkai.service
3:memory:/system.slice/kekkai.service
1:name=systemd:/system.slice/kekkai.service
0::/system.slice/kekkai.service
`;
const PURE_V2 = '0::/system.slice/kekkai.service\n';

describe('reading /proc/<pid>/cgroup', () => {
  it('finds the v2 group and each v1 controller with the mount names to try', () => {
    expect(unifiedPath(parseProcCgroup(PURE_V2))).toBe('/system.slice/kekkai.service');
    const hybrid = parseProcCgroup(HYBRID);
    expect(unifiedPath(hybrid)).toBe('/');
    expect(v1Membership(hybrid, 'memory')).toEqual({ path: '/process_api/07d3c512af6281f3b219c530f2e469af', mountNames: ['memory'] });
    expect(v1Membership(hybrid, 'cpu')).toEqual({ path: '/', mountNames: ['cpu'] });
    expect(v1Membership(parseProcCgroup(DEBIAN_V1), 'cpu')).toEqual({ path: '/system.slice/kekkai.service', mountNames: ['cpu,cpuacct', 'cpu'] });
    expect(parseProcCgroup(HYBRID).find((m) => m.name === 'systemd')).toMatchObject({ hierarchyId: 9, controllers: [] });
    expect(v1Membership(parseProcCgroup(PURE_V2), 'memory')).toBeNull();
  });

  it('drops lines that could lead a path out of the cgroup mount', () => {
    const parsed = parseProcCgroup('0::/a/../../etc\n4:memory:relative\n3:cpu:/ok/./x\n2:pids:/fine\nnonsense\n');
    expect(parsed.map((m) => m.path)).toEqual(['/fine']);
    expect(v1Membership(parseProcCgroup('4:../memory:/x\n'), 'memory')).toBeNull();
    for (const bad of ['', 'a', '/a/', '/a//b', '/a/..', '/a\0b', '/a\nb']) expect(isCleanGroupPath(bad)).toBe(false);
    expect(isCleanGroupPath('/system.slice/kekkai.service')).toBe(true);
  });

  it('builds group directories inside the mount only, and finds the base again from inside kekkai/control', () => {
    expect(groupDir('/sys/fs/cgroup', '/system.slice/kekkai.service')).toBe('/sys/fs/cgroup/system.slice/kekkai.service');
    expect(groupDir('/sys/fs/cgroup', '/')).toBe('/sys/fs/cgroup');
    expect(groupDir('/sys/fs/cgroup', '/../etc')).toBeNull();
    // A control plane restarted by a parent that kekkai had moved into its control leaf.
    expect(groupDir('/sys/fs/cgroup', '/user.slice/kekkai/control')).toBe('/sys/fs/cgroup/user.slice');
    expect(groupDir('/sys/fs/cgroup', '/kekkai/control')).toBe('/sys/fs/cgroup');
  });
});

describe('group names and values', () => {
  it('names worker groups by worker and control plane, and recognises only its own names', () => {
    expect(workerGroupName(3, 4242)).toBe('worker-3.pid-4242');
    expect(ownerOfWorkerGroup('worker-3.pid-4242')).toBe(4242);
    for (const other of ['control', 'worker-3', 'worker-3.pid-0', 'worker-x.pid-1', 'worker-1.pid-99999999']) expect(ownerOfWorkerGroup(other)).toBeNull();
    expect(() => workerGroupName(0, 1)).toThrow(RangeError);
    expect(() => workerGroupName(1.5, 1)).toThrow(RangeError);
    expect(() => workerGroupName(1, -1)).toThrow(RangeError);
  });

  it('maps a v2 weight to v1 shares the way systemd does, within the kernel range', () => {
    expect(sharesForWeight(100)).toBe(1024);
    expect(sharesForWeight(50)).toBe(512);
    expect(sharesForWeight(1)).toBe(10);
    expect(sharesForWeight(10_000)).toBe(102_400);
  });

  it('reads controller lists and the parent pid', () => {
    expect([...parseControllers('cpuset cpu io memory hugetlb pids rdma misc\n')]).toContain('memory');
    expect(parseControllers('hugetlb\n').has('cpu')).toBe(false);
    expect(parentPid('Name:\tnode\nPid:\t200\nPPid:\t100\nTracerPid:\t0\n')).toBe(100);
    expect(parentPid('Name:\tnode\n')).toBeNull();
  });
});

describe('the default memory cap per worker', () => {
  it('is 80 % of memory over the workers, at least 1536 MiB; 0 means none; a set value wins', () => {
    expect(workerMemoryMaxBytes(undefined, 2, 24 * GiB)).toBe(Math.floor((24 * GiB * 0.8) / 2 / MiB) * MiB);
    expect(workerMemoryMaxBytes(undefined, 8, 8 * GiB)).toBe(1536 * MiB);
    expect(workerMemoryMaxBytes(0, 2, 24 * GiB)).toBeNull();
    expect(workerMemoryMaxBytes(2048, 2, 24 * GiB)).toBe(2048 * MiB);
  });
});

describe('the per-worker limit settings', () => {
  it('default to the automatic memory share and weight 100, take 0 as "no cap" and refuse caps too small for a Chromium', () => {
    const defaults = loadConfig({ env: {} }).session;
    expect(defaults.workerMemoryMb).toBeUndefined();
    expect(defaults.workerCpuWeight).toBe(100);
    const set = loadConfig({ env: { KEKKAI_WORKER_MEMORY_MB: '0', KEKKAI_WORKER_CPU_WEIGHT: '50' } }).session;
    expect(set).toMatchObject({ workerMemoryMb: 0, workerCpuWeight: 50 });
    expect(() => loadConfig({ env: { KEKKAI_WORKER_MEMORY_MB: '100' } })).toThrow(/KEKKAI_WORKER_MEMORY_MB|workerMemoryMb/);
    expect(() => loadConfig({ env: { KEKKAI_WORKER_CPU_WEIGHT: '0' } })).toThrow(/KEKKAI_WORKER_CPU_WEIGHT|workerCpuWeight/);
  });
});
