/**
 * Memory and CPU limits per browser worker process (docs/workers.md, "Memory and CPU
 * limits per worker"). The worker pool forks each worker and hands its pid to
 * `place()`; Chromium and its renderers, forked later by the worker, inherit the group.
 *
 * Mechanisms, first that works: cgroup v2 (cgroup-v2.ts), cgroup v1 (cgroup-v1.ts),
 * none — without a writable cgroup (not root and nothing delegated, most containers)
 * kekkai says so once and relies on the renderer heap cap (session.rendererMemoryMb).
 * Limits never stop the gateway from starting: a worker that cannot be placed runs
 * without them and the log says why.
 */
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../logging.js';
import { isPid, isWorkerId, parseProcCgroup } from './cgroup-paths.js';
import { CgroupUnavailable, isChildOf, readText, type CgroupBackend, type CgroupContext } from './cgroup-io.js';
import { setupCgroupV1 } from './cgroup-v1.js';
import { setupCgroupV2 } from './cgroup-v2.js';

export type LimitMechanism = 'cgroup-v2' | 'cgroup-v1' | 'none';

/** Below this a worker could not even start its Chromium; tests use a few MiB more than this. */
const MIN_MEMORY_BYTES = 16 * 1024 ** 2;
const MAX_MEMORY_BYTES = 2 ** 50;
/** The automatic cap never goes below what defaultWorkerCount() plans for one worker. */
const MIN_AUTO_MEMORY_MB = 1536;
/** Share of the machine's memory the workers may hold together by default. */
const AUTO_MEMORY_SHARE = 0.8;
/**
 * Cgroup roots and control plane pids with an open limiter. Group names carry the pid,
 * so a second limiter in the same process (two gateways in one test process) would
 * share — and, on close, pull down — the first one's groups; it gets `none` instead.
 */
const ACTIVE = new Set<string>();

export interface WorkerLimiterOptions {
  /** memory cap of each worker with everything it starts; null = no memory cap. */
  memoryMaxBytes: number | null;
  /** CPU weight of each worker (1–10000) relative to the control plane's 100. */
  cpuWeight: number;
  log: Logger;
  /** Where the cgroup file systems are mounted (default /sys/fs/cgroup; tests pass a fake). */
  cgroupRoot?: string;
  /** procfs (default /proc; tests pass a fake). */
  procRoot?: string;
  /** The control plane's pid (default this process). */
  selfPid?: number;
}

export interface PlacementResult {
  placed: boolean;
  mechanism: LimitMechanism;
  /** The group directories the process now lives in. */
  groups: string[];
  /** Why it was not placed. */
  reason?: string;
}

export interface LimiterDescription {
  mechanism: LimitMechanism;
  memoryMaxBytes: number | null;
  cpuWeight: number;
  /** Base group per controller (`kekkai` under the control plane's own cgroup). */
  groups: Readonly<Record<string, string>>;
  /** Why no cgroup is used (mechanism `none`). */
  reason: string | null;
}

export interface WorkerLimiter {
  /** Puts a worker process (a child of this process) into its groups; never throws. */
  place(pid: number, workerId: number): Promise<PlacementResult>;
  /** Removes a worker's groups once its processes are gone (call after the worker exited). */
  release(workerId: number): Promise<void>;
  /** Removes every group kekkai made that the kernel lets go. */
  close(): Promise<void>;
  describe(): LimiterDescription;
}

/**
 * session.workerMemoryMb as bytes: unset = the automatic share, 0 = no cap. The
 * automatic share is 80 % of the machine's memory spread over the workers, at least
 * 1.5 GiB each (which is also what defaultWorkerCount() plans for one worker).
 */
export function workerMemoryMaxBytes(setting: number | undefined, workers: number, totalBytes = os.totalmem()): number | null {
  if (setting === 0) return null;
  const mb = setting ?? Math.max(MIN_AUTO_MEMORY_MB, Math.floor((totalBytes * AUTO_MEMORY_SHARE) / Math.max(1, workers) / 1024 ** 2));
  return mb * 1024 ** 2;
}

export async function createWorkerLimiter(options: WorkerLimiterOptions): Promise<WorkerLimiter> {
  const { memoryMaxBytes, cpuWeight, log } = options;
  if (memoryMaxBytes !== null && (!Number.isInteger(memoryMaxBytes) || memoryMaxBytes < MIN_MEMORY_BYTES || memoryMaxBytes > MAX_MEMORY_BYTES)) {
    throw new RangeError(`worker memory cap must be null or whole bytes between ${MIN_MEMORY_BYTES} and ${MAX_MEMORY_BYTES}`);
  }
  if (!Number.isInteger(cpuWeight) || cpuWeight < 1 || cpuWeight > 10_000) throw new RangeError('worker CPU weight must be a whole number 1–10000');
  const selfPid = options.selfPid ?? process.pid;
  if (!isPid(selfPid)) throw new RangeError('invalid control plane pid');
  const ctx: CgroupContext = {
    root: options.cgroupRoot ?? '/sys/fs/cgroup',
    procRoot: options.procRoot ?? '/proc',
    selfPid,
    memoryMaxBytes,
    cpuWeight,
  };
  const key = `${ctx.root}|${selfPid}`;
  const { backend, reason } = ACTIVE.has(key) ? { backend: null, reason: 'another worker limiter is open in this process' } : await chooseBackend(ctx);
  if (backend) ACTIVE.add(key);
  const limiter = new Limiter(ctx, backend, reason, log, () => ACTIVE.delete(key));
  const description = limiter.describe();
  log.info(
    { component: 'worker-limits', mechanism: description.mechanism, memoryMaxBytes, cpuWeight, groups: description.groups, ...(reason ? { reason } : {}) },
    backend
      ? 'browser workers get their own cgroups (memory cap and CPU weight per worker)'
      : 'no writable cgroup: browser workers run without a per-worker memory cap or CPU weight; the renderer heap cap still applies',
  );
  return limiter;
}

async function chooseBackend(ctx: CgroupContext): Promise<{ backend: CgroupBackend | null; reason: string | null }> {
  if (process.platform !== 'linux' && ctx.root === '/sys/fs/cgroup') return { backend: null, reason: 'cgroups exist only on Linux' };
  let memberships;
  try {
    memberships = parseProcCgroup(await readText(path.join(ctx.procRoot, String(ctx.selfPid), 'cgroup')));
  } catch {
    return { backend: null, reason: 'cannot read the control plane’s cgroup membership' };
  }
  const reasons: string[] = [];
  for (const setup of [setupCgroupV2, setupCgroupV1]) {
    try {
      return { backend: await setup(ctx, memberships), reason: null };
    } catch (err) {
      if (!(err instanceof CgroupUnavailable)) throw err;
      reasons.push(err.message);
    }
  }
  return { backend: null, reason: reasons.join('; ') };
}

class Limiter implements WorkerLimiter {
  private closed = false;

  constructor(
    private readonly ctx: CgroupContext,
    private readonly backend: CgroupBackend | null,
    private readonly reason: string | null,
    private readonly log: Logger,
    private readonly onClose: () => void,
  ) {}

  async place(pid: number, workerId: number): Promise<PlacementResult> {
    const mechanism = this.backend?.mechanism ?? 'none';
    if (!this.backend) return { placed: false, mechanism, groups: [], reason: this.reason ?? 'no cgroup' };
    if (this.closed) return { placed: false, mechanism, groups: [], reason: 'limiter closed' };
    if (!isPid(pid) || !isWorkerId(workerId)) return this.refused(mechanism, workerId, 'invalid pid or worker number');
    if (!(await isChildOf(this.ctx, pid))) return this.refused(mechanism, workerId, 'not a child process of the control plane');
    try {
      const groups = await this.backend.place(workerId, pid);
      return { placed: true, mechanism, groups };
    } catch (err) {
      return this.refused(mechanism, workerId, `${(err as NodeJS.ErrnoException).code ?? 'error'}: ${(err as Error).message}`);
    }
  }

  private refused(mechanism: LimitMechanism, workerId: number, reason: string): PlacementResult {
    this.log.warn({ component: 'worker-limits', worker: workerId, reason }, 'browser worker runs without its memory cap and CPU weight');
    return { placed: false, mechanism, groups: [], reason };
  }

  async release(workerId: number): Promise<void> {
    if (!this.backend || !isWorkerId(workerId)) return;
    // A group still busy (a Chromium child outliving its worker) is reused by the next place().
    await this.backend.release(workerId).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (!this.backend || this.closed) return;
    this.closed = true;
    await this.backend.close().catch(() => undefined);
    this.onClose();
  }

  describe(): LimiterDescription {
    return {
      mechanism: this.backend?.mechanism ?? 'none',
      memoryMaxBytes: this.ctx.memoryMaxBytes,
      cpuWeight: this.ctx.cpuWeight,
      groups: this.backend?.bases ?? {},
      reason: this.reason,
    };
  }
}
