/**
 * The viewer's WebSocket: says hello with the viewport, validates every message
 * from the gateway, hands frames and messages on, and reconnects with backoff
 * after a dropped connection (the gateway keeps the session meanwhile).
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

export class Connection {
  private socket: WebSocket | null = null;
  private attempts = 0;
  private stopped = false;

  constructor(
    private readonly viewport: () => Viewport,
    private readonly handlers: ConnectionHandlers,
  ) {}

  open(): void {
    this.handlers.state(this.attempts === 0 ? 'connecting' : 'reconnecting');
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.attempts = 0;
      this.send({ type: 'hello', version: PROTOCOL_VERSION, viewport: this.viewport() });
      this.handlers.state('open');
    });
    socket.addEventListener('message', (event) => this.receive(event.data as ArrayBuffer | string));
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      // 4000: the gateway ended the session; 4401: signed out. No point retrying.
      if (this.stopped || event.code === 4000 || event.code === 4401 || event.code === 4403) {
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
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(msg));
  }

  stop(): void {
    this.stopped = true;
    this.socket?.close();
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
    if (result.success) this.handlers.message(result.data);
    else this.handlers.protocolError();
  }
}
