/**
 * `kekkai sanitize FILE... --out DIR [--json]`: the download pipeline without the
 * gateway (scan with clamd, rebuild, re-check), e.g. for a USB-import kiosk. Only
 * sanitized files are written to DIR; originals are never copied. Without a
 * reachable clamd every file is blocked `scanner-unavailable`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDefaultDeps, sanitize, type FilePolicy, type Verdict } from '../../sanitizer/index.js';
import { FilePolicyService } from '../admin/file-policy-service.js';
import type { Config } from '../config/config-schema.js';
import { loadFilePolicy } from '../downloads/download-setup.js';
import { openDatabase } from '../database.js';

const USAGE = 'Usage: kekkai sanitize FILE... --out DIR [--json]\n';

/** One line of --json output per input file. */
export interface SanitizeLine {
  input: string;
  verdict: 'sanitized' | 'blocked';
  reason: string | null;
  type: string | null;
  output: string | null;
  /** SHA-256 of the input file, for the import log. */
  sha256: string | null;
  signature: string | null;
}

export async function runSanitize(args: string[], config: Readonly<Config>): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { out: { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: true });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals: files } = parsed;
  if (!values.out || files.length === 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  const outDir = path.resolve(values.out);
  mkdirSync(outDir, { recursive: true });
  const deps = await createDefaultDeps({ clamdAddress: config.clamd, pdfRenderer: config.download.pdfRenderer });
  const policy = filePolicyFor(config);
  for (const file of files) {
    const line = await sanitizeOne(file, outDir, policy, deps);
    process.stdout.write(values.json ? `${JSON.stringify(line)}\n` : `${describe(line)}\n`);
  }
  return 0;
}

/** KEKKAI_FILE_POLICY when set, else the admin console's file policy, else the defaults. */
function filePolicyFor(config: Readonly<Config>): FilePolicy {
  if (config.download.filePolicyFile) return loadFilePolicy(config.download.filePolicyFile)(null);
  if (!existsSync(path.join(config.dataDir, 'kekkai.db'))) return loadFilePolicy(undefined)(null);
  const db = openDatabase(config.dataDir);
  try {
    return new FilePolicyService(db).currentFilePolicy();
  } finally {
    db.close();
  }
}

async function sanitizeOne(file: string, outDir: string, policy: FilePolicy, deps: Awaited<ReturnType<typeof createDefaultDeps>>): Promise<SanitizeLine> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return { input: file, verdict: 'blocked', reason: 'unreadable', type: null, output: null, sha256: null, signature: null };
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const verdict: Verdict = await sanitize({ name: path.basename(file), bytes }, policy, deps);
  if (verdict.verdict === 'blocked') {
    return { input: file, verdict: 'blocked', reason: verdict.reason, type: verdict.inputType ?? null, output: null, sha256, signature: verdict.signature ?? null };
  }
  const target = freeName(outDir, verdict.output.name);
  writeFileSync(target, verdict.output.bytes, { mode: 0o644 });
  return { input: file, verdict: 'sanitized', reason: null, type: verdict.inputType, output: target, sha256, signature: null };
}

/** DIR/name, or DIR/name (2).ext … when taken: never overwrite an earlier output. */
function freeName(dir: string, name: string): string {
  const ext = path.extname(name);
  const base = name.slice(0, name.length - ext.length);
  let candidate = path.join(dir, name);
  for (let n = 2; existsSync(candidate); n++) candidate = path.join(dir, `${base} (${n})${ext}`);
  return candidate;
}

function describe(line: SanitizeLine): string {
  if (line.verdict === 'sanitized') return `sanitized  ${line.input} -> ${line.output}`;
  return `blocked    ${line.input}: ${line.reason}${line.signature ? ` (${line.signature})` : ''}`;
}
