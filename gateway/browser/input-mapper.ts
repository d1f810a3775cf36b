/**
 * Maps validated client input messages to Chrome DevTools Protocol Input domain
 * parameters. Pure functions, unit-tested without a browser.
 */
import type { KeyMessage, PointerMessage, WheelMessage } from '../../protocol/index.js';

type MouseButton = 'none' | 'left' | 'middle' | 'right';

export interface CdpMouseEvent {
  type: 'mousePressed' | 'mouseReleased' | 'mouseMoved' | 'mouseWheel';
  x: number;
  y: number;
  button: MouseButton;
  buttons: number;
  clickCount: number;
  modifiers: number;
  deltaX?: number;
  deltaY?: number;
}

export function pointerToCdp(msg: PointerMessage): CdpMouseEvent {
  const type = msg.action === 'down' ? 'mousePressed' : msg.action === 'up' ? 'mouseReleased' : 'mouseMoved';
  return {
    type,
    x: msg.x,
    y: msg.y,
    button: msg.action === 'move' ? buttonFromMask(msg.buttons) : msg.button,
    buttons: msg.buttons,
    clickCount: msg.action === 'move' ? 0 : Math.max(1, msg.clickCount),
    modifiers: msg.modifiers,
  };
}

export function wheelToCdp(msg: WheelMessage): CdpMouseEvent {
  return {
    type: 'mouseWheel',
    x: msg.x,
    y: msg.y,
    button: 'none',
    buttons: 0,
    clickCount: 0,
    modifiers: msg.modifiers,
    deltaX: msg.deltaX,
    deltaY: msg.deltaY,
  };
}

function buttonFromMask(buttons: number): MouseButton {
  if (buttons & 1) return 'left';
  if (buttons & 2) return 'right';
  if (buttons & 4) return 'middle';
  return 'none';
}

export interface CdpKeyEvent {
  type: 'keyDown' | 'rawKeyDown' | 'keyUp';
  key: string;
  code: string;
  windowsVirtualKeyCode: number;
  nativeVirtualKeyCode: number;
  modifiers: number;
  text?: string;
  unmodifiedText?: string;
  autoRepeat: boolean;
  location?: number;
  isKeypad: boolean;
}

const CTRL = 2;
const ALT = 1;
const META = 4;

/**
 * A key-down that produces text becomes `keyDown` with text (Chromium then fires
 * keydown, keypress and input); other keys become `rawKeyDown` so shortcuts such as
 * Ctrl+A and editing keys (Backspace, arrows, Tab) run the page's default action.
 */
export function keyToCdp(msg: KeyMessage): CdpKeyEvent {
  const text = keyText(msg);
  const base = {
    key: msg.key,
    code: msg.code,
    windowsVirtualKeyCode: msg.keyCode,
    nativeVirtualKeyCode: msg.keyCode,
    modifiers: msg.modifiers,
    autoRepeat: msg.repeat ?? false,
    isKeypad: msg.location === 3,
    ...(msg.location !== undefined ? { location: msg.location } : {}),
  };
  if (msg.action === 'up') return { type: 'keyUp', ...base };
  if (text === undefined) return { type: 'rawKeyDown', ...base };
  return { type: 'keyDown', ...base, text, unmodifiedText: text };
}

function keyText(msg: KeyMessage): string | undefined {
  if (msg.modifiers & (CTRL | ALT | META)) return undefined;
  if (msg.key === 'Enter') return '\r';
  if (msg.text !== undefined && msg.text.length > 0 && [...msg.text].length === 1 && !isControl(msg.text)) return msg.text;
  return undefined;
}

function isControl(text: string): boolean {
  const cp = text.codePointAt(0) ?? 0;
  return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

/** True for the copy/cut shortcuts whose selection we read before the page acts. */
export function isCopyShortcut(msg: KeyMessage): 'copy' | 'cut' | null {
  if (msg.action !== 'down' || !(msg.modifiers & (CTRL | META))) return null;
  if (msg.code === 'KeyC' || msg.key.toLowerCase() === 'c') return 'copy';
  if (msg.code === 'KeyX' || msg.key.toLowerCase() === 'x') return 'cut';
  return null;
}
