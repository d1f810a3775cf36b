/**
 * `npm run bench`: streaming figures through a real gateway (real Chromium),
 * gateway memory, policy evaluation, the egress proxy's added latency and sanitizer
 * throughput. Prints a table with targets and PASS/MISS, and writes JSON to
 * bench/results/<ISO date>.json.
 * Not a timed test: figures depend on the machine and its load.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM, STAFF_PASSWORD, addStaff, browseTo, launchUserBrowser, login, newUserContext, startHarness } from '../test/e2e/support/gateway-harness.js';
import { startFixtureSite } from '../test/e2e/support/fixture-site.js';
import { loadBench, type LoadResult } from './load-bench.js';
import { machineFacts } from './machine.js';
import { policyBench, type PolicyResult } from './policy-bench.js';
import { proxyBench, type ProxyResult } from './proxy-bench.js';
import { sanitizerBench, type SanitizerResult } from './sanitizer-bench.js';
import { spreadsheetBench, type SpreadsheetBenchResult } from './spreadsheet-bench.js';
import { recordingBench } from './recording-bench.js';
import { round, sleep } from './stats.js';
import { remoteScreenshot } from '../test/e2e/support/remote-picture.js';
import { WsByteCounter, inputToFrameLatency, memoryPoint, timeToFirstFrame, traffic, type FirstFrameResult, type LatencyResult, type MemoryPoint, type TrafficResult } from './streaming.js';

const CLICKS = Number(process.env.BENCH_CLICKS ?? 60);
const FIRST_FRAME_RUNS = Number(process.env.BENCH_FIRST_FRAME_RUNS ?? 8);
const ONLY = (process.env.BENCH_ONLY ?? 'stream,memory,policy,proxy,sanitizer,spreadsheet,recording').split(',');
const PROXY_REQUESTS = Number(process.env.BENCH_PROXY_REQUESTS ?? 500);
/** Load mode (BENCH_ONLY=load, not in the default set: it takes minutes per worker count). */
const LOAD_SESSIONS = Number(process.env.BENCH_LOAD_SESSIONS ?? 40);
const LOAD_SCROLLING = Number(process.env.BENCH_LOAD_SCROLLING ?? 10);
const LOAD_WORKERS = (process.env.BENCH_LOAD_WORKERS ?? '1,2,4').split(',').map(Number);
const LOAD_CONCURRENCY = Number(process.env.BENCH_LOAD_CONCURRENCY ?? 4);
/** Extra gateway config for comparison runs, e.g. BENCH_GATEWAY='{"stream.maxDeviceScaleFactor":1}'. */
const GATEWAY_OVERRIDES = JSON.parse(process.env.BENCH_GATEWAY ?? '{}') as Record<string, unknown>;

interface Row {
  figure: string;
  value: string;
  target: string;
  status: 'PASS' | 'MISS' | 'info' | 'skipped';
}

const rows: Row[] = [];
const row = (figure: string, value: string, target = '', pass?: boolean): void => {
  rows.push({ figure, value, target, status: target === '' ? 'info' : pass ? 'PASS' : 'MISS' });
};

async function streamingBench(): Promise<{ latency: LatencyResult; firstFrame: FirstFrameResult; traffic: TrafficResult }> {
  const site = await startFixtureSite();
  const harness = await startHarness(GATEWAY_OVERRIDES, [site.url]);
  // Staff are who the figures are for (and have no second factor to type).
  await addStaff(harness);
  const browser = await launchUserBrowser();
  try {
    const context = await newUserContext(browser);
    const page = await context.newPage();
    const counter = new WsByteCounter(page);
    await login(page, harness.url, 'staff', STAFF_PASSWORD);
    const latency = await inputToFrameLatency(page, `${site.url}/color`, CLICKS);
    const t = await traffic(page, counter, `${site.url}/japanese`, 10, () => remoteScreenshot(harness, `${site.url}/japanese`));
    await context.close();
    const firstFrame = await timeToFirstFrame(browser, harness, FIRST_FRAME_RUNS);
    return { latency, firstFrame, traffic: t };
  } finally {
    await browser.close();
    await harness.close();
    await site.close();
  }
}

async function memoryBench(): Promise<MemoryPoint[]> {
  const site = await startFixtureSite();
  const harness = await startHarness(GATEWAY_OVERRIDES, [site.url]);
  // Staff are who the figures are for (and have no second factor to type).
  await addStaff(harness);
  const browser = await launchUserBrowser();
  const points: MemoryPoint[] = [];
  try {
    await sleep(3000);
    points.push(memoryPoint(0));
    for (let i = 1; i <= 5; i++) {
      const page = await (await newUserContext(browser)).newPage();
      await login(page, harness.url, 'staff', STAFF_PASSWORD);
      await browseTo(page, `${site.url}/japanese`, '日本語の記事');
      if (i === 1 || i === 5) {
        await sleep(5000); // let the warm pool refill and memory settle
        points.push(memoryPoint(i));
      }
    }
    return points;
  } finally {
    await browser.close();
    await harness.close();
    await site.close();
  }
}

const ms = (v: number): string => `${round(v, 0)} ms`;
const kib = (bytesPerSec: number): string => (bytesPerSec < 1024 ? `${round(bytesPerSec, 0)} B/s` : `${round(bytesPerSec / 1024, 1)} KiB/s`);

function loadRows(r: LoadResult): void {
  const w = `${r.workers} worker${r.workers === 1 ? '' : 's'}`;
  row(`[${w}] sessions open (${r.openSeconds} s; per worker ${r.placement.join('/') || '—'})`, `${r.opened} of ${r.requested}${r.failures.length ? `, ${r.failures.length} failed` : ''}`, `40`, r.opened >= 40);
  const p = r.probe;
  if (p) {
    row(`[${w}] probe input→frame p50 (n=${p.ms.n}${p.timeouts ? `, ${p.timeouts} timed out` : ''}) while ${r.scrollers.count} scroll`, ms(p.ms.p50));
    row(`[${w}] probe input→frame p95`, ms(p.ms.p95), '≤ 150 ms', p.ms.p95 <= 150 && p.timeouts === 0 && r.scrollers.count >= 10);
    row(`[${w}] probe input→frame max`, ms(p.ms.max));
  } else row(`[${w}] probe`, 'no session opened', '≤ 150 ms', false);
  row(`[${w}] Chromium PSS per idle session (all ÷ ${r.opened}; marginal)`, `${r.pssPerSessionMiB} MiB; ${r.marginalPssPerSessionMiB} MiB`, '≤ 80 MiB', r.pssPerSessionMiB <= 80);
  const m = r.memory;
  row(`[${w}] memory empty / idle / scrolling (gateway RSS + workers PSS + Chromium PSS)`, [m.empty, m.idle, m.scrolling].map((x) => `${Math.round(x.totalMiB)}`).join(' / ') + ` MiB (gateway ${Math.round(m.idle.gatewayRssMiB)}, workers ${Math.round(m.idle.workersNodePssMiB)}, Chromium ${Math.round(m.idle.chromiumPssMiB)} idle)`);
  const c = r.cpuCores;
  row(`[${w}] scrolling sessions × frames/s each; cores busy: workers, gateway process, user's Chromium, whole machine`, `${r.scrollers.count} × ${r.scrollers.framesPerSecondEach}${r.scrollers.errors.length ? ` (${r.scrollers.errors.length} errors)` : ''}; ${c.workers}, ${c.gateway}, ${c.userBrowser}, ${c.machine}`);
  row(`[${w}] sessions per core (open ÷ ${os.availableParallelism()}); load avg start → end`, `${r.sessionsPerCore}; ${r.loadAverage.start.join(' ')} → ${r.loadAverage.end.join(' ')}`);
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const machine = machineFacts(CHROMIUM);
  console.log(`kekkai bench — ${startedAt.toISOString()}`);
  console.log(`${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemoryGiB} GiB, Node ${machine.node}, ${machine.chromium}, load ${machine.loadAverageAtStart.join(' ')}`);
  const result: Record<string, unknown> = { startedAt: startedAt.toISOString(), machine, settings: { clicks: CLICKS, firstFrameRuns: FIRST_FRAME_RUNS, gatewayOverrides: GATEWAY_OVERRIDES, proxyRequests: PROXY_REQUESTS, load: { sessions: LOAD_SESSIONS, scrolling: LOAD_SCROLLING, workers: LOAD_WORKERS, concurrency: LOAD_CONCURRENCY } } };

  if (ONLY.includes('stream')) {
    console.log('… streaming (latency, first frame, bytes per second)');
    const s = await streamingBench();
    result.streaming = s;
    const l = s.latency.ms;
    row(`input→frame p50 (n=${l.n}${s.latency.timeouts ? `, ${s.latency.timeouts} timed out` : ''})`, ms(l.p50), '≤ 30 ms', l.p50 <= 30);
    row('input→frame p95', ms(l.p95), '≤ 60 ms', l.p95 <= 60 && s.latency.timeouts === 0);
    row('input→frame max', ms(l.max));
    const f = s.firstFrame.totalMs;
    row(`first frame after login p50 (n=${f.n})`, ms(f.p50), '≤ 1000 ms', f.p50 <= 1000);
    row('first frame after login max', ms(f.max), '≤ 1000 ms', f.max <= 1000);
    row('  of which after viewer page start, p50', ms(s.firstFrame.afterViewerLoadMs.p50));
    row(`idle page, ${s.traffic.seconds} s`, `${kib(s.traffic.idleBytesPerSec)}, ${round(s.traffic.idleFramesPerSec, 2)} frames/s`, '≈ 0 B/s (< 1 KiB/s)', s.traffic.idleBytesPerSec < 1024);
    const t = s.traffic;
    row(`scrolling article, ${t.seconds} s: bytes/s`, `${round(t.scrollBytesPerSec / 1048576, 2)} MiB/s (${round(t.scrollMeanFrameKiB, 1)} KiB/frame)`, '≤ 0.5 MiB/s', t.scrollBytesPerSec <= 0.5 * 1048576);
    row('scrolling article: frames/s', `${round(t.scrollFramesPerSec, 1)} frames/s`, '≥ 20 frames/s', t.scrollFramesPerSec >= 20);
    row('after scrolling: settled (lossless) picture, canvas vs Page.captureScreenshot', t.settle ? `PSNR ${t.settle.psnr === Infinity ? '∞ (identical)' : `${round(t.settle.psnr, 1)} dB`}, ${round(t.settle.differingShare * 100, 3)} % pixels differ, settled ${ms(t.settle.ms)} after the last wheel` : 'did not settle', '≥ 40 dB', (t.settle?.psnr ?? 0) >= 40);
  }
  if (ONLY.includes('recording')) {
    const r = await recordingBench(Math.min(CLICKS, 40), GATEWAY_OVERRIDES);
    for (const phase of ['idle', 'scrolling'] as const) {
      row(`recording storage, ${phase} article`, `${r.recorded[phase].mibPerHour} MiB per recorded hour`);
      row(`  gateway CPU ${phase}: not recorded → recorded`, `${r.notRecorded[phase].cpuPercent} % → ${r.recorded[phase].cpuPercent} % of a core`);
    }
    const on = r.watermarkOn.ms;
    const off = r.watermarkOff.ms;
    row('input→frame p50/p95, watermark off → on', `${ms(off.p50)}/${ms(off.p95)} → ${ms(on.p50)}/${ms(on.p95)}`);
  }
  if (ONLY.includes('memory')) {
    console.log('… memory with 0, 1 and 5 sessions');
    const points = await memoryBench();
    const one = points.find((p) => p.sessions === 1);
    const five = points.find((p) => p.sessions === 5);
    const perSession = one && five ? (five.totalMiB - one.totalMiB) / 4 : Number.NaN;
    const perSessionPss = one && five ? (five.totalPssMiB - one.totalPssMiB) / 4 : Number.NaN;
    result.memory = {
      points,
      perSessionRssMiB: round(perSession),
      perSessionPssMiB: round(perSessionPss),
      sessionsPerGiBByRss: round(1024 / perSession, 1),
      sessionsPerGiBByPss: round(1024 / perSessionPss, 1),
    };
    for (const p of points) {
      row(`memory, ${p.sessions} session(s)`, `RSS ${p.totalMiB} MiB / PSS ${p.totalPssMiB} MiB (node ${p.nodeRssMiB} + chromium ${p.chromiumRssMiB} RSS, ${p.chromiumPssMiB} PSS, ${p.chromiumProcesses} procs)`);
    }
    row('memory per extra session (1→5)', `RSS ${round(perSession)} MiB, PSS ${round(perSessionPss)} MiB → ${round(1024 / perSessionPss, 1)} sessions/GiB (PSS)`);
  }
  if (ONLY.includes('policy')) {
    console.log('… policy evaluation');
    const p: PolicyResult = policyBench();
    result.policy = p;
    row('policy evals/s (10k mixed rules, 25% wildcard/regex, 1M-domain list)', `${round(p.evaluationsPerSec, 0)}`, '≥ 100,000/s', p.evaluationsPerSec >= 100_000);
    row('  same, per CPU-second the bench got (load-independent)', `${round(p.evaluationsPerCpuSec, 0)}`);
    row('  same with 10k-domain list (flatness)', `${round(p.smallListEvaluationsPerSec, 0)}`);
    row('  10k host/domain rules only, 1M-domain list', `${round(p.hostDomainEvaluationsPerSec, 0)}`);
    row('  first evaluation (compile)', `${round(p.compileSeconds, 2)} s`);
  }
  if (ONLY.includes('proxy')) {
    console.log('… egress proxy added latency (in-process, loopback, 1,000-rule policy hook)');
    const x: ProxyResult = await proxyBench(PROXY_REQUESTS);
    result.proxy = x;
    const msx = (v: number): string => `${round(v, 2)} ms`;
    for (const [name, c] of [['HTTP GET', x.http], ['CONNECT + GET', x.connect]] as const) {
      row(`proxy added latency, ${name}, p95(proxied) − p95(direct) (n=${c.pairs} pairs)`, msx(c.addedP95Ms), '≤ 2 ms', c.addedP95Ms <= 2);
      row(`  ${name}: p50(proxied) − p50(direct); median of paired differences`, `${msx(c.addedP50Ms)}; ${msx(c.pairedDiffMs.p50)}`);
      row(`  ${name}: direct p50/p95, proxied p50/p95`, `${msx(c.directMs.p50)}/${msx(c.directMs.p95)}, ${msx(c.proxiedMs.p50)}/${msx(c.proxiedMs.p95)}`);
      row(`  ${name}: CPU per request, direct → proxied (mean)`, `${msx(c.directCpuMeanMs)} → ${msx(c.proxiedCpuMeanMs)}`);
    }
    row('  policy hook alone (1,000 rules), mean', `${round(x.decideMeanUs, 1)} µs`);
  }
  if (ONLY.includes('sanitizer')) {
    console.log('… sanitizer (private clamd)');
    const z: SanitizerResult = await sanitizerBench();
    result.sanitizer = z;
    if (z.skipped !== undefined) rows.push({ figure: 'sanitizer', value: z.skipped, target: '', status: 'skipped' });
    else {
      row(`PDF pages/s at 150 dpi, PDFium + text layer (${z.pdfPages}-page Japanese PDF, ${round(z.pdfSeconds!, 1)} s)`, `${round(z.pdfPagesPerSec!, 1)}`, `≥ 20/s on 2 cores`, z.pdfPagesPerSec! >= 20);
      row('PDF output per text page, PDFium + text layer', `${round(z.pdfOutputKiBPerPage!, 0)} KiB`, '≤ 80 KB', z.pdfOutputKiBPerPage! * 1024 <= 80_000);
      row('  PDFium output searchable (pdftotext finds a Japanese phrase)', z.pdfium!.searchable ? 'yes' : 'no', 'yes', z.pdfium!.searchable);
      row('  poppler fallback: pages/s, KiB/page, searchable', `${round(z.poppler!.pagesPerSec, 1)}, ${round(z.poppler!.outputKiBPerPage, 0)} KiB, ${z.poppler!.searchable ? 'yes' : 'no'}`);
      if (typeof z.reference === 'string') rows.push({ figure: 'pixels-to-PDF reference (PyMuPDF)', value: z.reference, target: '', status: 'skipped' });
      else if (z.reference) {
        row('  pixels-to-PDF reference (PyMuPDF, Dangerzone\'s method): pages/s, KiB/page', `${round(z.reference.pagesPerSec, 1)}, ${round(z.reference.outputKiBPerPage, 0)} KiB`);
        const ratio = z.pdfPagesPerSec! / z.reference.pagesPerSec;
        row('PDFium pages/s ÷ reference pages/s (same run; sanitize() with clamd scans vs render + rebuild)', `${round(ratio, 2)}×`, '≥ 3×', ratio >= 3);
        if (z.pdfiumRebuildOnly) {
          const same = z.pdfiumRebuildOnly.pagesPerSec / z.reference.pagesPerSec;
          row(`  PDFium render + rebuild alone (no scans): ${round(z.pdfiumRebuildOnly.pagesPerSec, 1)} pages/s; ÷ reference`, `${round(same, 2)}×`, '≥ 3×', same >= 3);
        }
      }
      row(`images/s (${z.imageSize})`, `${round(z.imagesPerSec!, 1)}`);
      row(`scanner throughput (${z.scannerPayloadMB} MiB via INSTREAM)`, `${round(z.scannerMBPerSec!, 0)} MiB/s`);
    }
  }
  if (ONLY.includes('spreadsheet')) {
    console.log('… spreadsheets rebuilt as .xlsx (private clamd)');
    const s: SpreadsheetBenchResult = await spreadsheetBench();
    result.spreadsheet = s;
    if (s.skipped !== undefined) rows.push({ figure: 'spreadsheets', value: s.skipped, target: '', status: 'skipped' });
    else {
      row(`spreadsheets/s, one-sheet Japanese form (${s.formCells} cells) → new .xlsx`, `${round(s.formPerSec!, 2)}`);
      row(`spreadsheets/s, ${s.listCells} cell list → new .xlsx (${round(s.listOutputKiB!, 0)} KiB out)`, `${round(s.listPerSec!, 2)}`);
    }
  }
  if (ONLY.includes('load')) {
    const loads: LoadResult[] = [];
    result.load = loads;
    for (const workers of LOAD_WORKERS) {
      console.log(`… load: ${LOAD_SESSIONS} sessions, ${LOAD_SCROLLING} scrolling, probe; session.workers = ${workers}`);
      const settings = { sessions: LOAD_SESSIONS, scrolling: LOAD_SCROLLING, clicks: CLICKS, concurrency: LOAD_CONCURRENCY, overrides: GATEWAY_OVERRIDES };
      loads.push(await loadBench(workers, settings, (line) => console.log(line)));
      loadRows(loads.at(-1)!);
    }
  }

  result.rows = rows;
  result.loadAverageAtEnd = os.loadavg().map((v) => round(v, 2));
  result.finishedAt = new Date().toISOString();
  const w = [Math.max(...rows.map((r) => r.figure.length)), Math.max(...rows.map((r) => r.value.length)), Math.max(...rows.map((r) => r.target.length))];
  console.log('');
  console.log(`${'figure'.padEnd(w[0]!)}  ${'measured'.padEnd(w[1]!)}  ${'target'.padEnd(w[2]!)}  result`);
  for (const r of rows) console.log(`${r.figure.padEnd(w[0]!)}  ${r.value.padEnd(w[1]!)}  ${r.target.padEnd(w[2]!)}  ${r.status}`);
  const dir = path.join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${startedAt.toISOString().replaceAll(':', '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nload average at end: ${(result.loadAverageAtEnd as number[]).join(' ')}; JSON: ${path.relative(process.cwd(), file)}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
