import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the fake clamd received on one connection. */
export interface Received {
  /** `zINSTREAM`, `PING`, … (without terminator). */
  command: string;
  /** INSTREAM chunks, in order, without the terminating zero-length chunk. */
  chunks: Buffer[];
}

/**
 * How the fake answers one connection: `reply` once the INSTREAM (or PING) is complete,
 * then close (like clamd); `close-after-command` closes as soon as the command arrived;
 * `hang` reads everything and never answers nor closes (not even after the client's FIN).
 */
export type Behaviour = { reply: string; keepOpen?: boolean } | 'close-after-command' | 'hang';

/** A clamd stand-in on a temp Unix socket (or TCP port) speaking INSTREAM and PING. */
export interface FakeClamd {
  /** `/path/to/socket` or `127.0.0.1:port`, as ClamdScanner takes it. */
  address: string;
  received: Received[];
  /** Connections the client has closed (or that were closed). */
  closed: number;
  behave(b: Behaviour): void;
  stop(): Promise<void>;
}

export async function startFakeClamd(opts: { tcp?: boolean } = {}): Promise<FakeClamd> {
  const dir = await mkdtemp(join(tmpdir(), 'kekkai-fake-clamd-'));
  const sockets = new Set<Socket>();
  let behaviour: Behaviour = { reply: 'stream: OK\0' };
  const state = { received: [] as Received[], closed: 0 };

  // allowHalfOpen: a hanging clamd must not close just because the client half-closed
  // (clamscan's idle timeout only calls end()); only a destroy from the client frees it.
  const server: Server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => {
      sockets.delete(s);
      state.closed += 1;
    });
    s.on('error', () => undefined);
    const b = behaviour;
    if (b === 'hang') {
      // After the client's FIN keep writing: a client that only half-closed still reads
      // (and the connection lives on); one that destroyed its socket makes this fail
      // with EPIPE, which closes our side.
      s.on('end', () => {
        const t = setInterval(() => s.write('.'), 20);
        s.once('close', () => clearInterval(t));
      });
    }
    const rec: Received = { command: '', chunks: [] };
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (): void => {
      done = true;
      state.received.push(rec);
      if (b === 'hang') return;
      if (b === 'close-after-command') {
        s.destroy();
        return;
      }
      s.write(b.reply);
      if (!b.keepOpen) s.end();
    };
    s.on('data', (d: Buffer) => {
      if (done) return;
      buf = Buffer.concat([buf, d]);
      if (!rec.command) {
        if (buf.subarray(0, 4).toString() === 'PING') {
          rec.command = 'PING';
          return finish();
        }
        const nul = buf.indexOf(0);
        if (nul < 0) return;
        rec.command = buf.subarray(0, nul).toString();
        buf = buf.subarray(nul + 1);
        if (b === 'close-after-command') return finish();
        if (rec.command !== 'zINSTREAM') return finish();
      }
      while (buf.length >= 4) {
        const len = buf.readUInt32BE(0);
        if (len === 0) return finish();
        if (buf.length < 4 + len) return;
        rec.chunks.push(Buffer.from(buf.subarray(4, 4 + len)));
        buf = buf.subarray(4 + len);
      }
    });
  });

  const socketPath = join(dir, 'clamd.sock');
  await new Promise<void>((resolve) => (opts.tcp ? server.listen(0, '127.0.0.1', resolve) : server.listen(socketPath, resolve)));
  const address = opts.tcp ? `127.0.0.1:${(server.address() as AddressInfo).port}` : socketPath;

  return {
    address,
    get received() {
      return state.received;
    },
    get closed() {
      return state.closed;
    },
    behave(b) {
      behaviour = b;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
