/** How many browser workers `kekkai serve` starts when KEKKAI_WORKERS is not set. */
import os from 'node:os';

const MAX_DEFAULT = 8;
/** A worker's Chromium with a few sessions needs about this much memory (docs/PERFORMANCE.md). */
const BYTES_PER_WORKER = 1.5 * 1024 ** 3;

export function defaultWorkerCount(cores = os.availableParallelism(), memoryBytes = os.totalmem()): number {
  return Math.max(1, Math.min(cores, MAX_DEFAULT, Math.floor(memoryBytes / BYTES_PER_WORKER)));
}
