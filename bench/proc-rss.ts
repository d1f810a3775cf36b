/**
 * Resident memory of process trees, read from /proc (Linux only).
 *
 * The harness runs the gateway in this Node process, and both the gateway's
 * Chromium (puppeteer) and the user's Chromium (playwright) are children of it.
 * The gateway's browser is told apart by its command line: playwright's profile
 * directory is `playwright_chromiumdev_profile-*`, the gateway's is not.
 */
import { readdirSync, readFileSync } from 'node:fs';

interface Proc {
  pid: number;
  ppid: number;
  name: string;
  rssKiB: number;
  /** Proportional set size (shared pages split between their users); 0 when unreadable. */
  pssKiB: number;
  cmdline: string;
  /** User + system CPU time so far, in clock ticks (/proc/<pid>/stat fields 14 and 15). */
  cpuTicks: number;
}

function readProc(pid: number): Proc | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (k: string): string => status.match(new RegExp(`^${k}:\\s*(.*)$`, 'm'))?.[1] ?? '';
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    let pssKiB = 0;
    try {
      pssKiB = Number(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s*(\d+)/m)?.[1] ?? 0);
    } catch {
      /* smaps_rollup needs the same user or root */
    }
    // The command name in field 2 may hold spaces and parentheses: count fields after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuTicks = Number(after[11]) + Number(after[12]);
    return { pid, ppid: Number(field('PPid')), name: field('Name'), rssKiB: Number.parseInt(field('VmRSS') || '0', 10), pssKiB, cmdline, cpuTicks };
  } catch {
    return null; // exited meanwhile, or a kernel thread
  }
}

function allProcs(): Proc[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is Proc => p !== null);
}

export interface ChromiumRss {
  /** Sum of VmRSS over a set of processes (e.g. a Chromium's process tree), MiB. */
  rssMiB: number;
  /** Sum of PSS over the same processes, MiB: shared pages are counted once overall. */
  pssMiB: number;
  processes: number;
  /** CPU time (user + system) the live processes have used so far, seconds. */
  cpuSeconds: number;
}

/** Every process now running, with a lookup of each one's children. */
function processTable(): { byPid: Map<number, Proc>; subtree: (p: Proc) => Proc[]; children: (pid: number) => Proc[] } {
  const procs = allProcs();
  const kids = new Map<number, Proc[]>();
  for (const p of procs) kids.set(p.ppid, [...(kids.get(p.ppid) ?? []), p]);
  const subtree = (p: Proc): Proc[] => [p, ...(kids.get(p.pid) ?? []).flatMap(subtree)];
  return { byPid: new Map(procs.map((p) => [p.pid, p])), subtree, children: (pid) => kids.get(pid) ?? [] };
}

const TICKS_PER_SECOND = 100; // USER_HZ, fixed at 100 in Linux's user-space ABI

const sumOf = (members: readonly Proc[]): ChromiumRss => ({
  rssMiB: members.reduce((a, p) => a + p.rssKiB, 0) / 1024,
  pssMiB: members.reduce((a, p) => a + p.pssKiB, 0) / 1024,
  processes: members.length,
  cpuSeconds: members.reduce((a, p) => a + p.cpuTicks, 0) / TICKS_PER_SECOND,
});

/** RSS of the gateway's Chromium tree: chromium processes descending from this process, minus playwright's. */
export function gatewayChromiumRss(rootPid = process.pid): ChromiumRss {
  const table = processTable();
  // The Debian wrapper /usr/bin/chromium is a shell script that execs the binary,
  // so the top browser process is a direct child of this process.
  const tops = table.children(rootPid).filter((p) => /chrom/i.test(p.name) && !p.cmdline.includes('playwright'));
  return sumOf(tops.flatMap(table.subtree));
}

/** The user's playwright Chromium (the bench's viewers), whose CPU competes with the gateway's here. */
export function userChromium(rootPid = process.pid): ChromiumRss {
  const table = processTable();
  const tops = table.children(rootPid).filter((p) => /chrom/i.test(p.name) && p.cmdline.includes('playwright'));
  return sumOf(tops.flatMap(table.subtree));
}

/** CPU time the whole machine has been busy (all cores, every process, not idle or iowait), seconds. */
export function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return (fields.reduce((a, b) => a + b, 0) - idle) / TICKS_PER_SECOND;
}

export interface WorkerTreeMemory {
  /** The worker process itself (Node). */
  node: ChromiumRss;
  /** Everything below it: its Chromium's browser, zygote, GPU, utility and renderer processes. */
  chromium: ChromiumRss;
}

/** Memory and CPU time of one browser worker's process tree (the worker and its Chromium). */
export function workerTreeMemory(workerPid: number): WorkerTreeMemory {
  const table = processTable();
  const root = table.byPid.get(workerPid);
  if (!root) return { node: sumOf([]), chromium: sumOf([]) };
  return { node: sumOf([root]), chromium: sumOf(table.children(workerPid).flatMap(table.subtree)) };
}

/** CPU time of this process alone (the gateway in the harness, plus the playwright driver), seconds. */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export const nodeRssMiB = (): number => process.memoryUsage().rss / 2 ** 20;
