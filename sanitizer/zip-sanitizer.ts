import { Uint8ArrayReader, Uint8ArrayWriter, ZipWriter } from '@zip.js/zip.js';
import type { FilePolicy } from './file-policy.js';
import type { Outcome } from './verdict.js';
import { pass, refuse } from './verdict.js';
import { listZip, looksLikeZip, readZipEntry } from './zip-reader.js';

/** Sanitize one member; supplied by the pipeline (members go through the whole pipeline). */
export type MemberSanitizer = (name: string, bytes: Uint8Array, depth: number) => Promise<Outcome<{ name: string; bytes: Uint8Array }>>;

/** Names that would escape the extraction folder or hide where they land. */
function unsafePath(name: string): boolean {
  return /^([\\/]|[a-zA-Z]:)/.test(name) || name.split(/[\\/]/).some((seg) => seg === '..');
}

function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let i = 2; taken.has(candidate.toLowerCase()); i++) {
    const dot = name.lastIndexOf('.');
    candidate = dot > 0 ? `${name.slice(0, dot)} (${i})${name.slice(dot)}` : `${name} (${i})`;
  }
  taken.add(candidate.toLowerCase());
  return candidate;
}

/**
 * Rebuild a ZIP: check the archive limits on the central directory before inflating
 * anything, refuse encrypted or special members, send every member through the whole
 * pipeline and pack the sanitized members into a new ZIP. One blocked member blocks
 * the archive (its reason is the archive's reason), so nothing is silently dropped.
 *
 * @param depth nesting level of this archive, 1 for a top-level ZIP.
 */
/**
 * When clamd finds a signature in a ZIP it names the signature, not the member: scan
 * the members one by one (within the archive limits, nested ZIPs included) to name
 * the first infected one for the security team. Null when none is found on its own
 * (the signature may need the whole archive) or the archive cannot be listed.
 */
export async function findInfectedMember(bytes: Uint8Array, policy: FilePolicy, scan: (member: Uint8Array) => Promise<boolean>, depth = 0): Promise<string | null> {
  const lim = policy.archive;
  if (depth > lim.maxDepth) return null;
  const listed = listZip(bytes, lim.maxMembers);
  if (!listed.ok) return null;
  for (const entry of listed.value.filter((e) => !e.isDirectory && !e.encrypted && !e.isSpecial)) {
    const data = readZipEntry(bytes, entry, lim.maxTotalBytes);
    if (!data.ok || !(await scan(data.value))) continue;
    const inner = looksLikeZip(data.value) ? await findInfectedMember(data.value, policy, scan, depth + 1) : null;
    return inner ? `${entry.name}/${inner}` : entry.name;
  }
  return null;
}

export async function rebuildZip(bytes: Uint8Array, policy: FilePolicy, depth: number, sanitizeMember: MemberSanitizer): Promise<Outcome<{ bytes: Uint8Array; members: number }>> {
  const lim = policy.archive;
  if (depth > lim.maxDepth) return refuse('archive-too-deep', `zip nested ${depth} deep > ${lim.maxDepth}`);
  const listed = listZip(bytes, lim.maxMembers);
  if (!listed.ok) return listed;
  const files = listed.value.filter((e) => !e.isDirectory);
  const encrypted = files.find((e) => e.encrypted);
  if (encrypted) return refuse('encrypted', `zip member ${encrypted.name} is encrypted`);
  const special = files.find((e) => e.isSpecial);
  if (special) return refuse('type-not-allowed', `zip member ${special.name} is a link or device`);
  const total = files.reduce((s, e) => s + e.uncompressedSize, 0);
  if (total > lim.maxTotalBytes) return refuse('too-large', `zip expands to ${total} bytes > ${lim.maxTotalBytes}`);
  const ratio = total / Math.max(1, bytes.length);
  if (ratio > lim.maxExpansionRatio) return refuse('expansion-ratio', `zip expands ${ratio.toFixed(0)}x > ${lim.maxExpansionRatio}x`);
  const out: Array<{ name: string; bytes: Uint8Array }> = [];
  const taken = new Set<string>();
  for (const entry of files) {
    if (unsafePath(entry.name)) return refuse('deceptive-name', `zip member path ${JSON.stringify(entry.name)} escapes the archive`);
    const data = readZipEntry(bytes, entry, lim.maxTotalBytes);
    if (!data.ok) return data;
    const r = await sanitizeMember(entry.name, data.value, depth);
    if (!r.ok) return refuse(r.block.reason, `zip member ${entry.name}: ${r.block.detail}`, r.block.signature);
    const dir = entry.name.replace(/\\/g, '/').split('/').slice(0, -1).join('/');
    out.push({ name: uniqueName(dir ? `${dir}/${r.value.name}` : r.value.name, taken), bytes: r.value.bytes });
  }
  return pass({ bytes: await packZip(out), members: out.length });
}

/**
 * The new ZIP, written with zip.js (the input is ours by now: sanitized members with
 * sizes bounded by the policy). Deflate, UTF-8 names, sizes in the local headers, and a
 * fixed 1980-01-01 date without extended-timestamp fields, so the output carries no
 * trace of when or where it was built. Members keep the order given (ODF wants
 * `mimetype` first).
 */
export async function packZip(members: ReadonlyArray<{ name: string; bytes: Uint8Array }>): Promise<Uint8Array> {
  const zip = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false, lastModDate: new Date(1980, 0, 1), extendedTimestamp: false, dataDescriptor: false });
  for (const m of members) await zip.add(m.name, new Uint8ArrayReader(m.bytes));
  return zip.close();
}
