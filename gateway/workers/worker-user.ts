/**
 * Local browser workers run as another user (`KEKKAI_WORKER_USER`, docs/workers.md
 * "Workers as another user"). Chromium turns its sandbox off when it runs as root, so
 * a control plane that must run as root forks its workers as an unprivileged user:
 * Chromium then keeps its namespace and seccomp sandbox, and a worker taken over by a
 * page cannot read the data directory (0700, the control plane's user).
 *
 * The workers get a work directory of their own outside the data directory, owned by
 * that user, and an environment without kekkai's settings (secrets such as
 * KEKKAI_QUARANTINE_KEY must not reach a process that runs web pages).
 */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { ENV_SETTINGS } from '../config/config-schema.js';
import type { Logger } from '../logging.js';
import { PACKAGE_ROOT } from '../paths.js';

/** How the pool forks a worker as that user (spread into child_process.fork's options). */
export interface WorkerSpawnAs {
  uid: number;
  gid: number;
  /** The worker's current directory: its work directory, which it may read. */
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface WorkerUser {
  name: string;
  uid: number;
  gid: number;
  /** Root of the workers' work directories (`<dir>/worker-N`). */
  dir: string;
  spawnAs: WorkerSpawnAs;
  /** Removes the work directory (at stop; never throws). */
  remove(): void;
}

export class WorkerUserError extends Error {
  readonly code = 'KEKKAI_ERR_WORKER_USER';
}

/** `nobody` or `65534:65534` → uid and gid (names through `id`, so NSS users count). */
export function resolveUser(spec: string): { uid: number; gid: number } {
  const numeric = /^(\d+):(\d+)$/.exec(spec);
  if (numeric) return { uid: Number(numeric[1]), gid: Number(numeric[2]) };
  const id = (flag: string): number => {
    try {
      return Number(execFileSync('id', [flag, spec], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    } catch {
      throw new WorkerUserError(`KEKKAI_WORKER_USER: no user "${spec}" on this machine`);
    }
  };
  return { uid: id('-u'), gid: id('-g') };
}

/** `<dataDir>-workers` unless configured. */
export function defaultWorkerDir(dataDir: string): string {
  return `${path.resolve(dataDir)}-workers`;
}

/**
 * The environment a worker gets: the control plane's, less every KEKKAI_* setting and
 * the XDG directories of the control plane's user, with HOME in the work directory
 * (puppeteer reads ~/.config at start; root's home is not the worker's to read).
 */
export function workerEnvironment(env: NodeJS.ProcessEnv, home: string): NodeJS.ProcessEnv {
  const settings = new Set([...ENV_SETTINGS.map((s) => s.env), 'KEKKAI_CONFIG']);
  const kept = Object.entries(env).filter(([name]) => !settings.has(name) && !name.startsWith('XDG_'));
  return { ...Object.fromEntries(kept), HOME: home };
}

/** True when a process of uid/gid may pass through (execute) every directory above `dir`. */
export function traversable(dir: string, uid: number, gid: number): string | null {
  let current = path.dirname(path.resolve(dir));
  for (;;) {
    const st = statSync(current);
    const bit = st.uid === uid ? 0o100 : st.gid === gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return current;
    const parent = path.dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

/**
 * Resolves KEKKAI_WORKER_USER and prepares its work directory; null when no user is set
 * or kekkai does not run as root (then workers run as kekkai's own user, sandbox on).
 */
export function prepareWorkerUser(options: { user: string | undefined; dir: string | undefined; dataDir: string; log: Logger }): WorkerUser | null {
  if (!options.user) return null;
  if (process.getuid?.() !== 0) {
    options.log.warn({ workerUser: options.user }, 'KEKKAI_WORKER_USER is ignored: kekkai does not run as root, so its workers run as its own user (Chromium sandbox on)');
    return null;
  }
  const { uid, gid } = resolveUser(options.user);
  if (uid === 0) throw new WorkerUserError('KEKKAI_WORKER_USER must not be root: Chromium would run without its sandbox');
  const dataDir = path.resolve(options.dataDir);
  const dir = path.resolve(options.dir ?? defaultWorkerDir(dataDir));
  if (dir === dataDir || dir.startsWith(`${dataDir}${path.sep}`) || dataDir.startsWith(`${dir}${path.sep}`)) {
    throw new WorkerUserError(`KEKKAI_WORKER_DIR (${dir}) must lie outside the data directory ${dataDir}: the workers must not reach it`);
  }
  // What a killed run left behind goes; the directory is made afresh for that user only.
  // The last step is not recursive: if anything took the name meanwhile (a link placed
  // in a shared parent such as /tmp), mkdir fails instead of handing it to that user.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
  mkdirSync(dir, { mode: 0o700 });
  chownSync(dir, uid, gid);
  const blocked = traversable(dir, uid, gid);
  if (blocked) {
    rmSync(dir, { recursive: true, force: true });
    throw new WorkerUserError(`KEKKAI_WORKER_USER ${options.user} cannot reach ${dir}: ${blocked} does not let it pass (needs x for that user); choose KEKKAI_WORKER_DIR elsewhere`);
  }
  // The worker runs kekkai's own code: a checkout under /root, say, is out of its reach.
  const code = traversable(path.join(PACKAGE_ROOT, 'bin', 'kekkai.js'), uid, gid);
  if (code) {
    rmSync(dir, { recursive: true, force: true });
    throw new WorkerUserError(`KEKKAI_WORKER_USER ${options.user} cannot reach kekkai's code in ${PACKAGE_ROOT}: ${code} does not let it pass; install kekkai where that user may read it (e.g. /opt/kekkai)`);
  }
  options.log.info({ workerUser: options.user, uid, gid, workerDir: dir }, 'browser workers run as another user (Chromium sandbox on)');
  return {
    name: options.user,
    uid,
    gid,
    dir,
    spawnAs: { uid, gid, cwd: dir, env: workerEnvironment(process.env, dir) },
    remove: () => {
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
      } catch {
        // Best effort: the next start empties it again.
      }
    },
  };
}
