/**
 * Per-worker limits with cgroup v1 (hybrid hosts that still mount memory and cpu as v1
 * hierarchies; docs/workers.md, "Memory and CPU limits per worker").
 *
 *   memory: <own memory group>/kekkai/worker-N.pid-P   memory.limit_in_bytes (+ memsw)
 *   cpu:    <own cpu group>/kekkai/control             the control plane, cpu.shares 1024
 *           <own cpu group>/kekkai/worker-N.pid-P      cpu.shares from the weight
 *
 * The control plane sits beside its workers in the cpu hierarchy so that a worker's
 * weight means the same as with v2: relative to the control plane's.
 */
import path from 'node:path';
import { BASE_GROUP, CONTROL_GROUP, DEFAULT_CPU_WEIGHT, groupDir, sharesForWeight, v1Membership, workerGroupName, type CgroupMembership } from './cgroup-paths.js';
import {
  CgroupUnavailable,
  errorCode,
  exists,
  findMount,
  mkdirOnce,
  movePid,
  rmdirQuiet,
  sweepStale,
  writeValue,
  type CgroupBackend,
  retryFor,
  unwritable,
  type CgroupContext,
} from './cgroup-io.js';

interface Hierarchy {
  /** The control plane's own group in this hierarchy. */
  ownDir: string;
  base: string;
}

async function hierarchy(ctx: CgroupContext, memberships: readonly CgroupMembership[], controller: string, marker: string): Promise<Hierarchy> {
  const member = v1Membership(memberships, controller);
  const mount = member ? await findMount(ctx.root, member.mountNames, marker) : null;
  const ownDir = member && mount ? groupDir(mount, member.path) : null;
  if (!ownDir) throw new CgroupUnavailable(`no cgroup v1 ${controller} hierarchy`);
  return { ownDir, base: path.join(ownDir, BASE_GROUP) };
}

export async function setupCgroupV1(ctx: CgroupContext, memberships: readonly CgroupMembership[]): Promise<CgroupBackend> {
  const cpu = await hierarchy(ctx, memberships, 'cpu', 'cpu.shares');
  const memory = ctx.memoryMaxBytes === null ? null : await hierarchy(ctx, memberships, 'memory', 'memory.limit_in_bytes');
  const control = path.join(cpu.base, CONTROL_GROUP);
  const undo: Array<() => Promise<unknown>> = [];
  try {
    for (const dir of [cpu.base, control, ...(memory ? [memory.base] : [])]) {
      if (await mkdirOnce(dir)) undo.push(() => rmdirQuiet(dir));
    }
    await writeValue(path.join(control, 'cpu.shares'), sharesForWeight(DEFAULT_CPU_WEIGHT));
    await movePid(control, ctx.selfPid);
    undo.push(() => movePid(cpu.ownDir, ctx.selfPid).catch(() => undefined));
  } catch (err) {
    for (const step of undo.reverse()) await step();
    throw unwritable('v1', cpu.ownDir, err);
  }
  const backend = new CgroupV1(ctx, cpu, memory);
  for (const h of [cpu, memory]) if (h) await sweepStale(h.base, ctx);
  return backend;
}

class CgroupV1 implements CgroupBackend {
  readonly mechanism = 'cgroup-v1' as const;
  readonly bases: Readonly<Record<string, string>>;
  private readonly placed = new Set<number>();

  constructor(
    private readonly ctx: CgroupContext,
    private readonly cpu: Hierarchy,
    private readonly memory: Hierarchy | null,
  ) {
    this.bases = { cpu: cpu.base, ...(memory ? { memory: memory.base } : {}) };
  }

  private dirs(workerId: number): { cpu: string; memory: string | null } {
    const name = workerGroupName(workerId, this.ctx.selfPid);
    return { cpu: path.join(this.cpu.base, name), memory: this.memory ? path.join(this.memory.base, name) : null };
  }

  async place(workerId: number, pid: number): Promise<string[]> {
    const dirs = this.dirs(workerId);
    this.placed.add(workerId);
    const max = this.ctx.memoryMaxBytes;
    if (dirs.memory && max !== null) {
      await mkdirOnce(dirs.memory);
      await setMemoryLimit(dirs.memory, max);
    }
    await mkdirOnce(dirs.cpu);
    await writeValue(path.join(dirs.cpu, 'cpu.shares'), sharesForWeight(this.ctx.cpuWeight));
    // Memory first: should the cpu move fail, the memory cap already holds.
    if (dirs.memory) await movePid(dirs.memory, pid);
    await movePid(dirs.cpu, pid);
    return dirs.memory ? [dirs.memory, dirs.cpu] : [dirs.cpu];
  }

  async release(workerId: number): Promise<boolean> {
    const dirs = this.dirs(workerId);
    let removed = await rmdirQuiet(dirs.cpu);
    if (dirs.memory) removed = (await rmdirQuiet(dirs.memory)) && removed;
    if (removed) this.placed.delete(workerId);
    return removed;
  }

  async close(): Promise<void> {
    for (const id of [...this.placed]) await retryFor(() => this.release(id));
    // v1 lets the control plane go back to where it came from, so everything kekkai
    // made can go (unless another kekkai on this cgroup still uses it).
    await movePid(this.cpu.ownDir, this.ctx.selfPid).catch(() => undefined);
    await rmdirQuiet(path.join(this.cpu.base, CONTROL_GROUP));
    await rmdirQuiet(this.cpu.base);
    if (this.memory) await rmdirQuiet(this.memory.base);
  }
}

/**
 * memory.limit_in_bytes, and memory.memsw.limit_in_bytes (memory + swap) where swap
 * accounting is on, so a capped worker is stopped rather than pushed into swap. The
 * kernel wants memsw ≥ memory at every moment: lower memory first, raise memsw first.
 */
async function setMemoryLimit(dir: string, bytes: number): Promise<void> {
  const limit = path.join(dir, 'memory.limit_in_bytes');
  const memsw = path.join(dir, 'memory.memsw.limit_in_bytes');
  if (!(await exists(memsw))) return writeValue(limit, bytes);
  try {
    await writeValue(limit, bytes);
    await writeValue(memsw, bytes);
  } catch (err) {
    if (errorCode(err) !== 'EINVAL') throw err;
    await writeValue(memsw, bytes);
    await writeValue(limit, bytes);
  }
}
