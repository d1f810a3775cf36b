/**
 * Captures the user's input over the remote page and sends it to the gateway:
 * pointer (coalesced per animation frame), wheel, keyboard, Japanese IME
 * composition and paste. Keyboard and IME go through a hidden textarea placed at
 * the remote caret, so the local IME candidate window appears next to it. Text
 * that arrives without key or composition events — on-screen keyboards, dictation,
 * a paste or an emoji from the system's menus — shows up as `beforeinput` on the
 * textarea and is inserted in the remote field as text.
 */
import type { ClientMessage } from '../../protocol/index.js';
import { EscapeWatch } from './shortcuts.js';

type Send = (msg: ClientMessage) => void;

const BUTTONS = ['left', 'middle', 'right'] as const;

export function modifiersOf(e: MouseEvent | KeyboardEvent | WheelEvent): number {
  return (e.altKey ? 1 : 0) | (e.ctrlKey ? 2 : 0) | (e.metaKey ? 4 : 0) | (e.shiftKey ? 8 : 0);
}

export interface InputCaptureOptions {
  canvas: HTMLCanvasElement;
  textarea: HTMLTextAreaElement;
  send: Send;
  /** Remote viewport in CSS pixels, to scale local coordinates. */
  remoteSize: () => { width: number; height: number };
  /** Browser shortcuts (shortcuts.ts): true when the viewer took the key, which then never reaches the page. */
  shortcut: (e: KeyboardEvent) => boolean;
  /** Esc pressed twice quickly in the page: the keyboard leaves the page. */
  leavePage: () => void;
  /** Suggestions shown under the remote field (pickers.ts): true when they took the key. */
  pickerKey?: (e: KeyboardEvent) => boolean;
}

/** Largest piece of text one IME commit carries (protocol limit). */
const MAX_COMMIT_CHARS = 1000;

export class InputCapture {
  private pendingMove: ClientMessage | null = null;
  private wheel: { x: number; y: number; dx: number; dy: number; modifiers: number } | null = null;
  private composing = false;
  /** Buttons pressed on the canvas: only their releases are forwarded. */
  private pressed = 0;
  private readonly escapes = new EscapeWatch();
  /** Keys whose press the viewer took: their release is not sent either. */
  private readonly taken = new Set<string>();

  constructor(private readonly o: InputCaptureOptions) {
    const { canvas, textarea } = o;
    canvas.addEventListener('mousedown', (e) => this.onButton(e, 'down'));
    window.addEventListener('mouseup', (e) => this.onButton(e, 'up'));
    canvas.addEventListener('mousemove', (e) => this.onMove(e));
    canvas.addEventListener('contextmenu', (e) => e.preventDefault());
    canvas.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    textarea.addEventListener('keydown', (e) => this.onKey(e, 'down'));
    textarea.addEventListener('keyup', (e) => this.onKey(e, 'up'));
    textarea.addEventListener('compositionstart', () => {
      this.composing = true;
      o.send({ type: 'ime', phase: 'start', text: '' });
    });
    textarea.addEventListener('compositionupdate', (e) => {
      o.send({ type: 'ime', phase: 'update', text: e.data.slice(0, 1000) });
    });
    textarea.addEventListener('compositionend', (e) => {
      this.composing = false;
      o.send({ type: 'ime', phase: 'commit', text: e.data.slice(0, 1000) });
      textarea.value = '';
    });
    textarea.addEventListener('beforeinput', (e) => this.onBeforeInput(e));
    textarea.addEventListener('input', () => {
      if (!this.composing) textarea.value = '';
    });
    textarea.addEventListener('paste', (e) => {
      e.preventDefault();
      const text = e.clipboardData?.getData('text/plain') ?? '';
      if (text) o.send({ type: 'paste', text: text.slice(0, 100_000) });
    });
  }

  focus(): void {
    this.o.textarea.focus({ preventScroll: true });
  }

  /**
   * Text without a key: forwarded keys never get here (their default is prevented),
   * and composition has its own events, so what remains is text from an on-screen
   * keyboard, dictation or a menu. It goes in as a committed IME text
   * (Input.insertText), which the gateway treats as typing.
   */
  private onBeforeInput(e: InputEvent): void {
    if (this.composing || e.isComposing || e.inputType.startsWith('insertComposition')) return;
    if (e.inputType === 'insertLineBreak' || e.inputType === 'insertParagraph') {
      e.preventDefault();
      this.sendKey('Enter', 'Enter', 13);
      return;
    }
    if (e.inputType === 'deleteContentBackward') {
      e.preventDefault();
      this.sendKey('Backspace', 'Backspace', 8);
      return;
    }
    if (!e.inputType.startsWith('insert')) return;
    const text = e.data ?? e.dataTransfer?.getData('text/plain') ?? '';
    e.preventDefault();
    for (let i = 0; i < text.length; i += MAX_COMMIT_CHARS) {
      this.o.send({ type: 'ime', phase: 'commit', text: text.slice(i, i + MAX_COMMIT_CHARS) });
    }
  }

  private sendKey(key: string, code: string, keyCode: number): void {
    for (const action of ['down', 'up'] as const) this.o.send({ type: 'key', action, key, code, keyCode, modifiers: 0 });
  }

  /** Forwards a wheel turned over something that covers the page (the download panel) to the page below. */
  wheelAt(e: WheelEvent): void {
    this.onWheel(e);
  }

  private point(e: MouseEvent): { x: number; y: number } {
    const rect = this.o.canvas.getBoundingClientRect();
    const remote = this.o.remoteSize();
    const sx = rect.width ? remote.width / rect.width : 1;
    const sy = rect.height ? remote.height / rect.height : 1;
    return { x: Math.round((e.clientX - rect.left) * sx), y: Math.round((e.clientY - rect.top) * sy) };
  }

  private onButton(e: MouseEvent, action: 'down' | 'up'): void {
    const button = BUTTONS[e.button];
    if (!button) return;
    const bit = 1 << e.button;
    if (action === 'down') {
      // Keep keyboard focus on the hidden textarea rather than the canvas.
      e.preventDefault();
      this.focus();
      this.pressed |= bit;
    } else {
      if (!(this.pressed & bit)) return;
      this.pressed &= ~bit;
    }
    if (button === 'middle') e.preventDefault();
    this.flushMove();
    this.o.send({ type: 'pointer', action, ...this.point(e), button, buttons: e.buttons, clickCount: Math.min(3, Math.max(1, e.detail)), modifiers: modifiersOf(e) });
  }

  private onMove(e: MouseEvent): void {
    const first = this.pendingMove === null;
    this.pendingMove = { type: 'pointer', action: 'move', ...this.point(e), button: 'none', buttons: e.buttons, clickCount: 0, modifiers: modifiersOf(e) };
    if (first) requestAnimationFrame(() => this.flushMove());
  }

  private flushMove(): void {
    if (!this.pendingMove) return;
    this.o.send(this.pendingMove);
    this.pendingMove = null;
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const scale = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? this.o.remoteSize().height : 1;
    const first = this.wheel === null;
    const p = this.point(e);
    this.wheel = { x: p.x, y: p.y, dx: (this.wheel?.dx ?? 0) + e.deltaX * scale, dy: (this.wheel?.dy ?? 0) + e.deltaY * scale, modifiers: modifiersOf(e) };
    if (first) {
      requestAnimationFrame(() => {
        const w = this.wheel;
        this.wheel = null;
        if (!w) return;
        this.flushMove();
        this.o.send({ type: 'wheel', x: w.x, y: w.y, deltaX: clamp(w.dx), deltaY: clamp(w.dy), modifiers: w.modifiers });
      });
    }
  }

  private onKey(e: KeyboardEvent, action: 'down' | 'up'): void {
    // During composition the IME owns the keys; its result arrives via composition events.
    if (e.isComposing || e.keyCode === 229 || this.composing) return;
    const ctrl = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    // Let the local paste happen: its text arrives through the 'paste' event.
    if (ctrl && key === 'v' && !e.shiftKey && !e.altKey) return;
    if (action === 'down' && this.o.shortcut(e)) {
      e.preventDefault();
      e.stopPropagation();
      return;
    }
    if (action === 'down' && this.o.pickerKey?.(e)) {
      e.preventDefault();
      e.stopPropagation();
      this.taken.add(e.code);
      return;
    }
    if (action === 'up' && this.taken.delete(e.code)) {
      e.preventDefault();
      return;
    }
    if (action === 'down' && this.escapes.press(e, performance.now())) {
      e.preventDefault();
      e.stopPropagation();
      this.o.leavePage();
      return;
    }
    if (e.key === 'Dead' || e.key === 'Process' || e.key === 'Unidentified') return;
    e.preventDefault();
    const printable = [...e.key].length === 1;
    this.o.send({
      type: 'key',
      action,
      key: e.key.slice(0, 32),
      code: e.code.slice(0, 32),
      keyCode: e.keyCode & 0xff,
      modifiers: modifiersOf(e),
      ...(printable && action === 'down' ? { text: e.key } : {}),
      ...(e.repeat ? { repeat: true } : {}),
      location: e.location,
    });
  }

  /** Moves the hidden textarea to the remote caret (CSS pixels of the remote page). */
  placeCaret(caret: { x: number; y: number; height: number }): void {
    const rect = this.o.canvas.getBoundingClientRect();
    const remote = this.o.remoteSize();
    const sx = remote.width ? rect.width / remote.width : 1;
    const sy = remote.height ? rect.height / remote.height : 1;
    const ta = this.o.textarea;
    ta.style.left = `${Math.round(caret.x * sx)}px`;
    ta.style.top = `${Math.round(caret.y * sy)}px`;
    ta.style.height = `${Math.max(1, Math.round(caret.height * sy))}px`;
    ta.style.fontSize = `${Math.max(8, Math.round(caret.height * sy * 0.8))}px`;
  }
}

function clamp(n: number): number {
  return Math.max(-10_000, Math.min(10_000, n));
}
