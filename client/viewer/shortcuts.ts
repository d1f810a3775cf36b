/**
 * The viewer's browser shortcuts, as a desktop browser has them. They work with
 * the keyboard in the remote page too (the page never sees them): Ctrl+L, Alt+D
 * and F6 reach kekkai's address bar, Ctrl+T / Ctrl+W / Ctrl+Tab (and
 * Ctrl+PageUp/PageDown) open, close and switch kekkai's tabs, F5 / Ctrl+R reload,
 * Alt+←/→ go back and forward, Ctrl+P prints. Chrome and Edge keep Ctrl+T, Ctrl+W
 * and Ctrl+Tab for their own tabs unless kekkai runs as an app or kiosk window, so
 * those act only where the local browser passes them on; Ctrl+PageUp/PageDown
 * reach kekkai in more setups. Pressing Esc twice quickly in the page leaves it
 * for the address bar (a single Esc still goes to the page, which may need it).
 */

export type ShortcutAction =
  | 'focus-address'
  | 'new-tab'
  | 'close-tab'
  | 'next-tab'
  | 'previous-tab'
  | 'reload'
  | 'back'
  | 'forward'
  | 'print';

/** The parts of a KeyboardEvent the matcher reads (plain objects in unit tests). */
export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** The viewer action for a key-down, or null when the key is not a browser shortcut. */
export function shortcutFor(e: KeyLike): ShortcutAction | null {
  const ctrl = e.ctrlKey || e.metaKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (ctrl && !e.altKey) {
    if (key === 'l' && !e.shiftKey) return 'focus-address';
    if (key === 't' && !e.shiftKey) return 'new-tab';
    if (key === 'w' && !e.shiftKey) return 'close-tab';
    if (key === 'Tab') return e.shiftKey ? 'previous-tab' : 'next-tab';
    if (key === 'PageDown' && !e.shiftKey) return 'next-tab';
    if (key === 'PageUp' && !e.shiftKey) return 'previous-tab';
    if (key === 'r' && !e.shiftKey) return 'reload';
    if (key === 'p' && !e.shiftKey) return 'print';
  }
  if (e.altKey && !ctrl && !e.shiftKey) {
    if (key === 'd') return 'focus-address';
    if (key === 'ArrowLeft') return 'back';
    if (key === 'ArrowRight') return 'forward';
  }
  if (!ctrl && !e.altKey && key === 'F6') return 'focus-address';
  if (!ctrl && !e.altKey && !e.shiftKey && key === 'F5') return 'reload';
  return null;
}

/** Two Esc presses this close together leave the page. */
export const DOUBLE_ESCAPE_MS = 800;

/** Counts Esc presses in the page: true on the second one within {@link DOUBLE_ESCAPE_MS}. */
export class EscapeWatch {
  private last = -Infinity;

  press(e: KeyLike, now: number): boolean {
    if (e.key !== 'Escape' || e.ctrlKey || e.altKey || e.metaKey || e.shiftKey) {
      this.last = -Infinity;
      return false;
    }
    const double = now - this.last <= DOUBLE_ESCAPE_MS;
    this.last = double ? -Infinity : now;
    return double;
  }
}
