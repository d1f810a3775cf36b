/**
 * Preparing the work directory of workers run as another user (worker-user.ts). Runs
 * as root (the only case where KEKKAI_WORKER_USER applies) and says why it skips elsewhere.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareWorkerUser } from '../../../gateway/workers/worker-user.js';

const root = process.getuid?.() === 0;
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempParent(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-worker-user-'));
  made.push(dir);
  chmodSync(dir, 0o755);
  return dir;
}

// The checkout must be reachable by nobody (a clone in a 0700 temp directory is not): otherwise only the refusal can be seen.
const nobodyReachesCode = root && spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'test', '-r', process.cwd() + '/package.json']).status === 0;
describe.runIf(nobodyReachesCode)('prepareWorkerUser (as root)', () => {
  it('makes an empty work directory owned by that user, 0700, and removes it at stop', () => {
    const parent = tempParent();
    const dataDir = path.join(parent, 'data');
    mkdirSync(path.join(dataDir), { mode: 0o700 });
    // Left-overs of a killed run are emptied.
    mkdirSync(`${dataDir}-workers/worker-1`, { recursive: true });
    writeFileSync(`${dataDir}-workers/worker-1/left-over`, 'x');
    const user = prepareWorkerUser({ user: '65534:65534', dir: undefined, dataDir, log })!;
    expect(user.dir).toBe(`${dataDir}-workers`);
    const st = statSync(user.dir);
    expect({ uid: st.uid, gid: st.gid, mode: st.mode & 0o777 }).toEqual({ uid: 65534, gid: 65534, mode: 0o700 });
    expect(existsSync(`${user.dir}/worker-1`)).toBe(false);
    expect(user.spawnAs).toMatchObject({ uid: 65534, gid: 65534, cwd: user.dir });
    expect(user.spawnAs.env.HOME).toBe(user.dir);
    user.remove();
    expect(existsSync(user.dir)).toBe(false);
  });

  it('refuses a work directory inside the data directory, root as the user, and an unknown name', () => {
    const parent = tempParent();
    const dataDir = path.join(parent, 'data');
    expect(() => prepareWorkerUser({ user: '65534:65534', dir: path.join(dataDir, 'w'), dataDir, log })).toThrow(/outside the data directory/);
    expect(() => prepareWorkerUser({ user: '0:0', dir: undefined, dataDir, log })).toThrow(/must not be root/);
    expect(() => prepareWorkerUser({ user: 'no-such-user-kekkai', dir: undefined, dataDir, log })).toThrow(/no user "no-such-user-kekkai"/);
  });

  it('refuses a work directory the user cannot reach, naming the directory in the way', () => {
    const parent = tempParent();
    const closed = path.join(parent, 'closed');
    mkdirSync(closed, { mode: 0o700 });
    expect(() => prepareWorkerUser({ user: '65534:65534', dir: path.join(closed, 'workers'), dataDir: path.join(parent, 'data'), log })).toThrow(new RegExp(`${closed} does not let it pass`));
    expect(existsSync(path.join(closed, 'workers'))).toBe(false);
  });
});

describe.runIf(!root)('prepareWorkerUser (not root)', () => {
  it('ignores the setting with a warning: the workers run as this user, sandbox on', () => {
    const warnings: string[] = [];
    expect(prepareWorkerUser({ user: 'nobody', dir: undefined, dataDir: '/nonexistent', log: { ...log, warn: (_o: object, m?: string) => void warnings.push(m ?? '') } })).toBeNull();
    expect(warnings.join()).toMatch(/ignored/);
  });
});
