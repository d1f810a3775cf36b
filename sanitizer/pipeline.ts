import { readFile, stat } from 'node:fs/promises';
import { checkName, outputName } from './file-name.js';
import type { CheckedName } from './file-name.js';
import type { FilePolicy } from './file-policy.js';
import type { ReconstructDeps } from './reconstruct.js';
import { reconstruct } from './reconstruct.js';
import type { Scanner } from './scanner.js';
import { detectTrueType } from './true-type.js';
import type { Detection } from './true-type.js';
import { TYPE_INFO } from './type-table.js';
import type { TrueType } from './type-table.js';
import type { Block, Change, Outcome, Stage, Step, Verdict } from './verdict.js';
import { blockedVerdict, pass, refuse } from './verdict.js';
import { findInfectedMember, rebuildZip } from './zip-sanitizer.js';

/** Engines the pipeline runs; see {@link createDefaultDeps} for the real ones. */
export interface SanitizerDeps extends ReconstructDeps {
  scanner: Scanner;
}

/** The file to sanitize: bytes in memory, or a path (size-checked before reading). */
export type SanitizeInput = { name: string; bytes: Uint8Array } | { name: string; path: string };

interface Job {
  policy: FilePolicy;
  deps: SanitizerDeps;
  steps: Step[];
}

interface FileResult {
  name: string;
  bytes: Uint8Array;
  type: TrueType;
  inputType: TrueType;
  changes: Change[];
}

async function timed<T>(job: Job, stage: Stage, prefix: string, fn: () => Promise<Outcome<T>>, detail: (v: T) => string): Promise<Outcome<T>> {
  const t0 = performance.now();
  const r = await fn();
  job.steps.push({ stage, detail: prefix + (r.ok ? detail(r.value) : `blocked: ${r.block.reason}: ${r.block.detail}`), ms: Math.round(performance.now() - t0) });
  return r;
}

const KNOWN_EXTENSIONS = new Set(Object.values(TYPE_INFO).flatMap((i) => i.names));

/** Steps 1–2: true type, name and limits. */
function classify(name: CheckedName, det: Detection, size: number, policy: FilePolicy): Outcome<Detection> {
  if (det.encrypted) return refuse('encrypted', det.detail);
  const info = TYPE_INFO[det.type];
  if (det.type === 'other') {
    if (KNOWN_EXTENSIONS.has(name.ext)) return refuse('type-mismatch', `named .${name.ext} but is ${det.detail}`);
    return refuse('type-not-allowed', det.detail);
  }
  if (name.ext !== '' && !info.names.includes(name.ext)) return refuse('type-mismatch', `named .${name.ext} but is ${det.type}`);
  if (info.group === null || !policy.allowedGroups.includes(info.group)) return refuse('blocked-by-policy', `group ${info.group} is not allowed`);
  const max = policy.maxBytes[info.group];
  if (size > max) return refuse('too-large', `${size} bytes > ${max} for ${info.group}`);
  return pass(det);
}

async function scanStage(job: Job, bytes: Uint8Array, prefix: string): Promise<Outcome<true>> {
  return timed(job, 'scan', prefix, async () => {
    const r = await job.deps.scanner.scan(bytes);
    switch (r.status) {
      case 'clean':
        return pass(true as const);
      case 'infected':
        if (r.signature.startsWith('Heuristics.Encrypted')) return refuse('encrypted', `clamd: ${r.signature}`, r.signature);
        if (r.signature.startsWith('Heuristics.Limits.Exceeded')) return refuse('scan-limit-exceeded', `clamd: ${r.signature}`, r.signature);
        return refuse('infected', `clamd: ${r.signature}`, r.signature);
      case 'limit-exceeded':
        return refuse('scan-limit-exceeded', r.detail);
      default:
        return refuse('scanner-unavailable', r.detail);
    }
  }, () => 'clean');
}

/** One file (or archive member) through steps 1–4. */
async function processFile(job: Job, rawName: string, bytes: Uint8Array, depth: number, scan: boolean): Promise<Outcome<FileResult> & { inputType?: TrueType }> {
  const prefix = depth > 0 ? `[${rawName}] ` : '';
  const name = await timed(job, 'name', prefix, async () => checkName(rawName), (n) => `ok (.${n.ext || 'none'})`);
  if (!name.ok) return name;
  const det = await detectTrueType(bytes);
  const classified = await timed(job, 'type', prefix, async () => classify(name.value, det, bytes.length, job.policy), (d) => `${d.type}: ${d.detail}`);
  if (!classified.ok) return { ...classified, inputType: det.type };
  const inputType = det.type;
  if (scan) {
    const s = await scanStage(job, bytes, prefix);
    if (!s.ok && s.block.reason === 'infected' && det.type === 'zip') {
      // Name the infected member for the security team (clamd names only the signature).
      const member = await findInfectedMember(bytes, job.policy, async (m) => (await job.deps.scanner.scan(m)).status === 'infected').catch(() => null);
      if (member) return { ...refuse('infected', `${s.block.detail} in member ${JSON.stringify(member)}`, s.block.signature), inputType };
    }
    if (!s.ok) return { ...s, inputType };
  }
  const rebuilt = await timed(job, 'reconstruct', prefix, async () => {
    if (det.type !== 'zip') return reconstruct(bytes, det, name.value.ext, job.policy, job.deps);
    const z = await rebuildZip(bytes, job.policy, depth + 1, async (memberName, memberBytes) => {
      const m = await processFile(job, memberName, memberBytes, depth + 1, false);
      return m.ok ? pass({ name: m.value.name, bytes: m.value.bytes }) : m;
    });
    return z.ok ? pass({ bytes: z.value.bytes, type: 'zip' as TrueType, detail: `zip with ${z.value.members} member(s) rebuilt`, changes: [{ kind: 'archive-rebuilt', members: z.value.members } as Change] }) : z;
  }, (v) => `${v.type}: ${v.detail}`);
  if (!rebuilt.ok) return { ...rebuilt, inputType };
  const outName = outputName(name.value, TYPE_INFO[rebuilt.value.type].ext);
  return pass({ name: outName, bytes: rebuilt.value.bytes, type: rebuilt.value.type, inputType, changes: rebuilt.value.changes });
}

/** Step 5: the output must be what we meant to produce, and scan clean. */
async function recheck(job: Job, out: FileResult): Promise<Outcome<true>> {
  const t = await timed(job, 'recheck', '', async () => {
    const det = await detectTrueType(out.bytes);
    const same = det.type === out.type || (['text', 'csv'].includes(det.type) && ['text', 'csv'].includes(out.type));
    return same ? pass(det.type) : refuse('recheck-failed', `output detected as ${det.type}, expected ${out.type}`);
  }, (type) => `output is ${type}`);
  if (!t.ok) return t;
  const s = await scanStage(job, out.bytes, 'output: ');
  if (!s.ok && s.block.reason !== 'scanner-unavailable') return refuse('recheck-failed', s.block.detail, s.block.signature);
  return s;
}

async function readInput(input: SanitizeInput, policy: FilePolicy): Promise<Outcome<Uint8Array>> {
  if ('bytes' in input) return pass(input.bytes);
  const max = Math.max(...Object.values(policy.maxBytes));
  const st = await stat(input.path);
  if (!st.isFile()) return refuse('type-not-allowed', 'not a regular file');
  if (st.size > max) return refuse('too-large', `${st.size} bytes > ${max}`);
  return pass(new Uint8Array(await readFile(input.path)));
}

/**
 * Run the whole pipeline on one file: name and true type, limits, antivirus,
 * reconstruction, and a final type check and re-scan of the output. Never throws and
 * never returns the input bytes: every failure, exception or timeout is a blocked
 * verdict (fail closed).
 */
export async function sanitize(input: SanitizeInput, policy: FilePolicy, deps: SanitizerDeps): Promise<Verdict> {
  const job: Job = { policy, deps, steps: [] };
  let inputType: TrueType | undefined;
  try {
    const bytes = await readInput(input, policy);
    if (!bytes.ok) return blockedVerdict(bytes.block, job.steps);
    const r = await processFile(job, input.name, bytes.value, 0, true);
    inputType = r.inputType;
    if (!r.ok) return blockedVerdict(r.block, job.steps, inputType);
    const checked = await recheck(job, r.value);
    if (!checked.ok) return blockedVerdict(checked.block, job.steps, inputType);
    const { name, bytes: out, type } = r.value;
    return {
      verdict: 'sanitized',
      inputType: r.value.inputType,
      output: { name, bytes: out, trueType: type, mimeType: TYPE_INFO[type].mime },
      changes: r.value.changes,
      steps: job.steps,
    };
  } catch (err) {
    const block: Block = { reason: 'internal-error', detail: err instanceof Error ? err.message : String(err) };
    return blockedVerdict(block, job.steps, inputType);
  }
}
