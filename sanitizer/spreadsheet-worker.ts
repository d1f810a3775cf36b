/**
 * Entry point of the spreadsheet worker thread (started by spreadsheet-runner.ts, one
 * per file, terminated afterwards): reads one job from its parent, rebuilds the
 * workbook and posts the result back. All parsing of the hostile file happens here,
 * under the worker's heap limit and the parent's time limit.
 */
import { parentPort } from 'node:worker_threads';
import { inspectPackage } from './spreadsheet-package.js';
import { csvToWorkbook, rebuildWorkbook } from './spreadsheet-rebuild.js';
import type { RebuiltSpreadsheet } from './spreadsheet-rebuild.js';
import type { SpreadsheetJob } from './spreadsheet-runner.js';
import type { Outcome } from './verdict.js';

async function run(job: SpreadsheetJob): Promise<Outcome<RebuiltSpreadsheet>> {
  if (job.kind === 'csv') return csvToWorkbook(job.bytes, job.ext, job.limits);
  const pkg = inspectPackage(job.bytes, job.limits);
  if (!pkg.ok) return pkg;
  return rebuildWorkbook(pkg.value, job.formulas, job.limits);
}

parentPort?.once('message', (job: SpreadsheetJob) => {
  run(job).then(
    (r) => parentPort!.postMessage(r, r.ok ? [r.value.bytes.buffer as ArrayBuffer] : []),
    (err: unknown) => parentPort!.postMessage({ ok: false, block: { reason: 'conversion-failed', detail: `spreadsheet worker: ${err instanceof Error ? err.message : String(err)}`.slice(0, 400) } }),
  );
});
