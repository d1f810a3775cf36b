/**
 * Vitest global setup (vitest.config.ts): no process started by the tests outlives the
 * run (issue 15). At setup the run gets a marker, `KEKKAI_TEST_RUN=<random id>` in the
 * environment, which every process the tests start inherits — gateways, workers,
 * Chromium (the gateway passes its environment on), clamd, the user's browser; tests
 * that give a child a clean environment add it with `testRunMarker()`. At teardown
 * any process other than vitest's own that still carries this run's marker, after a
 * grace of a few seconds, fails the run: it is listed, then killed so that it does
 * not linger on the machine either. Other runs on the same machine carry another id
 * and are never touched.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

export const RUN_MARKER = 'KEKKAI_TEST_RUN';
const GRACE_MS = 10_000;

/** The marker to add to a child's environment when a test builds one from scratch. */
export function testRunMarker(): Record<string, string> {
  const id = process.env[RUN_MARKER];
  return id ? { [RUN_MARKER]: id } : {};
}

interface Leftover {
  pid: number;
  cmdline: string;
}

function read(file: string): string | null {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return null;
  }
}

/** Living processes (not zombies) with this run's marker, vitest's own processes aside. */
export function processesOfRun(id: string): Leftover[] {
  const needle = `\0${RUN_MARKER}=${id}\0`;
  const found: Leftover[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const environ = read(`/proc/${name}/environ`);
    if (!environ || !`\0${environ}`.includes(needle)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (!stat) continue;
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Zombies hold nothing; vitest's own pool workers (its children) are vitest's to end.
    if (state === 'Z' || Number(ppid) === process.pid) continue;
    const cmdline = (read(`/proc/${name}/cmdline`) ?? '').replaceAll('\0', ' ').trim();
    found.push({ pid: Number(name), cmdline });
  }
  return found;
}

export function setup(): () => Promise<void> {
  const id = randomUUID();
  process.env[RUN_MARKER] = id;
  return async () => {
    const deadline = Date.now() + GRACE_MS;
    let left = processesOfRun(id);
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      left = processesOfRun(id);
    }
    if (left.length === 0) return;
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    const list = left.map((p) => `  pid ${p.pid}: ${p.cmdline.slice(0, 200)}`).join('\n');
    throw new Error(`${left.length} process(es) started by the tests outlived the run (killed now):\n${list}`);
  };
}

/**
 * A command line that dies with the test process: `setpriv --pdeathsig KILL` (util-linux)
 * sets the parent-death signal and execs the command (same pid). For children that are
 * not otherwise tied to the test — `kekkai serve`, remote workers — so that a test
 * process killed before its afterAll (a timeout, a crash) does not leave them running.
 */
export function diesWithTest(command: string, args: string[]): [string, string[]] {
  return ['setpriv', ['--pdeathsig', 'KILL', '--', command, ...args]];
}
