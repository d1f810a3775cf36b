/**
 * The few file operations the per-worker cgroups need (cgroup-v1.ts, cgroup-v2.ts).
 * Every value written is a number or a fixed controller list built here, never text
 * that came from outside; every path was built by cgroup-paths.ts.
 */
import { access, mkdir, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isPid, ownerOfWorkerGroup, parentPid } from './cgroup-paths.js';

/** No usable cgroup here; the message says why (logged once, shown by `describe()`). */
export class CgroupUnavailable extends Error {}

/** What the two cgroup versions share: where to look and what to set. */
export interface CgroupContext {
  /** Mount point of the cgroup file systems (`/sys/fs/cgroup`). */
  root: string;
  /** procfs mount (`/proc`). */
  procRoot: string;
  /** The control plane's pid: its groups carry it in their names. */
  selfPid: number;
  memoryMaxBytes: number | null;
  cpuWeight: number;
}

/** One cgroup mechanism set up for this control plane. */
export interface CgroupBackend {
  readonly mechanism: 'cgroup-v2' | 'cgroup-v1';
  /** The base group of each controller in use (`{ memory: '/sys/fs/cgroup/…/kekkai', … }`). */
  readonly bases: Readonly<Record<string, string>>;
  /** Creates (or reuses) the worker's groups, sets the limits, moves `pid`; returns the group dirs. */
  place(workerId: number, pid: number): Promise<string[]>;
  /** Removes the worker's groups if nothing runs in them any more; false if one is still busy. */
  release(workerId: number): Promise<boolean>;
  /** Releases every worker and removes kekkai's own groups where the kernel lets it. */
  close(): Promise<void>;
}

/** Setting up `version` under `dir` failed: the reason logged and shown by `describe()`. */
export function unwritable(version: 'v1' | 'v2', dir: string, err: unknown): CgroupUnavailable {
  const code = errorCode(err);
  return new CgroupUnavailable(`cgroup ${version} under ${dir} not writable (${code}): ${(err as Error).message.replace(`${code}: `, '')}`);
}

export function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException | null)?.code ?? 'unknown';
}

export async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

export async function readText(file: string): Promise<string> {
  return readFile(file, 'utf8');
}

/** Writes one control-file value, as the kernel expects: the whole value in one write. */
export async function writeValue(file: string, value: string | number): Promise<void> {
  await writeFile(file, `${value}\n`, { flag: 'w' });
}

/** mkdir that tolerates an existing group; true if this call created it. */
export async function mkdirOnce(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { mode: 0o755 });
    return true;
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw err;
  }
}

/** Removes a group; false when it still holds processes or groups (EBUSY, ENOTEMPTY). */
export async function rmdirQuiet(dir: string): Promise<boolean> {
  try {
    await rmdir(dir);
    return true;
  } catch (err) {
    return errorCode(err) === 'ENOENT';
  }
}

/**
 * Runs `attempt` until it returns true or `ms` have passed: a worker's Chromium may
 * still be exiting when the worker itself is gone, and its group can go only after.
 */
export async function retryFor(attempt: () => Promise<boolean>, ms = 2000): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (await attempt()) return true;
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The pids listed in a group's `cgroup.procs`. */
export async function groupPids(dir: string): Promise<number[]> {
  const text = await readText(path.join(dir, 'cgroup.procs'));
  return text
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => isPid(pid));
}

/**
 * Moves a process into a group. A process that exited meanwhile (ESRCH) is not an
 * error: there is nothing left to limit.
 */
export async function movePid(dir: string, pid: number): Promise<void> {
  if (!isPid(pid)) throw new RangeError(`invalid pid ${String(pid)}`);
  try {
    await writeValue(path.join(dir, 'cgroup.procs'), pid);
  } catch (err) {
    if (errorCode(err) !== 'ESRCH') throw err;
  }
}

/** Only the control plane's own children are ever moved into a worker group. */
export async function isChildOf(ctx: CgroupContext, pid: number): Promise<boolean> {
  try {
    return parentPid(await readText(path.join(ctx.procRoot, String(pid), 'status'))) === ctx.selfPid;
  } catch {
    return false;
  }
}

/**
 * Removes worker groups left by a kekkai control plane that is gone (killed with
 * SIGKILL, say). A group whose processes still run stays; the kernel refuses it.
 */
export async function sweepStale(base: string, ctx: CgroupContext): Promise<void> {
  const names = await readdir(base).catch(() => [] as string[]);
  for (const name of names) {
    const owner = ownerOfWorkerGroup(name);
    if (owner === null || owner === ctx.selfPid) continue;
    if (await exists(path.join(ctx.procRoot, String(owner)))) continue;
    await rmdirQuiet(path.join(base, name));
  }
}

/** The first of `names` under the cgroup root that holds `marker` (a controller's control file). */
export async function findMount(root: string, names: readonly string[], marker: string): Promise<string | null> {
  for (const name of names) {
    const dir = path.join(root, name);
    if (await exists(path.join(dir, marker))) return dir;
  }
  return null;
}
