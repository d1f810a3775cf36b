/**
 * Pure helpers for the per-worker cgroups (process-limits.ts, docs/workers.md): reading
 * `/proc/<pid>/cgroup`, building group paths only from validated parts, the v1 units and
 * the names kekkai gives its groups. No file access here, so all of it is unit-tested.
 */
import path from 'node:path';

/** One line of `/proc/<pid>/cgroup`: `hierarchy-id:controllers:path`. */
export interface CgroupMembership {
  hierarchyId: number;
  /** v1 controllers of that hierarchy (`['cpu', 'cpuacct']`); empty for the v2 line and named hierarchies. */
  controllers: string[];
  /** Named v1 hierarchy such as `systemd` (from `name=systemd`), otherwise null. */
  name: string | null;
  /** Absolute path of the group inside its hierarchy, e.g. `/system.slice/kekkai.service`. */
  path: string;
}

/** The group that holds kekkai's own groups, under the control plane's cgroup. */
export const BASE_GROUP = 'kekkai';
/** Leaf for the control plane (and, in v2, whatever shared its cgroup): no limits, weight 100. */
export const CONTROL_GROUP = 'control';
/** cgroup v2's default weight; the control plane keeps it so that a worker's weight is relative to it. */
export const DEFAULT_CPU_WEIGHT = 100;
/** Highest pid Linux hands out (PID_MAX_LIMIT on 64-bit). */
const MAX_PID = 4_194_304;
const MAX_WORKER_ID = 1024;
const WORKER_GROUP_RE = /^worker-(\d{1,4})\.pid-(\d{1,7})$/;

/**
 * Parses `/proc/<pid>/cgroup`. Lines that do not have the kernel's shape are dropped
 * rather than guessed at; a path that is not a clean absolute path is dropped too, so
 * nothing from this file can lead a later path out of the cgroup mount.
 */
export function parseProcCgroup(text: string): CgroupMembership[] {
  const out: CgroupMembership[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\d+):([^:]*):(\/.*)$/.exec(line.trim());
    if (!match) continue;
    const [, id, list, groupPath] = match as unknown as [string, string, string, string];
    if (!isCleanGroupPath(groupPath)) continue;
    const parts = list ? list.split(',') : [];
    const named = parts.find((p) => p.startsWith('name='));
    out.push({
      hierarchyId: Number(id),
      controllers: parts.filter((p) => !p.startsWith('name=')),
      name: named ? named.slice('name='.length) : null,
      path: groupPath,
    });
  }
  return out;
}

/** An absolute, normalized path without `.`/`..` segments, NUL or newlines. */
export function isCleanGroupPath(groupPath: string): boolean {
  if (!groupPath.startsWith('/') || /[\0\n]/.test(groupPath)) return false;
  if (groupPath === '/') return true;
  if (groupPath.endsWith('/')) return false;
  return groupPath
    .slice(1)
    .split('/')
    .every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/** The v2 (unified) membership: hierarchy 0 with no controllers listed. */
export function unifiedPath(memberships: readonly CgroupMembership[]): string | null {
  return memberships.find((m) => m.hierarchyId === 0 && m.controllers.length === 0 && m.name === null)?.path ?? null;
}

/** The v1 hierarchy that carries `controller`, with the mount directory names to try. */
export function v1Membership(memberships: readonly CgroupMembership[], controller: string): { path: string; mountNames: string[] } | null {
  const found = memberships.find((m) => m.hierarchyId > 0 && m.controllers.includes(controller));
  // Controller names become a directory name under the cgroup root: kernel names only.
  if (!found || !found.controllers.every((c) => /^[a-z0-9_]+$/.test(c))) return null;
  // Debian mounts cpu and cpuacct together as `cpu,cpuacct` and links `cpu` to it.
  const joined = found.controllers.join(',');
  return { path: found.path, mountNames: joined === controller ? [controller] : [joined, controller] };
}

/**
 * `<mount><groupPath>`, refusing anything that would leave the mount. The base group is
 * found again when the control plane was started from inside `kekkai/control` (a
 * restart by the same parent), so kekkai never nests its groups inside its own leaf.
 */
export function groupDir(mount: string, groupPath: string): string | null {
  if (!isCleanGroupPath(groupPath)) return null;
  const controlSuffix = `/${BASE_GROUP}/${CONTROL_GROUP}`;
  const own = groupPath.endsWith(controlSuffix) ? groupPath.slice(0, -controlSuffix.length) || '/' : groupPath;
  const dir = path.resolve(path.join(mount, own));
  const root = path.resolve(mount);
  return dir === root || dir.startsWith(root + path.sep) ? dir : null;
}

/** Group name of one worker of the control plane `controlPid` (kekkai instances may share a cgroup). */
export function workerGroupName(workerId: number, controlPid: number): string {
  if (!isWorkerId(workerId)) throw new RangeError(`invalid worker id ${String(workerId)}`);
  if (!isPid(controlPid)) throw new RangeError(`invalid pid ${String(controlPid)}`);
  return `worker-${workerId}.pid-${controlPid}`;
}

/** The control plane pid a worker group belongs to, or null when the name is not one of kekkai's. */
export function ownerOfWorkerGroup(name: string): number | null {
  const match = WORKER_GROUP_RE.exec(name);
  return match && isPid(Number(match[2])) ? Number(match[2]) : null;
}

export function isPid(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= MAX_PID;
}

export function isWorkerId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_WORKER_ID;
}

/** cgroup v1 `cpu.shares` for a v2 `cpu.weight` (systemd's mapping: 100 ↔ 1024). */
export function sharesForWeight(weight: number): number {
  return Math.min(262_144, Math.max(2, Math.round((weight * 1024) / DEFAULT_CPU_WEIGHT)));
}

/** The controllers a cgroup v2 `cgroup.controllers` (or `subtree_control`) file lists. */
export function parseControllers(text: string): Set<string> {
  return new Set(text.split(/\s+/).filter(Boolean));
}

/** `PPid:` of `/proc/<pid>/status`, or null. */
export function parentPid(statusText: string): number | null {
  const match = /^PPid:\s*(\d+)$/m.exec(statusText);
  return match ? Number(match[1]) : null;
}
