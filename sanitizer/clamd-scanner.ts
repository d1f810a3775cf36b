import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import NodeClam from 'clamscan';
import type { ScanResult, Scanner } from './scanner.js';

/**
 * The production {@link Scanner}: clamd over its socket with INSTREAM, through the
 * `clamscan` npm package (`scanStream`, `ping`). The package is only a transport here;
 * the decision stays ours and fails closed:
 *
 * - clean only when clamscan says `isInfected === false` AND clamd's raw reply is
 *   exactly `stream: OK` (clamscan's own test, `/:\s+OK…$/` in index.js
 *   `_processResult`, would accept any "…: OK");
 * - infected when clamscan says `isInfected === true`, with its signature names;
 * - everything else (`isInfected` null, a rejection, a timeout, a throw) is
 *   `unavailable`, except clamd's "size limit exceeded" reply → `limit-exceeded`.
 *
 * clamscan is configured so it can never scan locally: `localFallback: false` and no
 * binary paths (init would otherwise run `clamdscan --version`/`clamscan --version`),
 * `bypassTest: true` so a clamd that is down at start-up does not make init fail (each
 * scan then fails closed on its own). `scanStream` has no local path at all.
 */

/** Where clamd listens: `/path/to/socket` or `host:port`. */
export interface ClamdOptions {
  address: string;
  /** Deadline for one scan or ping, from connect to clamd's reply. */
  timeoutMs: number;
  /** INSTREAM chunk size; clamd accepts up to StreamMaxLength in total. */
  chunkBytes?: number;
}

/** A clamd address as clamscan's `clamdscan` options. */
export function clamdTarget(address: string): { socket: string; host: false; port: false } | { socket: false; host: string; port: number } {
  const tcp = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  if (tcp && !address.startsWith('/')) return { socket: false, host: tcp[1]!, port: Number(tcp[2]) };
  return { socket: address, host: false, port: false };
}

/** Parse clamd's raw reply to INSTREAM (the strict check behind clamscan's answer). */
export function parseClamdReply(reply: string): ScanResult {
  const line = reply.replace(/\0/g, '').trim();
  if (line === 'stream: OK') return { status: 'clean' };
  const found = /^stream: (.+) FOUND$/.exec(line);
  if (found) return { status: 'infected', signature: found[1]! };
  if (/size limit exceeded/i.test(line)) return { status: 'limit-exceeded', detail: line };
  return { status: 'unavailable', detail: `unexpected clamd reply: ${JSON.stringify(line.slice(0, 200))}` };
}

/** Turn what `scanStream` resolved with into a {@link ScanResult}. */
export function interpretScanStream(result: unknown): ScanResult {
  if (typeof result !== 'object' || result === null) return { status: 'unavailable', detail: 'clamscan returned no result' };
  const r = result as Partial<NodeClam.ScanStreamResult>;
  const raw = typeof r.resultString === 'string' ? r.resultString : '';
  const strict = parseClamdReply(raw);
  if (r.isInfected === false && strict.status === 'clean') return strict;
  if (r.isInfected === true) {
    const names = Array.isArray(r.viruses) ? r.viruses.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim()) : [];
    if (names.length > 0) return { status: 'infected', signature: names.join(', ') };
    return { status: 'infected', signature: strict.status === 'infected' ? strict.signature : 'unnamed' };
  }
  if (strict.status === 'limit-exceeded') return strict;
  return { status: 'unavailable', detail: strict.status === 'unavailable' ? strict.detail : `clamscan isInfected=${String(r.isInfected)} for ${JSON.stringify(raw.slice(0, 200))}` };
}

/**
 * Turn a rejection from clamscan into a {@link ScanResult}. `reply` is what clamd sent
 * before the error, if anything: a size-limit or FOUND reply still counts (both block);
 * never "OK" — a clean answer needs a scan that clamscan completed.
 */
export function interpretScanError(err: unknown, reply = ''): ScanResult {
  const seen = parseClamdReply(reply);
  if (seen.status === 'limit-exceeded' || seen.status === 'infected') return seen;
  const message = err instanceof Error ? err.message : String(err);
  // clamd answers "INSTREAM size limit exceeded. ERROR" and closes; clamscan rejects
  // with that reply in the message ("Scan aborted. Reply from server: …" or the ERROR text).
  if (/size limit exceeded/i.test(message)) return { status: 'limit-exceeded', detail: `clamd: ${message.trim()}` };
  return { status: 'unavailable', detail: `clamd: ${message.trim() || 'unknown error'}` };
}

/**
 * One NodeClam per scan or ping, so its sockets can be destroyed when our deadline
 * passes: clamscan only sets an idle timeout that half-closes (`client.end()`,
 * index.js `_initSocket`), which neither settles `scanStream` nor frees the socket
 * when clamd hangs. It also keeps a copy of what clamd sent: when clamd answers
 * "INSTREAM size limit exceeded. ERROR" and closes while we are still writing,
 * clamscan rejects with the socket error (ECONNRESET/EPIPE) and drops the reply
 * (index.js `scanStream`, socket `error` handler).
 */
class OwnedNodeClam extends NodeClam {
  private readonly sockets = new Set<Socket>();
  private readonly received: Buffer[] = [];
  private closed = false;

  override _initSocket(label?: string): Promise<Socket> {
    const p = super._initSocket(label);
    p.then(
      (s) => {
        if (this.closed) {
          s.destroy();
          return;
        }
        this.sockets.add(s);
        s.once('close', () => this.sockets.delete(s));
        s.on('data', (d: Buffer) => this.received.push(d));
      },
      () => undefined,
    );
    return p;
  }

  /** Everything clamd sent on this instance's sockets. */
  reply(): string {
    return Buffer.concat(this.received).toString('utf8');
  }

  /** Destroy every socket this instance opened, now and later. */
  close(): void {
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown; reply: string };

/** {@link Scanner} backed by clamd through `clamscan`. Never throws; every failure is `unavailable`. */
export class ClamdScanner implements Scanner {
  constructor(private readonly opts: ClamdOptions) {}

  /** Run `work` on a fresh clamscan instance within the deadline, then close its sockets. */
  private async withClam<T>(work: (clam: NodeClam) => Promise<T>): Promise<Outcome<T> | { ok: false; timeout: true }> {
    const clam = new OwnedNodeClam();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<{ ok: false; timeout: true }>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, timeout: true }), this.opts.timeoutMs);
    });
    const attempt = (async (): Promise<Outcome<T>> => {
      try {
        await clam.init({
          preference: 'clamdscan',
          // No local binaries: init would run `<path> --version` to probe them, and the
          // file-based methods could fall back to scanning locally.
          clamscan: { active: false, path: null },
          clamdscan: {
            ...clamdTarget(this.opts.address),
            timeout: this.opts.timeoutMs,
            localFallback: false,
            active: true,
            path: null,
            bypassTest: true,
            multiscan: false,
            tls: false,
          },
        });
        return { ok: true, value: await work(clam) };
      } catch (error) {
        return { ok: false, error, reply: clam.reply() };
      }
    })();
    try {
      return await Promise.race([attempt, deadline]);
    } finally {
      clearTimeout(timer);
      clam.close();
    }
  }

  async scan(bytes: Uint8Array): Promise<ScanResult> {
    const r = await this.withClam((clam) => clam.scanStream(chunks(bytes, this.opts.chunkBytes ?? 64 * 1024)));
    if (r.ok) return interpretScanStream(r.value);
    if ('timeout' in r) return { status: 'unavailable', detail: `clamd did not answer within ${this.opts.timeoutMs}ms` };
    return interpretScanError(r.error, r.reply);
  }

  /** True when clamd answers PING with PONG within the deadline (clamscan's `ping`). */
  async ping(): Promise<boolean> {
    const r = await this.withClam((clam) => clam.ping());
    return r.ok;
  }
}

/** The bytes as a stream of `size`-byte chunks (one INSTREAM chunk each), without copying. */
function chunks(bytes: Uint8Array, size: number): Readable {
  const step = Math.max(1, Math.floor(size));
  return Readable.from(
    (function* () {
      for (let off = 0; off < bytes.length; off += step) {
        yield Buffer.from(bytes.buffer, bytes.byteOffset + off, Math.min(step, bytes.length - off));
      }
    })(),
  );
}
