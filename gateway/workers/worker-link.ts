/**
 * The control plane's end of the channel to one browser worker: Node's IPC to a local
 * worker process it forked, or a mutual-TLS WebSocket from a remote worker that joined
 * (docs/workers.md). The pool treats both alike; only starting again differs (the pool
 * restarts local workers; a remote worker's own supervisor restarts it and it reconnects).
 */
import type { ChildProcess } from 'node:child_process';
import type { WebSocket } from 'ws';
import type { ToWorker } from '../../protocol/worker-messages.js';
import { decodeWire, encodeWire } from '../../protocol/worker-wire.js';

export interface WorkerLink {
  readonly kind: 'local' | 'remote';
  /** Process id of a local worker. */
  readonly pid: number | null;
  /** Remote worker's name (from its certificate) and address. */
  readonly name: string | null;
  readonly address: string | null;
  isOpen(): boolean;
  send(msg: ToWorker): void;
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

/** Outgoing bytes queued on a remote link beyond which frames are dropped (the viewer's ack flow control recovers). */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

export class SocketLink implements WorkerLink {
  readonly kind = 'remote';
  readonly pid = null;
  private closed = false;

  constructor(
    private readonly socket: WebSocket,
    readonly name: string,
    readonly address: string,
    private readonly onBadMessage: () => void,
  ) {
    socket.once('close', () => (this.closed = true));
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

  onMessage(listener: (raw: unknown) => void): void {
    this.socket.on('message', (data, isBinary) => {
      const decoded = isBinary && Buffer.isBuffer(data) ? decodeWire(data) : null;
      if (decoded === null) return this.onBadMessage();
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
