/**
 * The one check of what a user may do on a page: the gateway's own switches
 * (settings: clipboard each way, uploads, printing) and the page's URL-policy limits
 * (read-only, capability flags; page-restrictions.ts) together. BrowserSession asks
 * it before paste, copy, cut, typing, printing and file choosers, and shows the
 * refusal as a notice. No I/O, so unit tests cover every combination.
 */
import type { ClientMessage } from '../../protocol/index.js';
import type { PagePolicy } from './page-restrictions.js';

export type PageAction = 'paste' | 'copy' | 'cut' | 'type' | 'print' | 'upload';

/** The gateway-wide switches, from the configuration. */
export interface GatewaySwitches {
  clipboardToClient: boolean;
  clipboardFromClient: boolean;
  uploadEnabled: boolean;
  printEnabled: boolean;
}

/** The notice a refused action gets (message ids in gateway/i18n/messages.ts). */
export type Refusal = 'clipboard-from-client-disabled' | 'clipboard-to-client-disabled' | 'read-only' | 'print-disabled' | 'upload-disabled';

/** Why `action` is refused on a page with these limits, or null when it is allowed. */
export function refusalFor(action: PageAction, page: PagePolicy | undefined, switches: GatewaySwitches): Refusal | null {
  const caps = page?.capabilities ?? null;
  const readOnly = page?.readOnly ?? false;
  switch (action) {
    case 'paste':
      if (!switches.clipboardFromClient || caps?.clipboardFromClient === false) return 'clipboard-from-client-disabled';
      return readOnly ? 'read-only' : null;
    case 'copy':
      return !switches.clipboardToClient || caps?.clipboardToClient === false ? 'clipboard-to-client-disabled' : null;
    case 'cut':
      return refusalFor('copy', page, switches) ?? (readOnly ? 'read-only' : null);
    case 'type':
      return readOnly ? 'read-only' : null;
    case 'print':
      return !switches.printEnabled || caps?.print === false ? 'print-disabled' : null;
    case 'upload':
      return !switches.uploadEnabled || caps?.upload === false || readOnly ? 'upload-disabled' : null;
  }
}

const NAVIGATION_KEYS = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'PageUp', 'PageDown', 'Home', 'End', 'Tab', 'Escape', 'Shift', 'Control', 'Alt', 'Meta']);

/**
 * Whether a key or IME message types into the page (and so counts as `type`). Keys
 * that move around a read-only page without changing it — arrows, paging, Tab,
 * Escape, modifiers, Ctrl+A/C/F — do not.
 */
export function typesIntoPage(msg: ClientMessage): boolean {
  if (msg.type === 'ime') return true;
  if (msg.type !== 'key') return false;
  return !(NAVIGATION_KEYS.has(msg.key) || ((msg.modifiers & 2) !== 0 && ['a', 'c', 'f'].includes(msg.key.toLowerCase())));
}
