/**
 * Runs one spreadsheet rebuild in a fresh worker thread (spreadsheet-worker.ts) with a
 * V8 heap limit and a wall-clock limit; the worker is terminated after every file, so
 * nothing a hostile workbook did to the parser outlives it. A worker that runs out of
 * heap or time is refused (`spreadsheet-too-large`, `timeout`), never waited for.
 * Buffers outside the V8 heap are not covered by the heap limit: spreadsheet-package.ts
 * bounds the decompressed size before anything is inflated.
 */
import { Worker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';
import type { SpreadsheetLimits } from './spreadsheet-package.js';
import type { FormulaHandling, RebuiltSpreadsheet } from './spreadsheet-rebuild.js';
import type { Outcome } from './verdict.js';
import { refuse } from './verdict.js';

/** One job for the worker. */
export type SpreadsheetJob =
  | { kind: 'xlsx'; bytes: Uint8Array; formulas: FormulaHandling; limits: SpreadsheetLimits }
  | { kind: 'csv'; bytes: Uint8Array; ext: string; limits: SpreadsheetLimits };

/** Limits of the worker itself. */
export interface WorkerLimits {
  timeoutMs: number;
  heapMb: number;
}

/**
 * The worker's entry: the compiled .js next to this file; under vitest or the bench the
 * .ts source, loaded through tsx (a dev dependency; loader flags do not reach workers).
 */
function startWorker(options: WorkerOptions): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./spreadsheet-worker.js', import.meta.url), options);
  const source = new URL('./spreadsheet-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((api) => api.tsImport(${JSON.stringify(source)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(boot, { ...options, eval: true });
}

/** Rebuild one spreadsheet in a limited worker thread; never throws. */
export function runSpreadsheetWorker(job: SpreadsheetJob, limits: WorkerLimits): Promise<Outcome<RebuiltSpreadsheet>> {
  return new Promise((resolve) => {
    let settled = false;
    const worker = startWorker({
      env: {},
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: limits.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
    });
    const finish = (r: Outcome<RebuiltSpreadsheet>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(r);
    };
    const timer = setTimeout(() => finish(refuse('timeout', `spreadsheet worker killed after ${limits.timeoutMs}ms`)), limits.timeoutMs);
    worker.once('message', (r: Outcome<RebuiltSpreadsheet>) => finish(r));
    worker.once('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') finish(refuse('spreadsheet-too-large', `spreadsheet worker ran out of its ${limits.heapMb} MB heap`));
      else finish(refuse('conversion-failed', `spreadsheet worker: ${err.message.slice(0, 300)}`));
    });
    worker.once('exit', (code) => finish(refuse('conversion-failed', `spreadsheet worker exited (${code}) without a result`)));
    worker.postMessage(job);
  });
}
