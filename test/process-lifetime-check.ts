/**
 * Vitest global setup (vitest.config.ts): no process started by the tests outlives the
 * run (issue 15). At setup the run gets a marker, `KEKKAI_TEST_RUN=<random id>` in the
 * environment, which every process the tests start inherits — gateways, workers,
 * Chromium (the gateway passes its environment on), clamd, the user's browser; tests
 * that give a child a clean environment add it with `testRunMarker()`.
 *
 * Chromium's helpers (zygotes, renderers, GPU and utility processes) cannot be found by
 * the marker: Chromium writes its process titles over the environment block. So while
 * the run goes on, this process scans /proc every second and remembers every process
 * that descends from a marked one (by pid and start time, so a reused pid is never
 * mistaken for it). Chromium's crash handler double-forks to PID 1 but keeps the marker.
 *
 * At teardown any remembered or marked process other than vitest's own that is still
 * alive after a grace of 10 s fails the run: it is listed, then killed so that it does
 * not linger on the machine either. Other runs on the same machine carry another id
 * and are never touched.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

export const RUN_MARKER = 'KEKKAI_TEST_RUN';
const GRACE_MS = 10_000;
const SCAN_MS = 1000;

/** The marker to add to a child's environment when a test builds one from scratch. */
export function testRunMarker(): Record<string, string> {
  const id = process.env[RUN_MARKER];
  return id ? { [RUN_MARKER]: id } : {};
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

interface Proc {
  pid: number;
  ppid: number;
  start: string;
  zombie: boolean;
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

function stat(pid: number): Proc | null {
  const text = read(`/proc/${pid}/stat`);
  if (!text) return null;
  // The command name is in parentheses and may contain spaces: fields start after ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, ppid: Number(fields[1]), start: fields[19]!, zombie: fields[0] === 'Z' };
}

function cmdline(pid: number): string {
  return (read(`/proc/${pid}/cmdline`) ?? '').replaceAll('\0', ' ').trim();
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

/** Processes of one run: marked ones, and every descendant seen while the run went on. */
export class RunProcesses {
  /** `pid:start` of processes already looked at, and whether they carry the marker. */
  private readonly seen = new Map<string, boolean>();
  /** `pid:start` of the run's processes. */
  private readonly tracked = new Map<string, number>();
  private readonly needle: string;

  constructor(
    id: string,
    /** The vitest process itself: it and its pool workers (its children) are vitest's to end. */
    private readonly self = process.pid,
  ) {
    this.needle = `\0${RUN_MARKER}=${id}\0`;
  }

  scan(): void {
    const procs = allPids().flatMap((pid) => stat(pid) ?? []);
    const children = new Map<number, Proc[]>();
    for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
    const queue: Proc[] = [];
    for (const p of procs) {
      const key = `${p.pid}:${p.start}`;
      let marked = this.seen.get(key);
      if (marked === undefined) {
        marked = `\0${read(`/proc/${p.pid}/environ`) ?? ''}`.includes(this.needle);
        this.seen.set(key, marked);
      }
      if (marked || this.tracked.has(key)) queue.push(p);
    }
    while (queue.length > 0) {
      const p = queue.shift()!;
      this.tracked.set(`${p.pid}:${p.start}`, p.pid);
      for (const child of children.get(p.pid) ?? []) if (!this.tracked.has(`${child.pid}:${child.start}`)) queue.push(child);
    }
  }

  /** The run's processes alive now (same pid and start time, not zombies), vitest's own aside. */
  alive(): Leftover[] {
    this.scan();
    const out: Leftover[] = [];
    for (const [key, pid] of this.tracked) {
      const p = stat(pid);
      if (!p || p.zombie || `${p.pid}:${p.start}` !== key || pid === this.self || p.ppid === this.self) continue;
      out.push({ pid, cmdline: cmdline(pid) });
    }
    return out;
  }
}

export function setup(): () => Promise<void> {
  const id = randomUUID();
  process.env[RUN_MARKER] = id;
  const run = new RunProcesses(id);
  const timer = setInterval(() => run.scan(), SCAN_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    const deadline = Date.now() + GRACE_MS;
    let left = run.alive();
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      left = run.alive();
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
