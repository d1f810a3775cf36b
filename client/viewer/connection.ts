/**
 * The viewer's WebSocket: says hello with the viewport, validates every message
 * from the gateway, hands frames and messages on, and reconnects with backoff
 * after a dropped connection (the gateway keeps the session meanwhile).
 *
 * Until the gateway has welcomed the connection (the browser session is ready), what
 * the user does — an address typed and entered right after sign-in, keys, clicks —
 * waits here, in order, and goes out once the session is attached: the gateway
 * refuses input before that. Pointer moves and acknowledgements are not kept.
 */
import {
  type ClientMessage,
  PROTOCOL_VERSION,
  ServerMessage,
  decodeFrame,
  type DecodedFrame,
  type Viewport,
} from '../../protocol/index.js';

export interface ConnectionHandlers {
  frame(frame: DecodedFrame): void;
  message(msg: ServerMessage): void;
  state(state: 'connecting' | 'open' | 'reconnecting' | 'closed'): void;
  protocolError(): void;
}

const BACKOFF_MS = [500, 1000, 2000, 5000, 10000];
/** Messages kept while the session is not ready; beyond it the newest are dropped. */
const MAX_PENDING = 500;

export class Connection {
  private socket: WebSocket | null = null;
  private attempts = 0;
  private stopped = false;
  /** True once the gateway's `welcome` arrived on the current socket. */
  private ready = false;
  private readonly pending: ClientMessage[] = [];

  constructor(
    private readonly viewport: () => Viewport,
    private readonly handlers: ConnectionHandlers,
  ) {}

  open(): void {
    this.handlers.state(this.attempts === 0 ? 'connecting' : 'reconnecting');
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    this.ready = false;
    socket.addEventListener('open', () => {
      this.attempts = 0;
      socket.send(JSON.stringify({ type: 'hello', version: PROTOCOL_VERSION, viewport: this.viewport() } satisfies ClientMessage));
      this.handlers.state('open');
    });
    socket.addEventListener('message', (event) => this.receive(event.data as ArrayBuffer | string));
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.ready = false;
      // 4000: the gateway ended the session; 4401: signed out; 4426: this page is older than the gateway. No point retrying.
      if (this.stopped || event.code === 4000 || event.code === 4401 || event.code === 4403 || event.code === 4426) {
        this.handlers.state('closed');
        return;
      }
      this.handlers.state('reconnecting');
      const delay = BACKOFF_MS[Math.min(this.attempts, BACKOFF_MS.length - 1)]!;
      this.attempts++;
      setTimeout(() => this.open(), delay);
    });
  }

  send(msg: ClientMessage): void {
    if (this.ready && this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(msg));
      return;
    }
    if (this.stopped || msg.type === 'ack' || msg.type === 'keyframe' || msg.type === 'hello' || (msg.type === 'pointer' && msg.action === 'move')) return;
    // Only the latest size matters.
    if (msg.type === 'resize') {
      const i = this.pending.findIndex((m) => m.type === 'resize');
      if (i >= 0) this.pending.splice(i, 1);
    }
    if (this.pending.length < MAX_PENDING) this.pending.push(msg);
  }

  stop(): void {
    this.stopped = true;
    this.pending.length = 0;
    this.socket?.close();
  }

  private flush(): void {
    const socket = this.socket;
    if (!socket) return;
    for (const msg of this.pending.splice(0)) socket.send(JSON.stringify(msg));
  }

  private receive(data: ArrayBuffer | string): void {
    if (typeof data !== 'string') {
      const frame = decodeFrame(data);
      if (frame) this.handlers.frame(frame);
      else this.handlers.protocolError();
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      this.handlers.protocolError();
      return;
    }
    const result = ServerMessage.safeParse(parsed);
    if (!result.success) return this.handlers.protocolError();
    this.handlers.message(result.data);
    if (result.data.type === 'welcome') {
      this.ready = true;
      this.flush();
    }
  }
}
