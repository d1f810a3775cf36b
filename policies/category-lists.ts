/**
 * Import of category domain lists: hosts files (`0.0.0.0 bad.example`), plain lists (one
 * domain per line, `#` comments) and the UT1 blacklist layout (`<category>/domains`).
 * Every domain is normalized like a URL host; lines that are not a host are skipped and counted.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isIpLiteral } from './address-ranges.js';
import { normalizeHost } from './url-normalize.js';

/** Format of a list file. `auto` treats a line starting with an IP address as a hosts line. */
export type ListFormat = 'hosts' | 'plain' | 'auto';

/** Outcome of importing one list. */
export interface ImportedList {
  /** Normalized, de-duplicated domains in first-seen order. */
  readonly domains: string[];
  /** Lines that held something but no valid domain. */
  readonly invalid: number;
  /** 1-based numbers of the first invalid lines (at most 20), for error messages. */
  readonly invalidLines: number[];
}

/** Names a hosts file maps that are not sites to block. */
const HOSTS_BOILERPLATE = new Set(['localhost', 'localhost.localdomain', 'local', 'broadcasthost', 'ip6-localhost', 'ip6-loopback', 'ip6-localnet', 'ip6-mcastprefix', 'ip6-allnodes', 'ip6-allrouters', 'ip6-allhosts', '0.0.0.0']);

/**
 * Normalizes one list entry: lowercase, punycode, trailing dots stripped, a leading `*.`
 * or `.` dropped (the entry covers subdomains anyway). Returns null for anything that is
 * not a host name or IP address.
 */
export function normalizeListDomain(entry: string): string | null {
  const t = entry.trim().replace(/^\*?\./, '');
  if (t === '' || /[\s/\\:@?#*]/.test(t)) return null;
  const host = normalizeHost(t);
  if (!host) return null;
  if (host.hostKind === 'domain' && !/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(host.host)) return null;
  return host.host;
}

function stripComment(line: string): string {
  const hash = line.indexOf('#');
  return (hash === -1 ? line : line.slice(0, hash)).trim();
}

/** Parses the text of a list file. Never throws. */
export function parseCategoryList(text: string, format: ListFormat = 'auto'): ImportedList {
  const seen = new Set<string>();
  let invalid = 0;
  const invalidLines: number[] = [];
  const bad = (lineNo: number): void => {
    invalid++;
    if (invalidLines.length < 20) invalidLines.push(lineNo);
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = stripComment(raw.replace(/^\uFEFF/, ''));
    if (line === '') return;
    const fields = line.split(/\s+/);
    const first = fields[0] ?? '';
    const hostsLine = format === 'hosts' || (format === 'auto' && fields.length > 1 && isIpLiteral(first));
    const names = hostsLine ? fields.slice(1) : fields;
    if ((hostsLine && !isIpLiteral(first)) || names.length === 0 || (!hostsLine && names.length > 1)) return bad(i + 1);
    let added = false;
    for (const name of names) {
      if (HOSTS_BOILERPLATE.has(name.toLowerCase()) && hostsLine) {
        added = true;
        continue;
      }
      const d = normalizeListDomain(name);
      if (d === null) continue;
      seen.add(d);
      added = true;
    }
    if (!added) bad(i + 1);
  });
  return { domains: [...seen], invalid, invalidLines };
}

/** The two file-system calls the UT1 import needs (a seam for tests). */
export interface ListFileSystem {
  readdir(dir: string): Promise<Array<{ name: string; isDirectory(): boolean }>>;
  readFile(path: string): Promise<string>;
}

const nodeFs: ListFileSystem = {
  readdir: (dir) => readdir(dir, { withFileTypes: true }),
  readFile: (path) => readFile(path, 'utf8'),
};

/** Outcome of a UT1 directory import. */
export interface ImportedCategories {
  readonly categories: Record<string, string[]>;
  readonly invalid: Record<string, number>;
}

/**
 * Imports a UT1-style directory: each subdirectory `<category>/` with a `domains` file
 * becomes a category. `only` restricts the import to the named categories. Directories
 * without a `domains` file are skipped.
 */
export async function importUt1Directory(dir: string, opts: { only?: readonly string[]; fs?: ListFileSystem } = {}): Promise<ImportedCategories> {
  const fs = opts.fs ?? nodeFs;
  const categories: Record<string, string[]> = {};
  const invalid: Record<string, number> = {};
  const entries = await fs.readdir(dir);
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    if (opts.only && !opts.only.includes(entry.name)) continue;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(entry.name)) continue;
    let text: string;
    try {
      text = await fs.readFile(join(dir, entry.name, 'domains'));
    } catch {
      continue;
    }
    const list = parseCategoryList(text, 'plain');
    categories[entry.name] = list.domains;
    invalid[entry.name] = list.invalid;
  }
  return { categories, invalid };
}
