/**
 * The leak guard's `typing` channel for text typed key by key (docs/leak-guard.md).
 * A number typed digit by digit never crosses as one piece of text, so the viewer
 * socket keeps the run of characters typed since the caret last moved and judges it
 * each time the run of a number ends — at a character that is not a digit, space or
 * hyphen, at Enter, Tab, an arrow key, a click — *before* that key reaches the page:
 *
 * - **block**: the key that ended the number is withheld and Backspaces erase the
 *   number from the field (the caret is known to be right after it);
 * - **warn**: the key is withheld and the viewer asks for a reason (`leak-reason`):
 *   with one the number stays, without one it is erased;
 * - **log**: recorded, nothing changes for the user.
 *
 * A click, a shortcut with Ctrl/Alt or a navigation makes the run unknown (the caret
 * may be anywhere): it is judged first where it ends a number, then forgotten.
 * Limitations: text that reached the page is visible to its scripts while it is typed
 * (an autosave could send the first digits); a number edited in the middle is not
 * followed.
 */
import type { ClientMessage, ServerMessage } from '../../protocol/index.js';
import { normaliseForScan } from '../../policies/leak-guard.js';
import { message } from '../i18n/messages.js';
import type { LeakActor, LeakGuardService } from '../security/leak-guard-service.js';

type KeyMessage = Extract<ClientMessage, { type: 'key' }>;

/** Longest run kept; older characters are dropped from the front. */
const MAX_RUN = 256;
/** Keys that only change modifiers or nothing at all. */
const NEUTRAL_KEYS = new Set(['Shift', 'Control', 'Alt', 'Meta', 'CapsLock', 'NumLock', 'Dead', 'Process', 'Unidentified', 'Compose']);
const NUMBER_PART = /^[0-9０-９\-－‐ー\s]$/u;
const CTRL_ALT_META = 1 | 2 | 4;

export interface TypedTextResult {
  /** What goes to the page, in order (possibly Backspaces before the message, or nothing). */
  forward: ClientMessage[];
  /** What the viewer is told. */
  notify?: ServerMessage;
}

export class TypedTextGuard {
  private run = '';
  /** Characters at the start of the run already judged (and allowed or logged). */
  private judged = 0;
  /** A warning waiting for the user's reason: where the number starts in the run. */
  private pending: { from: number; text: string } | null = null;

  constructor(
    private readonly guard: LeakGuardService,
    private readonly actor: () => LeakActor,
  ) {}

  /** Passes one client message through the typing check. */
  process(msg: ClientMessage): TypedTextResult {
    if (msg.type === 'leak-reason') return this.answer(msg.reason);
    // While a warning waits for its answer, the page gets nothing typed (the viewer shows a modal dialog).
    if (this.pending && (msg.type === 'key' || msg.type === 'ime' || msg.type === 'paste')) return { forward: [] };
    switch (msg.type) {
      case 'key':
        return this.key(msg);
      case 'ime':
        if (msg.phase !== 'commit') return { forward: [msg] };
        return this.text(msg, msg.text);
      case 'paste':
        return this.text(msg, msg.text);
      case 'pointer':
        if (msg.action !== 'down') return { forward: [msg] };
        return this.endRun(msg, false);
      case 'navigate':
      case 'history':
      case 'tab':
        this.pending = null;
        this.reset();
        return { forward: [msg] };
      default:
        return { forward: [msg] };
    }
  }

  /** Committed or pasted text joins the run; text that ends a number has the run judged first. */
  private text(msg: ClientMessage, text: string): TypedTextResult {
    if ([...text].every((c) => NUMBER_PART.test(c))) {
      this.append(text);
      return { forward: [msg] };
    }
    const judged = this.judge(msg);
    if (judged.forward.includes(msg)) this.append(text);
    return judged;
  }

  private key(msg: KeyMessage): TypedTextResult {
    if (msg.action !== 'down' || NEUTRAL_KEYS.has(msg.key)) return { forward: [msg] };
    if ((msg.modifiers & CTRL_ALT_META) !== 0) return this.endRun(msg, false);
    if (msg.key === 'Backspace') {
      this.run = this.run.slice(0, -1);
      this.judged = Math.min(this.judged, this.run.length);
      return { forward: [msg] };
    }
    const text = msg.text ?? ([...msg.key].length === 1 ? msg.key : '');
    if (text.length > 0) {
      if (NUMBER_PART.test(text)) {
        this.append(text);
        return { forward: [msg] };
      }
      // A character that ends a number: judge the run first; the character stays in the run.
      const judged = this.judge(msg);
      if (judged.forward.includes(msg)) this.append(text);
      return judged;
    }
    // Enter, Tab, arrows, Home, End, Delete…: the run ends and the caret may move.
    return this.endRun(msg, true);
  }

  /** Judges the run, then forgets it; `withhold` keeps a stopped key from the page. */
  private endRun(msg: ClientMessage, withhold: boolean): TypedTextResult {
    const result = this.judge(msg, withhold);
    if (!this.pending) this.reset();
    return result;
  }

  /** Checks the part of the run not yet judged; a finding withholds `msg` (unless it is a click) and acts. */
  private judge(msg: ClientMessage, withhold = true): TypedTextResult {
    const fresh = this.run.slice(this.judged);
    if (fresh.length === 0) return { forward: [msg] };
    const decision = this.guard.check('typing', fresh, this.actor());
    if (decision.verdict === 'pass') {
      this.judged = this.run.length;
      return { forward: [msg] };
    }
    // Offsets are in the normalised text; where normalising changed the length, the whole fresh part goes.
    const exact = normaliseForScan(fresh).length === fresh.length;
    const first = Math.min(...decision.matches.filter((m) => m.action === (decision.verdict === 'block' ? 'block' : 'warn')).map((m) => m.start));
    const from = this.judged + (exact && Number.isFinite(first) ? first : 0);
    const rules = decision.ruleNames.join('、');
    const passOn = withhold ? [] : [msg];
    if (decision.verdict === 'block') {
      const erase = this.eraseFrom(from);
      return {
        forward: [...erase, ...passOn],
        notify: { type: 'leak-guard', verdict: 'blocked', channel: 'typing', rules: decision.ruleNames, message: message('leak-typed-blocked', { rules }) },
      };
    }
    this.pending = { from, text: fresh };
    return {
      forward: passOn,
      notify: { type: 'leak-guard', verdict: 'warn', channel: 'typing', rules: decision.ruleNames, message: message('leak-warning', { rules }) },
    };
  }

  /** The user's answer to a typing warning: a reason keeps the number, none erases it. */
  private answer(reason: string | undefined): TypedTextResult {
    const pending = this.pending;
    this.pending = null;
    if (!pending) return { forward: [] };
    if (reason) {
      this.guard.check('typing', pending.text, this.actor(), { reason });
      this.judged = this.run.length;
      return { forward: [] };
    }
    return { forward: this.eraseFrom(pending.from) };
  }

  /** Backspaces that remove the run from `from` to its end (the caret is at the end). */
  private eraseFrom(from: number): KeyMessage[] {
    const count = [...this.run.slice(from)].length;
    this.run = this.run.slice(0, from);
    this.judged = this.run.length;
    const keys: KeyMessage[] = [];
    for (let i = 0; i < count; i++) {
      for (const action of ['down', 'up'] as const) keys.push({ type: 'key', action, key: 'Backspace', code: 'Backspace', keyCode: 8, modifiers: 0 });
    }
    return keys;
  }

  private append(text: string): void {
    this.run += text;
    if (this.run.length > MAX_RUN) {
      const cut = this.run.length - MAX_RUN;
      this.run = this.run.slice(cut);
      this.judged = Math.max(0, this.judged - cut);
    }
  }

  private reset(): void {
    this.run = '';
    this.judged = 0;
  }
}
