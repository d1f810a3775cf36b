/**
 * Memory and CPU of a running gateway with its browser workers, for the load bench.
 * Workers are found by the pids the pool reports (`WorkerPool.status()`); each one's
 * Chromium is everything below that pid in /proc. With `session.workers: 0` the one
 * Chromium is a child of this process (the harness runs the gateway in-process).
 */
import type { Harness } from '../test/e2e/support/gateway-harness.js';
import type { WorkerPool } from '../gateway/workers/worker-pool.js';
import { gatewayChromiumRss, machineBusySeconds, nodeRssMiB, ownCpuSeconds, userChromium, workerTreeMemory } from './proc-rss.js';
import { round } from './stats.js';

export interface WorkerReading {
  id: number;
  pid: number | null;
  sessions: number;
  nodeRssMiB: number;
  nodePssMiB: number;
  chromiumRssMiB: number;
  chromiumPssMiB: number;
  chromiumProcesses: number;
}

export interface LoadMemory {
  /** Sessions the bench had open when it read. */
  sessions: number;
  /** RSS of this process: the gateway (control plane) plus the playwright driver and the bench itself. */
  gatewayRssMiB: number;
  workers: WorkerReading[];
  /** PSS of every worker's Chromium processes together. */
  chromiumPssMiB: number;
  /** PSS of the worker processes themselves (Node), together. */
  workersNodePssMiB: number;
  /** gateway RSS + worker processes' PSS + Chromium PSS. */
  totalMiB: number;
  /**
   * CPU seconds used so far, for differences only: workers with their Chromium, this
   * process, the user's playwright Chromium, and the whole machine (other jobs included).
   */
  cpu: { workersSeconds: number; gatewaySeconds: number; userBrowserSeconds: number; machineSeconds: number };
}

/** The pool's workers, or null when the gateway runs its one Chromium in-process. */
function poolOf(harness: Harness): WorkerPool | null {
  const browser = harness.gateway.services.browser as Partial<WorkerPool>;
  return typeof browser.status === 'function' ? (browser as WorkerPool) : null;
}

/** Sessions each worker holds, in worker order (empty with `session.workers: 0`). */
export function placement(harness: Harness): number[] {
  return poolOf(harness)?.status().map((w) => w.sessions.length) ?? [];
}

export function loadMemory(harness: Harness, sessions: number): LoadMemory {
  const pool = poolOf(harness);
  const workers: WorkerReading[] = [];
  let workersSeconds = 0;
  if (pool) {
    for (const w of pool.status()) {
      const tree = w.pid === null ? null : workerTreeMemory(w.pid);
      workersSeconds += (tree?.node.cpuSeconds ?? 0) + (tree?.chromium.cpuSeconds ?? 0);
      workers.push({
        id: w.id,
        pid: w.pid,
        sessions: w.sessions.length,
        nodeRssMiB: round(tree?.node.rssMiB ?? 0),
        nodePssMiB: round(tree?.node.pssMiB ?? 0),
        chromiumRssMiB: round(tree?.chromium.rssMiB ?? 0),
        chromiumPssMiB: round(tree?.chromium.pssMiB ?? 0),
        chromiumProcesses: tree?.chromium.processes ?? 0,
      });
    }
  } else {
    const c = gatewayChromiumRss();
    workersSeconds = c.cpuSeconds;
    workers.push({ id: 0, pid: null, sessions, nodeRssMiB: 0, nodePssMiB: 0, chromiumRssMiB: round(c.rssMiB), chromiumPssMiB: round(c.pssMiB), chromiumProcesses: c.processes });
  }
  const gatewayRssMiB = nodeRssMiB();
  const chromiumPssMiB = workers.reduce((a, w) => a + w.chromiumPssMiB, 0);
  const workersNodePssMiB = workers.reduce((a, w) => a + w.nodePssMiB, 0);
  return {
    sessions,
    gatewayRssMiB: round(gatewayRssMiB),
    workers,
    chromiumPssMiB: round(chromiumPssMiB),
    workersNodePssMiB: round(workersNodePssMiB),
    totalMiB: round(gatewayRssMiB + workersNodePssMiB + chromiumPssMiB),
    cpu: { workersSeconds, gatewaySeconds: ownCpuSeconds(), userBrowserSeconds: userChromium().cpuSeconds, machineSeconds: machineBusySeconds() },
  };
}
