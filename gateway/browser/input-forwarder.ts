/**
 * Forwards pointer, wheel, key and IME input to the active tab and runs the page
 * probes that make the remote page feel local: the cursor shape under the pointer
 * (throttled), the caret position for the local IME window (debounced), and the
 * selection for copy shortcuts.
 */
import { CURSORS, type ClientMessage, type CursorName, type ServerMessage } from '../../protocol/index.js';
import { isCopyShortcut } from './input-mapper.js';
import { CARET_PROBE, CURSOR_PROBE, MAX_CURSOR_CHARS, MAX_SELECTION_CHARS, SELECTION_PROBE } from './page-probes.js';
import type { RemoteTab } from './remote-tab.js';

const CURSOR_INTERVAL_MS = 80;
const CARET_DELAY_MS = 60;
const CURSOR_SET = new Set<string>(CURSORS);

type InputMessage = Extract<ClientMessage, { type: 'pointer' | 'wheel' | 'key' | 'ime' }>;

export class InputForwarder {
  private cursor: CursorName = 'default';
  private cursorBusy = false;
  private lastCursorProbe = 0;
  private pendingPoint: { x: number; y: number } | null = null;
  private caretTimer: NodeJS.Timeout | null = null;
  private lastCaret = '';

  constructor(private readonly send: (msg: ServerMessage) => void) {}

  async forward(tab: RemoteTab, msg: InputMessage, copy: (cut: boolean) => Promise<void>): Promise<void> {
    switch (msg.type) {
      case 'pointer':
        await tab.pointer(msg);
        if (msg.action === 'move') this.scheduleCursor(tab, msg.x, msg.y);
        else if (msg.action === 'up') this.scheduleCaret(tab);
        return;
      case 'wheel':
        await tab.wheel(msg);
        return;
      case 'key': {
        const shortcut = isCopyShortcut(msg);
        // Read the selection before the page acts on the key (cut removes it).
        if (shortcut) return copy(shortcut === 'cut');
        await tab.key(msg);
        if (msg.action === 'down') this.scheduleCaret(tab);
        return;
      }
      case 'ime':
        if (msg.phase === 'start') return this.sendCaret(tab);
        await tab.ime(msg);
        if (msg.phase === 'commit') this.scheduleCaret(tab);
        return;
    }
  }

  async selection(tab: RemoteTab): Promise<string | null> {
    const text = await tab.probe<string>(SELECTION_PROBE, MAX_SELECTION_CHARS);
    return typeof text === 'string' && text.length > 0 ? text.slice(0, MAX_SELECTION_CHARS) : null;
  }

  private scheduleCursor(tab: RemoteTab, x: number, y: number): void {
    this.pendingPoint = { x, y };
    if (this.cursorBusy) return;
    const wait = Math.max(0, this.lastCursorProbe + CURSOR_INTERVAL_MS - Date.now());
    this.cursorBusy = true;
    setTimeout(() => void this.probeCursor(tab), wait);
  }

  private async probeCursor(tab: RemoteTab): Promise<void> {
    const point = this.pendingPoint;
    this.pendingPoint = null;
    this.lastCursorProbe = Date.now();
    if (point && !tab.closed) {
      const value = await tab.probe<string>(CURSOR_PROBE, point.x, point.y);
      const known = typeof value === 'string' && value.length <= MAX_CURSOR_CHARS && CURSOR_SET.has(value);
      const cursor: CursorName = known ? (value as CursorName) : 'default';
      if (cursor !== this.cursor) {
        this.cursor = cursor;
        this.send({ type: 'cursor', cursor });
      }
    }
    this.cursorBusy = false;
    // The pointer may have moved while the probe ran (TypeScript cannot see that).
    const next = this.pendingPoint as { x: number; y: number } | null;
    if (next) this.scheduleCursor(tab, next.x, next.y);
  }

  private scheduleCaret(tab: RemoteTab): void {
    if (this.caretTimer) clearTimeout(this.caretTimer);
    this.caretTimer = setTimeout(() => {
      this.caretTimer = null;
      void this.sendCaret(tab);
    }, CARET_DELAY_MS);
  }

  private async sendCaret(tab: RemoteTab): Promise<void> {
    if (tab.closed) return;
    const caret = await tab.probe<{ x: number; y: number; height: number }>(CARET_PROBE);
    if (!caret || ![caret.x, caret.y, caret.height].every((n) => typeof n === 'number' && Number.isFinite(n))) return;
    const clamped = { x: clamp(caret.x, 0, 10_000), y: clamp(caret.y, 0, 10_000), height: clamp(caret.height, 1, 500) };
    const key = `${clamped.x}|${clamped.y}|${clamped.height}`;
    if (key === this.lastCaret) return;
    this.lastCaret = key;
    this.send({ type: 'caret', ...clamped });
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.round(Math.min(hi, Math.max(lo, n)));
}
