/**
 * `kekkai worker --control URL --token-file FILE`: a browser worker on another machine
 * (docs/workers.md). At first start it joins — a new key and certificate request, the
 * join token, over TLS checked against the CA in the token file — and keeps the
 * certificate it gets in its state directory. Then it connects over mutual TLS and
 * serves the sessions the control plane places on it, with its own Chromium.
 *
 * When the connection drops (control plane restarted, network) its sessions are gone
 * for the control plane too, so it ends them, and connects again with a fresh
 * Chromium. The operator drains it from this machine with `kekkai worker drain`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import pino from 'pino';
import { WebSocket } from 'ws';
import type { FromWorker } from '../../protocol/worker-messages.js';
import { decodeWire, encodeWire, MAX_WIRE_JSON, MAX_WORKER_JSON } from '../../protocol/worker-wire.js';
import { TRANSFER_CHUNK_BYTES } from '../../protocol/worker-messages.js';
import { loggerOptions, type ParentLogger } from '../logging.js';
import { JoinTokenFile } from '../workers/join-token.js';
import { createWorkerKeyAndCsr } from '../workers/worker-ca.js';
import { WorkerRuntime } from './worker-runtime.js';
import { readWorkerState, stateFiles, writeWorkerState } from './worker-state.js';

export interface RemoteWorkerOptions {
  /** wss://host:port of the control plane's worker listener. */
  control: string;
  tokenFile: string | null;
  stateDir: string;
  chromiumPath: string;
  /** Sessions this machine takes at most. */
  capacity: number;
  logLevel: string;
}

/** Exit codes: 0 stopped, 77 refused (join token or certificate), 78 bad setup. */
export const EXIT_REFUSED = 77;
export const EXIT_SETUP = 78;

const RECONNECT_MIN_MS = 1000;
const RECONNECT_MAX_MS = 30_000;
const STATUS_EVERY_MS = 1000;
const HEARTBEAT_MS = 15_000;

interface Credentials {
  key: string;
  cert: string;
  ca: string;
}

export async function runRemoteWorker(options: RemoteWorkerOptions): Promise<number> {
  const log = pino(loggerOptions(options.logLevel) as pino.LoggerOptions).child({ component: 'worker', pid: process.pid }) as unknown as ParentLogger;
  let base: URL;
  try {
    base = controlUrl(options.control);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return EXIT_SETUP;
  }
  const files = stateFiles(options.stateDir);
  await mkdir(options.stateDir, { recursive: true, mode: 0o700 });
  let credentials: Credentials;
  try {
    credentials = (await loadCredentials(files)) ?? (await join(base, options, files, log));
  } catch (err) {
    const refused = err instanceof RefusedError;
    process.stderr.write(`kekkai worker: ${(err as Error).message}\n`);
    return refused ? EXIT_REFUSED : EXIT_SETUP;
  }
  return new WorkerConnection(base, credentials, options, files, log).run();
}

class RefusedError extends Error {}

function controlUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`--control must be a URL such as wss://kekkai-control:8444, not ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'wss:' || url.username || url.password || (url.pathname !== '/' && url.pathname !== '')) {
    throw new Error('--control must be wss://HOST:PORT (the control plane\'s KEKKAI_WORKER_LISTEN), without path or credentials');
  }
  return url;
}

async function loadCredentials(files: ReturnType<typeof stateFiles>): Promise<Credentials | null> {
  if (!existsSync(files.key) || !existsSync(files.cert) || !existsSync(files.ca)) return null;
  const [key, cert, ca] = await Promise.all([readFile(files.key, 'utf8'), readFile(files.cert, 'utf8'), readFile(files.ca, 'utf8')]);
  return { key, cert, ca };
}

/** Exchanges the join token for this worker's certificate, and keeps it. */
async function join(base: URL, options: RemoteWorkerOptions, files: ReturnType<typeof stateFiles>, log: ParentLogger): Promise<Credentials> {
  if (!options.tokenFile) throw new Error(`not joined yet and no --token-file given (state directory ${options.stateDir})`);
  let tokenFile: JoinTokenFile;
  try {
    tokenFile = JoinTokenFile.parse(JSON.parse(await readFile(options.tokenFile, 'utf8')));
  } catch {
    throw new Error(`${options.tokenFile} is not a kekkai join token file (made by "kekkai worker token create")`);
  }
  const { keyPem, csrPem } = await createWorkerKeyAndCsr();
  const url = new URL('/join', `https://${base.host}`);
  const { request } = await import('node:https');
  const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, { method: 'POST', ca: tokenFile.ca, headers: { 'content-type': 'application/json' }, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 64 * 1024) body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('the control plane did not answer the join in time')));
    req.on('error', reject);
    req.end(JSON.stringify({ token: tokenFile.token, csr: csrPem, host: safeHostname() }));
  });
  if (answer.status === 401) throw new RefusedError('the control plane refused the join token (expired, revoked or not its own); ask its operator for a new one');
  if (answer.status !== 200) throw new Error(`join failed: HTTP ${answer.status}`);
  const joined = JSON.parse(answer.body) as { name?: unknown; certificate?: unknown; ca?: unknown };
  if (typeof joined.certificate !== 'string' || typeof joined.ca !== 'string' || typeof joined.name !== 'string') throw new Error('join answer malformed');
  await writeFile(files.key, keyPem, { mode: 0o600 });
  await writeFile(files.cert, joined.certificate, { mode: 0o644 });
  await writeFile(files.ca, joined.ca, { mode: 0o644 });
  log.info({ worker: joined.name }, 'joined the control plane');
  return { key: keyPem, cert: joined.certificate, ca: joined.ca };
}

function safeHostname(): string | undefined {
  const name = os.hostname();
  return /^[A-Za-z0-9._-]{1,253}$/.test(name) ? name : undefined;
}

/** One connection at a time; a fresh runtime (and Chromium) for each. */
class WorkerConnection {
  private stopped = false;
  private socket: WebSocket | null = null;
  private runtime: WorkerRuntime | null = null;
  private connected = false;
  private draining = false;
  private delay = RECONNECT_MIN_MS;
  private finish: (code: number) => void = () => undefined;

  constructor(
    private readonly base: URL,
    private readonly credentials: Credentials,
    private readonly options: RemoteWorkerOptions,
    private readonly files: ReturnType<typeof stateFiles>,
    private readonly log: ParentLogger,
  ) {}

  run(): Promise<number> {
    return new Promise<number>((resolve) => {
      this.finish = (code) => {
        if (this.stopped) return;
        this.stopped = true;
        clearInterval(statusTimer);
        void this.teardown().finally(() => {
          void rm(this.files.status, { force: true }).finally(() => {
            resolve(code);
            setImmediate(() => process.exit(code));
          });
        });
      };
      process.once('SIGTERM', () => this.finish(0));
      process.once('SIGINT', () => this.finish(0));
      const statusTimer = setInterval(() => void this.tick(), STATUS_EVERY_MS);
      void this.tick();
      this.connect();
    });
  }

  private connect(): void {
    if (this.stopped) return;
    const url = new URL('/connect', `wss://${this.base.host}`);
    const socket = new WebSocket(url, {
      key: this.credentials.key,
      cert: this.credentials.cert,
      ca: this.credentials.ca,
      maxPayload: MAX_WIRE_JSON + TRANSFER_CHUNK_BYTES + 1024,
      handshakeTimeout: 15_000,
    });
    this.socket = socket;
    let refused = false;
    socket.on('unexpected-response', (_req, res) => {
      refused = res.statusCode === 401;
      socket.terminate();
    });
    // A control plane that stops answering (its machine froze, the network dropped
    // silently) is given up on, so this worker reconnects rather than serving nobody.
    let alive = true;
    socket.on('pong', () => (alive = true));
    const heartbeat = setInterval(() => {
      if (!alive) return void socket.terminate();
      alive = false;
      if (socket.readyState === socket.OPEN) socket.ping();
    }, HEARTBEAT_MS);
    socket.once('close', () => clearInterval(heartbeat));
    socket.on('open', () => {
      this.connected = true;
      this.delay = RECONNECT_MIN_MS;
      this.log.info({ control: this.base.host }, 'connected to the control plane');
      const listeners: Array<(msg: unknown) => void> = [];
      socket.on('message', (data, isBinary) => {
        const decoded = isBinary && Buffer.isBuffer(data) ? decodeWire(data) : null;
        if (decoded === null) return void this.log.warn({}, 'malformed message from the control plane dropped');
        for (const listener of listeners) listener(decoded);
      });
      this.runtime = new WorkerRuntime(
        {
          send: (msg: FromWorker) => {
            if (socket.readyState !== socket.OPEN) return;
            try {
              socket.send(encodeWire(msg, MAX_WORKER_JSON));
            } catch {
              // Larger than the control plane accepts (a huge clipboard text): dropped here, not there.
              this.log.warn({ t: msg.t }, 'message too large for the control plane; dropped');
            }
            // A drain set before the control plane knew this worker is told once it is ready.
            if (msg.t === 'ready' && this.draining) socket.send(encodeWire({ t: 'drain', draining: true } satisfies FromWorker));
          },
          onMessage: (listener) => listeners.push(listener),
        },
        this.log,
        (code) => {
          // 0: the control plane stops (it reconnects later); otherwise Chromium died.
          this.log.warn({ code }, 'worker runtime ended; reconnecting with a fresh browser');
          socket.close(1000, 'runtime ended');
        },
        { host: safeHostname(), capacity: this.options.capacity, overrides: { chromiumPath: this.options.chromiumPath, workDir: this.files.run } },
      );
    });
    socket.on('error', (err) => this.log.warn({ err: err.message }, 'control plane connection error'));
    socket.on('close', () => {
      this.connected = false;
      this.socket = null;
      void this.stopRuntime().then(() => {
        if (this.stopped) return;
        if (refused) {
          this.log.error({}, 'the control plane refused this worker\'s certificate (revoked or unknown); remove the state directory\'s credentials and join again with a new token');
          process.stderr.write('kekkai worker: refused by the control plane (certificate revoked or unknown)\n');
          return this.finish(EXIT_REFUSED);
        }
        const wait = this.delay;
        this.delay = Math.min(RECONNECT_MAX_MS, this.delay * 2);
        setTimeout(() => this.connect(), wait);
      });
    });
  }

  private async stopRuntime(): Promise<void> {
    const runtime = this.runtime;
    this.runtime = null;
    await runtime?.stop().catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'stopping the browser failed'));
  }

  private async teardown(): Promise<void> {
    this.socket?.close(1001, 'worker stopping');
    await this.stopRuntime();
  }

  /** Picks up `kekkai worker drain` and writes the status `kekkai worker status` reads. */
  private async tick(): Promise<void> {
    const state = await readWorkerState(this.files);
    if (state.drainRequested !== this.draining) {
      this.draining = state.drainRequested;
      if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(encodeWire({ t: 'drain', draining: this.draining } satisfies FromWorker));
      this.log.info({ draining: this.draining }, this.draining ? 'draining: no new sessions' : 'drain undone');
    }
    await writeWorkerState(this.files, {
      pid: process.pid,
      connected: this.connected,
      draining: this.draining,
      sessions: this.runtime?.sessionCount() ?? 0,
      control: this.base.host,
      updatedAt: new Date().toISOString(),
    }).catch(() => undefined);
  }
}
