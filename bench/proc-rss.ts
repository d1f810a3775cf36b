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
    return { pid, ppid: Number(field('PPid')), name: field('Name'), rssKiB: Number.parseInt(field('VmRSS') || '0', 10), pssKiB, cmdline };
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
  /** Sum of VmRSS over the gateway Chromium's process tree, MiB. */
  rssMiB: number;
  /** Sum of PSS over the same processes, MiB: shared pages are counted once overall. */
  pssMiB: number;
  processes: number;
}

/** RSS of the gateway's Chromium tree: chromium processes descending from this process, minus playwright's. */
export function gatewayChromiumRss(rootPid = process.pid): ChromiumRss {
  const procs = allProcs();
  const children = new Map<number, Proc[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const subtree = (p: Proc): Proc[] => [p, ...(children.get(p.pid) ?? []).flatMap(subtree)];
  // The Debian wrapper /usr/bin/chromium is a shell script that execs the binary,
  // so the top browser process is a direct child of this process.
  const tops = (children.get(rootPid) ?? []).filter((p) => /chrom/i.test(p.name) && !p.cmdline.includes('playwright'));
  const members = tops.flatMap(subtree);
  return { rssMiB: members.reduce((a, p) => a + p.rssKiB, 0) / 1024, pssMiB: members.reduce((a, p) => a + p.pssKiB, 0) / 1024, processes: members.length };
}

export const nodeRssMiB = (): number => process.memoryUsage().rss / 2 ** 20;
