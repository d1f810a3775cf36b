/**
 * Sends formatted syslog lines to one collector over UDP (RFC 5426, one line per
 * datagram) or TCP (RFC 6587 octet counting: "LEN SP LINE"). Best effort by design:
 * send() never throws and never waits; while the collector is away TCP lines wait in
 * a bounded queue (oldest dropped first) and the connection is retried with backoff.
 * The database stays the record of truth; a gap at the collector is visible in seq.
 */
import dgram from 'node:dgram';
import net from 'node:net';

export interface SyslogForwarderOptions {
  host: string;
  port: number;
  protocol: 'udp' | 'tcp';
  /** TCP lines kept while disconnected; default 10 000. */
  maxQueue?: number;
  /** Reconnect backoff in ms; default 500 doubling to 30 000. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Told about failures (rate-limit your logging there); never required. */
  onError?: (err: Error) => void;
}

export interface SyslogForwarderStats {
  sent: number;
  dropped: number;
  queued: number;
  connected: boolean;
}

/** Above this many unsent bytes in the socket, new lines wait in the queue instead. */
const MAX_SOCKET_BUFFER = 1024 * 1024;

export class SyslogForwarder {
  private udp: dgram.Socket | undefined;
  private tcp: net.Socket | undefined;
  private connected = false;
  private queue: Buffer[] = [];
  private backoffMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private sent = 0;
  private dropped = 0;

  constructor(private readonly options: SyslogForwarderOptions) {
    this.backoffMs = options.minBackoffMs ?? 500;
  }

  send(line: string): void {
    if (this.closed) return;
    try {
      if (this.options.protocol === 'udp') this.sendUdp(Buffer.from(line, 'utf8'));
      else this.enqueueTcp(Buffer.from(`${Buffer.byteLength(line)} ${line}`, 'utf8'));
    } catch (err) {
      this.dropped += 1;
      this.report(err);
    }
  }

  stats(): SyslogForwarderStats {
    return { sent: this.sent, dropped: this.dropped, queued: this.queue.length, connected: this.connected };
  }

  /**
   * Stops retrying and closes sockets. TCP lines already written are flushed first,
   * and so are queued lines while the first connection is still being made (a
   * one-shot command such as `kekkai user add` closes right after its record); all
   * within about two seconds.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (tcp && !tcp.destroyed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          tcp.destroy();
          resolve();
        }, 2000);
        const end = (): void => {
          this.flush();
          tcp.end(() => {
            clearTimeout(timer);
            resolve();
          });
        };
        if (!tcp.connecting) return end();
        // The connect handler (connect()) flushes the queue first; then the socket ends.
        tcp.once('connect', end);
        tcp.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.tcp = undefined;
  }

  private sendUdp(datagram: Buffer): void {
    if (!this.udp) {
      this.udp = dgram.createSocket(net.isIPv6(this.options.host) ? 'udp6' : 'udp4');
      this.udp.on('error', (err) => this.report(err));
      this.udp.unref();
    }
    this.udp.send(datagram, this.options.port, this.options.host, (err) => {
      if (err) {
        this.dropped += 1;
        this.report(err);
      } else this.sent += 1;
    });
  }

  private enqueueTcp(frame: Buffer): void {
    this.queue.push(frame);
    const max = this.options.maxQueue ?? 10_000;
    while (this.queue.length > max) {
      this.queue.shift();
      this.dropped += 1;
    }
    if (this.connected) this.flush();
    else if (!this.tcp && !this.retryTimer) this.connect();
  }

  private connect(): void {
    this.retryTimer = undefined;
    if (this.closed) return;
    const socket = net.connect({ host: this.options.host, port: this.options.port });
    this.tcp = socket;
    socket.setKeepAlive(true, 30_000);
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.connected = true;
      this.backoffMs = this.options.minBackoffMs ?? 500;
      this.flush();
    });
    socket.on('drain', () => this.flush());
    // The collector never speaks; reading keeps a half-closed socket noticed.
    socket.on('data', () => undefined);
    socket.on('error', (err) => this.report(err));
    socket.on('close', () => {
      if (this.tcp !== socket) return;
      this.tcp = undefined;
      this.connected = false;
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => this.connect(), this.backoffMs);
    this.retryTimer.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 30_000);
  }

  private flush(): void {
    const socket = this.tcp;
    if (!socket || !this.connected) return;
    while (this.queue.length > 0 && socket.writableLength < MAX_SOCKET_BUFFER) {
      socket.write(this.queue.shift()!);
      this.sent += 1;
    }
  }

  private report(err: unknown): void {
    try {
      this.options.onError?.(err instanceof Error ? err : new Error(String(err)));
    } catch {
      // A failing error handler must not reach the caller either.
    }
  }
}
