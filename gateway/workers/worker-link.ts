/**
 * The control plane's end of the channel to one browser worker: Node's IPC to a local
 * worker process it forked, or a mutual-TLS WebSocket from a remote worker that joined
 * (docs/workers.md). The pool treats both alike; only starting again differs (the pool
 * restarts local workers; a remote worker's own supervisor restarts it and it reconnects).
 */
import type { ChildProcess } from 'node:child_process';
import type { WebSocket } from 'ws';
import type { ToWorker } from '../../protocol/worker-messages.js';
import { decodeWire, encodeWire, MAX_WORKER_JSON, wireJsonLength } from '../../protocol/worker-wire.js';

export interface WorkerLink {
  readonly kind: 'local' | 'remote';
  /** Process id of a local worker. */
  readonly pid: number | null;
  /** Remote worker's name (from its certificate) and address. */
  readonly name: string | null;
  readonly address: string | null;
  isOpen(): boolean;
  send(msg: ToWorker): void;
  /** Sends once the channel has room (bulk bytes); rejects when the worker is gone. */
  sendBulk(msg: ToWorker): Promise<void>;
  onMessage(listener: (raw: unknown) => void): void;
  /** Once, when the worker is gone (exit, or connection closed). */
  onClose(listener: (why: { code: number | null; signal: string | null }) => void): void;
  /** Asks the worker to shut down; forces it after `graceMs`. */
  stop(graceMs: number): Promise<void>;
}

export class ProcessLink implements WorkerLink {
  readonly kind = 'local';
  readonly name = null;
  readonly address = null;

  constructor(readonly child: ChildProcess) {}

  get pid(): number | null {
    return this.child.pid ?? null;
  }

  isOpen(): boolean {
    return this.child.connected;
  }

  send(msg: ToWorker): void {
    if (this.child.connected) this.child.send(msg);
  }

  sendBulk(msg: ToWorker): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.child.connected) return reject(new Error('worker is not running'));
      // The callback comes once the message was handed to the channel.
      this.child.send(msg, (err) => (err ? reject(err) : resolve()));
    });
  }

  onMessage(listener: (raw: unknown) => void): void {
    this.child.on('message', listener);
  }

  onClose(listener: (why: { code: number | null; signal: string | null }) => void): void {
    this.child.once('exit', (code, signal) => listener({ code, signal }));
  }

  async stop(graceMs: number): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.send({ t: 'shutdown' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

/** Outgoing bytes queued towards a remote worker beyond which it is cut off (it stopped reading). */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;
/** What one worker may send per second before it is cut off as abusive (far above real use). */
const MAX_MESSAGES_PER_SECOND = 10_000;
const MAX_BYTES_PER_SECOND = 256 * 1024 * 1024;
/** JSON is what costs the control plane CPU to parse and check; frames and chunks are bytes. */
const MAX_JSON_BYTES_PER_SECOND = 8 * 1024 * 1024;
/** A ping every this often; a worker that has not answered the previous one is cut off. */
const HEARTBEAT_MS = 15_000;
/** Bulk sends (upload chunks) wait while more than this is queued. */
const BULK_WAIT_BYTES = 4 * 1024 * 1024;

export class SocketLink implements WorkerLink {
  readonly kind = 'remote';
  readonly pid = null;
  private closed = false;

  constructor(
    private readonly socket: WebSocket,
    readonly name: string,
    readonly address: string,
    private readonly onBadMessage: (why: string) => void,
  ) {
    let alive = true;
    socket.on('pong', () => (alive = true));
    const heartbeat = setInterval(() => {
      if (!alive) {
        this.onBadMessage('no answer to the heartbeat');
        return void socket.terminate();
      }
      alive = false;
      socket.ping();
    }, HEARTBEAT_MS);
    heartbeat.unref();
    socket.once('close', () => {
      this.closed = true;
      clearInterval(heartbeat);
    });
  }

  private window = { start: 0, messages: 0, bytes: 0, json: 0 };

  /** False (and the worker cut off) when it sends more than any real worker would. */
  private withinBudget(data: Buffer): boolean {
    const now = Date.now();
    if (now - this.window.start >= 1000) this.window = { start: now, messages: 0, bytes: 0, json: 0 };
    this.window.messages += 1;
    this.window.bytes += data.length;
    this.window.json += Math.min(wireJsonLength(data), data.length);
    const within = this.window.messages <= MAX_MESSAGES_PER_SECOND && this.window.bytes <= MAX_BYTES_PER_SECOND && this.window.json <= MAX_JSON_BYTES_PER_SECOND;
    if (within) return true;
    this.onBadMessage('message flood');
    this.socket.terminate();
    return false;
  }

  isOpen(): boolean {
    return !this.closed && this.socket.readyState === this.socket.OPEN;
  }

  send(msg: ToWorker): void {
    if (!this.isOpen()) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      // A worker that stops reading is cut off rather than growing our memory.
      this.socket.terminate();
      return;
    }
    this.socket.send(encodeWire(msg));
  }

  async sendBulk(msg: ToWorker): Promise<void> {
    // Wait for room below the cut-off, so a large upload never looks like a stalled worker.
    while (this.isOpen() && this.socket.bufferedAmount > BULK_WAIT_BYTES) await new Promise((resolve) => setTimeout(resolve, 10));
    if (!this.isOpen()) throw new Error('worker disconnected');
    this.send(msg);
  }

  onMessage(listener: (raw: unknown) => void): void {
    this.socket.on('message', (data, isBinary) => {
      if (this.closed) return;
      if (!isBinary || !Buffer.isBuffer(data)) return this.onBadMessage('malformed message');
      if (!this.withinBudget(data)) return;
      const decoded = decodeWire(data, MAX_WORKER_JSON);
      if (decoded === null) return this.onBadMessage('malformed message');
      listener(decoded);
    });
  }

  onClose(listener: (why: { code: number | null; signal: string | null }) => void): void {
    if (this.closed) return listener({ code: null, signal: null });
    this.socket.once('close', (code) => listener({ code, signal: null }));
  }

  async stop(graceMs: number): Promise<void> {
    if (!this.isOpen()) return;
    const closed = new Promise((resolve) => this.socket.once('close', resolve));
    this.send({ t: 'shutdown' });
    this.socket.close(1001, 'control plane stopping');
    const timer = setTimeout(() => this.socket.terminate(), graceMs);
    await closed;
    clearTimeout(timer);
  }
}
