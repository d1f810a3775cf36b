/**
 * The head anchor: a small file outside the database, `<dataDir>/audit-head.json`,
 * that says how far the audit chain reached — its last seq and that record's MAC —
 * sealed with the audit key (docs/audit.md, "Head anchor"). Someone who can edit the
 * database but not the key can cut records off the end of the log; the chain alone
 * cannot show that, the anchor can. This module holds the file format, reading and
 * atomic writing; head-anchor.ts decides when to write.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fchownSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ExpectedHead } from './audit-chain.js';
import { canonicalJson } from './audit-event.js';

export const ANCHOR_FILE = 'audit-head.json';
const FORMAT = 'kekkai-audit-head';
const VERSION = 1;
// Domain separation: an anchor MAC can never be mistaken for a record MAC.
const LABEL = 'kekkai-audit-head-v1\n';
const HEX_MAC = /^[0-9a-f]{64}$/;
const MAX_BYTES = 4096;

export interface AnchorContent {
  /** Last seq of the chain when written (0: empty chain). */
  seq: number;
  /** MAC of record `seq` (the genesis MAC for seq 0). */
  headMac: string;
  /** Audit time format (Japan time). */
  writtenAt: string;
}

export interface SealedAnchor extends AnchorContent {
  format: typeof FORMAT;
  version: typeof VERSION;
  mac: string;
}

export function anchorPath(dataDir: string): string {
  return path.join(dataDir, ANCHOR_FILE);
}

function anchorMac(key: Uint8Array, content: AnchorContent): string {
  const body = canonicalJson({ format: FORMAT, version: VERSION, seq: content.seq, headMac: content.headMac, writtenAt: content.writtenAt });
  return createHmac('sha256', key).update(LABEL, 'utf8').update(body, 'utf8').digest('hex');
}

export function sealAnchor(key: Uint8Array, content: AnchorContent): SealedAnchor {
  return { format: FORMAT, version: VERSION, seq: content.seq, headMac: content.headMac, writtenAt: content.writtenAt, mac: anchorMac(key, content) };
}

/** The anchor as an expected head for verifyChain; never throws. */
export function parseAnchor(text: string, key: Uint8Array): ExpectedHead {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { state: 'invalid', problem: 'not JSON' };
  }
  const a = value as Partial<SealedAnchor> | null;
  if (typeof a !== 'object' || a === null || a.format !== FORMAT || a.version !== VERSION) return { state: 'invalid', problem: 'not a kekkai head anchor' };
  if (!Number.isSafeInteger(a.seq) || a.seq! < 0 || typeof a.headMac !== 'string' || !HEX_MAC.test(a.headMac) || typeof a.writtenAt !== 'string') {
    return { state: 'invalid', problem: 'fields missing or malformed' };
  }
  if (typeof a.mac !== 'string' || !HEX_MAC.test(a.mac)) return { state: 'invalid', problem: 'no MAC' };
  const expected = anchorMac(key, { seq: a.seq!, headMac: a.headMac, writtenAt: a.writtenAt });
  if (!timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(a.mac, 'hex'))) return { state: 'invalid', problem: 'MAC does not match (altered, or another key)' };
  return { state: 'ok', seq: a.seq!, mac: a.headMac, writtenAt: a.writtenAt, source: 'anchor' };
}

export function readAnchor(file: string, key: Uint8Array): ExpectedHead {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    return { state: 'invalid', problem: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  if (bytes.length > MAX_BYTES) return { state: 'invalid', problem: 'too large' };
  return parseAnchor(bytes.toString('utf8'), key);
}

function serialize(anchor: SealedAnchor): string {
  return `${JSON.stringify(anchor)}\n`;
}

function tempName(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/** fsync of the directory makes a rename durable; best effort where directories cannot be opened. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function syncDirectoryAsync(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // As syncDirectory.
  }
}

/**
 * Run as root (e.g. `sudo kekkai user add` instead of `sudo -u kekkai …`), the new file
 * keeps the owner of the one it replaces (or of the data directory), so the gateway's
 * account can still read and replace it.
 */
function ownerFor(file: string): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  for (const candidate of [file, path.dirname(file)]) {
    try {
      const st = statSync(candidate);
      return st.uid === 0 ? undefined : { uid: st.uid, gid: st.gid };
    } catch {
      // Try the directory next.
    }
  }
  return undefined;
}

/** Writes the anchor atomically and durably: temporary file, fsync, rename, fsync of the directory. */
export function writeAnchorSync(file: string, anchor: SealedAnchor): void {
  const tmp = tempName(file);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    const owner = ownerFor(file);
    if (owner) fchownSync(fd, owner.uid, owner.gid);
    const data = Buffer.from(serialize(anchor), 'utf8');
    for (let off = 0; off < data.length; ) off += writeSync(fd, data, off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  syncDirectory(path.dirname(file));
}

/**
 * The slow part off the event loop: writes and fsyncs a temporary file, then calls
 * `commit` synchronously, which decides (with the newest knowledge) whether to rename
 * it into place. Returns whether it was renamed.
 */
export async function writeAnchorAsync(file: string, anchor: SealedAnchor, commit: () => boolean): Promise<boolean> {
  const tmp = tempName(file);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    const owner = ownerFor(file);
    if (owner) await handle.chown(owner.uid, owner.gid);
    await handle.writeFile(serialize(anchor), 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  let renamed = false;
  try {
    if (commit()) {
      renameSync(tmp, file);
      renamed = true;
    }
  } finally {
    if (!renamed) await rm(tmp, { force: true });
  }
  if (renamed) await syncDirectoryAsync(path.dirname(file));
  return renamed;
}
