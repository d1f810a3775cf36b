/**
 * Per-worker limits with cgroup v2 (docs/workers.md, "Memory and CPU limits per worker").
 *
 *   <own cgroup>/kekkai/control                  the control plane (and whatever shared its cgroup)
 *   <own cgroup>/kekkai/worker-N.pid-P           worker N of control plane P: memory.max,
 *                                                memory.high, memory.swap.max, cpu.weight
 *
 * v2 lets a group hand controllers to its children only while it holds no processes
 * itself ("no internal processes"), so everything in the control plane's own cgroup
 * first moves into the `control` leaf. The leaf stays under the same parent, so every
 * limit above kekkai still applies to it.
 */
import path from 'node:path';
import { BASE_GROUP, CONTROL_GROUP, DEFAULT_CPU_WEIGHT, groupDir, parseControllers, unifiedPath, workerGroupName, type CgroupMembership } from './cgroup-paths.js';
import {
  CgroupUnavailable,
  exists,
  findMount,
  groupPids,
  mkdirOnce,
  movePid,
  readText,
  rmdirQuiet,
  sweepStale,
  writeValue,
  type CgroupBackend,
  retryFor,
  unwritable,
  type CgroupContext,
} from './cgroup-io.js';

/** memory.high as a share of memory.max: the kernel reclaims and slows the group before it kills. */
const HIGH_SHARE = 0.9;

export async function setupCgroupV2(ctx: CgroupContext, memberships: readonly CgroupMembership[]): Promise<CgroupBackend> {
  // Pure v2 mounts the unified hierarchy at the root; a hybrid host at <root>/unified.
  const mount = await findMount(ctx.root, ['.', 'unified'], 'cgroup.controllers');
  if (!mount) throw new CgroupUnavailable('no cgroup v2 hierarchy mounted');
  const own = unifiedPath(memberships);
  const ownDir = own === null ? null : groupDir(mount, own);
  if (!ownDir) throw new CgroupUnavailable('the control plane is in no cgroup v2 group');
  const wanted = ['cpu', ...(ctx.memoryMaxBytes === null ? [] : ['memory'])];
  const available = parseControllers(await readText(path.join(ownDir, 'cgroup.controllers')).catch(() => ''));
  const missing = wanted.filter((c) => !available.has(c));
  if (missing.length > 0) throw new CgroupUnavailable(`cgroup v2 controller(s) ${missing.join(', ')} not available in ${ownDir}`);

  const base = path.join(ownDir, BASE_GROUP);
  const control = path.join(base, CONTROL_GROUP);
  const undo: Array<() => Promise<unknown>> = [];
  try {
    if (await mkdirOnce(base)) undo.push(() => rmdirQuiet(base));
    if (await mkdirOnce(control)) undo.push(() => rmdirQuiet(control));
    const moved: number[] = [];
    undo.push(async () => {
      for (const pid of moved) await movePid(ownDir, pid).catch(() => undefined);
    });
    await moveIntoControl(ctx, ownDir, control, moved);
    for (const dir of [ownDir, base]) {
      const enabled = parseControllers(await readText(path.join(dir, 'cgroup.subtree_control')).catch(() => ''));
      const toEnable = wanted.filter((c) => !enabled.has(c));
      if (toEnable.length === 0) continue;
      await writeValue(path.join(dir, 'cgroup.subtree_control'), toEnable.map((c) => `+${c}`).join(' '));
      undo.push(() => writeValue(path.join(dir, 'cgroup.subtree_control'), toEnable.map((c) => `-${c}`).join(' ')).catch(() => undefined));
    }
    await writeValue(path.join(control, 'cpu.weight'), DEFAULT_CPU_WEIGHT);
  } catch (err) {
    for (const step of undo.reverse()) await step();
    throw unwritable('v2', ownDir, err);
  }
  await sweepStale(base, ctx);
  return new CgroupV2(ctx, base);
}

/**
 * Moves the processes of the control plane's cgroup into the `control` leaf. At the
 * real root of the hierarchy (no `cgroup.type` file; the rule does not apply there and
 * every process of the machine lives in it) only the control plane itself moves.
 */
async function moveIntoControl(ctx: CgroupContext, ownDir: string, control: string, moved: number[]): Promise<void> {
  const atRealRoot = !(await exists(path.join(ownDir, 'cgroup.type')));
  const pids = atRealRoot ? [ctx.selfPid] : await groupPids(ownDir);
  for (const pid of pids) {
    await movePid(control, pid);
    moved.push(pid);
  }
}

class CgroupV2 implements CgroupBackend {
  readonly mechanism = 'cgroup-v2' as const;
  readonly bases: Readonly<Record<string, string>>;
  private readonly placed = new Set<number>();

  constructor(
    private readonly ctx: CgroupContext,
    private readonly base: string,
  ) {
    this.bases = { unified: base };
  }

  async place(workerId: number, pid: number): Promise<string[]> {
    const dir = path.join(this.base, workerGroupName(workerId, this.ctx.selfPid));
    await mkdirOnce(dir);
    this.placed.add(workerId);
    const max = this.ctx.memoryMaxBytes;
    if (max !== null) {
      await writeValue(path.join(dir, 'memory.max'), max);
      await writeValue(path.join(dir, 'memory.high'), Math.floor((max * HIGH_SHARE) / 4096) * 4096);
      // Without this a capped worker would be pushed into swap instead of being stopped.
      const swap = path.join(dir, 'memory.swap.max');
      if (await exists(swap)) await writeValue(swap, 0);
    }
    await writeValue(path.join(dir, 'cpu.weight'), this.ctx.cpuWeight);
    await movePid(dir, pid);
    return [dir];
  }

  async release(workerId: number): Promise<boolean> {
    const removed = await rmdirQuiet(path.join(this.base, workerGroupName(workerId, this.ctx.selfPid)));
    if (removed) this.placed.delete(workerId);
    return removed;
  }

  async close(): Promise<void> {
    for (const id of [...this.placed]) await retryFor(() => this.release(id));
    // The control plane itself stays in `control` until it exits: v2 lets no process
    // back into the parent while the parent hands controllers down. The next start
    // reuses both groups.
  }
}
