import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { ScanResult, Scanner } from './scanner.js';

/**
 * A small clamd client speaking INSTREAM over a Unix socket or TCP. We use it instead
 * of the `clamscan` npm package because that package is untyped, probes for local
 * binaries at init and can fall back to scanning with a local clamscan/clamdscan,
 * while we need exactly one behaviour: a definite "stream: OK" from clamd within the
 * time limit, or the file is not released.
 */

/** Where clamd listens: `/path/to/socket` or `host:port`. */
export interface ClamdOptions {
  address: string;
  timeoutMs: number;
  /** INSTREAM chunk size; clamd accepts up to StreamMaxLength in total. */
  chunkBytes?: number;
}

function open(address: string): Socket {
  const tcp = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  if (tcp && !address.startsWith('/')) return connect({ host: tcp[1]!, port: Number(tcp[2]) });
  return connect({ path: address });
}

/** Parse clamd's reply to INSTREAM. */
export function parseClamdReply(reply: string): ScanResult {
  const line = reply.replace(/\0/g, '').trim();
  if (line === 'stream: OK') return { status: 'clean' };
  const found = /^stream: (.+) FOUND$/.exec(line);
  if (found) return { status: 'infected', signature: found[1]! };
  if (/size limit exceeded/i.test(line)) return { status: 'limit-exceeded', detail: line };
  return { status: 'unavailable', detail: `unexpected clamd reply: ${JSON.stringify(line.slice(0, 200))}` };
}

/** Send one command and read the NUL-terminated reply. */
function converse(opts: ClamdOptions, write: (s: Socket) => void): Promise<{ reply: string } | { error: string }> {
  return new Promise((resolve) => {
    const socket = open(opts.address);
    let reply = '';
    let settled = false;
    const finish = (r: { reply: string } | { error: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ error: `clamd did not answer within ${opts.timeoutMs}ms` }), opts.timeoutMs);
    socket.on('connect', () => write(socket));
    socket.on('data', (d: Buffer) => {
      reply += d.toString('utf8');
      if (reply.includes('\0')) finish({ reply });
    });
    // clamd may close early (e.g. size limit) after replying; keep what we read.
    socket.on('error', (err) => finish(reply ? { reply } : { error: `clamd: ${err.message}` }));
    socket.on('close', () => finish(reply ? { reply } : { error: 'clamd closed the connection without a reply' }));
  });
}

/** {@link Scanner} backed by clamd. Never throws; every failure is `unavailable`. */
export class ClamdScanner implements Scanner {
  constructor(private readonly opts: ClamdOptions) {}

  async scan(bytes: Uint8Array): Promise<ScanResult> {
    const chunk = this.opts.chunkBytes ?? 64 * 1024;
    const r = await converse(this.opts, (s) => {
      s.write('zINSTREAM\0');
      for (let off = 0; off < bytes.length; off += chunk) {
        const part = bytes.subarray(off, Math.min(bytes.length, off + chunk));
        const len = Buffer.alloc(4);
        len.writeUInt32BE(part.length, 0);
        s.write(len);
        s.write(part);
      }
      s.write(Buffer.alloc(4));
    });
    return 'error' in r ? { status: 'unavailable', detail: r.error } : parseClamdReply(r.reply);
  }

  /** True when clamd answers PING with PONG. */
  async ping(): Promise<boolean> {
    const r = await converse(this.opts, (s) => s.write('zPING\0'));
    return 'reply' in r && r.reply.replace(/\0/g, '').trim() === 'PONG';
  }
}
