/**
 * Reads Linux's /proc for the process-lifetime and listener checks: which processes
 * descend from the gateway (Chromium and its helpers), whether they still live, and
 * which TCP sockets they listen on.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A process identified by pid and start time, so a reused pid is not mistaken for it. */
export interface ProcessId {
  pid: number;
  startTime: string;
  cmdline: string;
}

function stat(pid: number): { ppid: number; startTime: string; state: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name is in parentheses and may contain spaces: fields start after ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, ppid: Number(fields[1]), startTime: fields[19]! };
  } catch {
    return null;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

function allPids(): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
}

/** Every living descendant of `root` (not `root` itself). */
export function descendants(root: number): ProcessId[] {
  const children = new Map<number, number[]>();
  for (const pid of allPids()) {
    const s = stat(pid);
    if (!s) continue;
    children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  }
  const out: ProcessId[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const s = stat(pid);
    if (s && s.state !== 'Z') out.push({ pid, startTime: s.startTime, cmdline: cmdline(pid) });
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** The processes of `known` that still run (same pid and start time, not a zombie). */
export function stillRunning(known: readonly ProcessId[]): ProcessId[] {
  return known.filter((p) => {
    const s = stat(p.pid);
    return s !== null && s.startTime === p.startTime && s.state !== 'Z';
  });
}

/** Living processes whose command line contains `text`. */
export function processesMentioning(text: string): ProcessId[] {
  return allPids()
    .filter((pid) => pid !== process.pid && cmdline(pid).includes(text))
    .flatMap((pid) => {
      const s = stat(pid);
      return s && s.state !== 'Z' ? [{ pid, startTime: s.startTime, cmdline: cmdline(pid) }] : [];
    });
}

function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) out.add(m[1]!);
      } catch {
        // fd closed meanwhile
      }
    }
  } catch {
    // process gone
  }
  return out;
}

/** TCP ports (IPv4 and IPv6) on which any of `pids` listens. */
export function listeningPorts(pids: readonly number[]): number[] {
  const inodes = new Set(pids.flatMap((pid) => [...socketInodes(pid)]));
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'latin1').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // st 0A is LISTEN; column 9 is the socket's inode.
      if (cols[3] === '0A' && inodes.has(cols[9]!)) ports.push(parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

/** Chromium browser processes (not their helpers) started with this profile directory. */
export function chromiumWithProfile(profileDir: string): number[] {
  const marker = `--user-data-dir=${profileDir}`;
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        return cmd.includes(marker) && !cmd.some((a) => a.startsWith('--type='));
      } catch {
        return false;
      }
    })
    .map(Number);
}
