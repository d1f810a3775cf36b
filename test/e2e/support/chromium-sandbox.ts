/**
 * Chromium's sandbox in the end-to-end tests (issue 15). The tests run as root, where
 * Chromium starts with --no-sandbox; so, where the machine allows it, the gateway's
 * local workers run as `nobody` (KEKKAI_WORKER_USER) and Chromium keeps its sandbox.
 *
 * `sandboxPlan()` decides once per run:
 * - root and `nobody` can create a user namespace (Debian's default): workers as
 *   `nobody`, sandbox expected ON;
 * - not root: workers run as this user, sandbox expected ON when this user can create
 *   a user namespace;
 * - `KEKKAI_E2E_SANDBOX=off`, or a machine without unprivileged user namespaces: a
 *   root-only run, sandbox expected OFF, and the tests say so on stderr
 *   (`KEKKAI_E2E_SANDBOX=require` makes that a failure instead).
 *
 * `chromiumSandbox(rootPid)` reads /proc: the Chromium browser process under `rootPid`,
 * its command line, and its renderers' user and PID namespaces and seccomp mode.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { descendants, type ProcessId } from './process-table.js';

export const SANDBOX_USER = 'nobody';

export interface SandboxPlan {
  /** The sandbox must be on in the gateway's Chromium. */
  expected: boolean;
  /** KEKKAI_WORKER_USER for the harness (only as root). */
  workerUser: string | null;
  uid: number;
  gid: number;
  /** Why (printed by the tests). */
  reason: string;
}

let cached: SandboxPlan | null = null;

function idOf(flag: '-u' | '-g', user: string): number | null {
  const out = spawnSync('id', [flag, user], { encoding: 'utf8' });
  return out.status === 0 ? Number(out.stdout.trim()) : null;
}

/** Whether uid/gid (or this process) may create a user namespace: `unshare -U -r true`. */
export function canCreateUserNamespace(ids?: { uid: number; gid: number }): boolean {
  const result = spawnSync('unshare', ['-U', '-r', 'true'], { stdio: 'ignore', ...(ids ?? {}) });
  return result.status === 0;
}

export function sandboxPlan(): SandboxPlan {
  if (cached) return cached;
  const mode = process.env.KEKKAI_E2E_SANDBOX ?? 'auto';
  const root = process.getuid?.() === 0;
  let plan: SandboxPlan;
  if (!root) {
    const ok = canCreateUserNamespace();
    plan = { expected: ok, workerUser: null, uid: process.getuid!(), gid: process.getgid!(), reason: ok ? 'not root: Chromium runs sandboxed as this user' : 'not root, but this user cannot create user namespaces' };
  } else if (mode === 'off') {
    plan = { expected: false, workerUser: null, uid: 0, gid: 0, reason: 'KEKKAI_E2E_SANDBOX=off: root-only run, Chromium without its sandbox' };
  } else {
    const uid = idOf('-u', SANDBOX_USER);
    const gid = idOf('-g', SANDBOX_USER);
    const ids = uid !== null && gid !== null ? { uid, gid } : null;
    const userns = ids !== null && canCreateUserNamespace(ids);
    // The worker runs this checkout's bin/kekkai.js as that user: a checkout it cannot read (under /root, say) rules it out.
    const readable = ids !== null && spawnSync(process.execPath, [path.resolve('bin/kekkai.js'), '--help'], { stdio: 'ignore', cwd: '/', ...ids }).status === 0;
    plan =
      userns && readable
        ? { expected: true, workerUser: SANDBOX_USER, uid: uid!, gid: gid!, reason: `root: workers run as ${SANDBOX_USER} (KEKKAI_WORKER_USER), Chromium sandbox on` }
        : {
            expected: false,
            workerUser: null,
            uid: 0,
            gid: 0,
            reason: !userns
              ? `root, and ${SANDBOX_USER} cannot create user namespaces here: root-only run, Chromium without its sandbox`
              : `root, and ${SANDBOX_USER} cannot run this checkout (${path.resolve('.')}; a directory above it is closed to other users): root-only run, Chromium without its sandbox`,
          };
  }
  if (!plan.expected) {
    if (mode === 'require') throw new Error(`KEKKAI_E2E_SANDBOX=require, but the sandbox cannot be on: ${plan.reason}`);
    process.stderr.write(`[kekkai e2e] Chromium sandbox OFF in this run — ${plan.reason}\n`);
  }
  cached = plan;
  return plan;
}

/** Harness overrides: `count` local workers, as `nobody` where the plan says so. */
export function sandboxedWorkers(count = 1): Record<string, unknown> {
  const plan = sandboxPlan();
  return { 'session.workers': count, ...(plan.workerUser ? { 'session.workerUser': plan.workerUser } : {}) };
}

export interface ChromiumSandboxState {
  browser: ProcessId & { uid: number };
  /** `--no-sandbox` on the browser process's command line. */
  noSandboxFlag: boolean;
  renderers: Array<{ pid: number; ownUserNamespace: boolean; ownPidNamespace: boolean; seccomp: number }>;
}

function nsOf(pid: number, kind: 'user' | 'pid'): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/${kind}`);
  } catch {
    return null;
  }
}

function statusField(pid: number, field: string): string | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'latin1').split('\n').find((l) => l.startsWith(`${field}:`));
    return line ? line.slice(field.length + 1).trim() : null;
  } catch {
    return null;
  }
}

/** The uid a process runs as (real uid, from /proc/PID/status). */
export function uidOf(pid: number): number {
  return Number((statusField(pid, 'Uid') ?? '-1').split(/\s+/)[0]);
}

/** The Chromium below `rootPid` (a worker process, or the test process for the user's browser). */
export function chromiumSandbox(rootPid: number, filter: (p: ProcessId) => boolean = () => true): ChromiumSandboxState {
  const all = descendants(rootPid).filter((p) => /chrom/i.test(p.cmdline.split(' ')[0] ?? '') && filter(p));
  const browser = all.find((p) => !/ --type=/.test(` ${p.cmdline}`));
  if (!browser) throw new Error(`no Chromium browser process below pid ${rootPid}`);
  const below = new Set(descendants(browser.pid).map((p) => p.pid));
  const rendererProcs = all.filter((p) => below.has(p.pid) && p.cmdline.includes('--type=renderer'));
  const userNs = nsOf(browser.pid, 'user');
  const pidNs = nsOf(browser.pid, 'pid');
  return {
    browser: { ...browser, uid: uidOf(browser.pid) },
    noSandboxFlag: browser.cmdline.split(' ').includes('--no-sandbox'),
    renderers: rendererProcs.map((r) => ({
      pid: r.pid,
      ownUserNamespace: nsOf(r.pid, 'user') !== userNs,
      ownPidNamespace: nsOf(r.pid, 'pid') !== pidNs,
      // 2: seccomp-bpf filter installed (Chromium's renderer sandbox); 0: none.
      seccomp: Number(statusField(r.pid, 'Seccomp') ?? -1),
    })),
  };
}

/** True when the browser runs without --no-sandbox and every renderer is namespaced and filtered. */
export function sandboxOn(state: ChromiumSandboxState): boolean {
  return !state.noSandboxFlag && state.renderers.length > 0 && state.renderers.every((r) => r.ownUserNamespace && r.ownPidNamespace && r.seccomp === 2);
}

/** What the tests assert: the sandbox is exactly as the plan says (a sandbox off where it should be on fails). */
export function describeSandbox(state: ChromiumSandboxState): string {
  return `browser pid ${state.browser.pid} uid ${state.browser.uid}${state.noSandboxFlag ? ' --no-sandbox' : ''}; renderers: ${
    state.renderers.map((r) => `${r.pid}(userns ${r.ownUserNamespace ? 'own' : 'shared'}, pidns ${r.ownPidNamespace ? 'own' : 'shared'}, seccomp ${r.seccomp})`).join(', ') || 'none'
  }`;
}

/**
 * Asserts the sandbox of the Chromium below a worker is as the plan says: on (browser
 * without --no-sandbox, every renderer namespaced and filtered) where the machine
 * allows it — so a test fails when it is off there — and off only in a root-only run.
 */
export function expectSandboxAsPlanned(workerPid: number): ChromiumSandboxState {
  const plan = sandboxPlan();
  const state = chromiumSandbox(workerPid);
  const what = describeSandbox(state);
  expect(state.browser.uid, what).toBe(plan.workerUser ? plan.uid : process.getuid!());
  expect(state.renderers.length, what).toBeGreaterThan(0);
  if (plan.expected) expect(sandboxOn(state), what).toBe(true);
  else expect(state.noSandboxFlag, what).toBe(true);
  return state;
}
