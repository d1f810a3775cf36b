/**
 * The leak guard's side of the viewer (docs/leak-guard.md). Pasted and IME/dictation
 * text carries a number (`n`) so that a warning can name it; the last few are kept
 * here, in memory only, until the gateway has judged them. A block shows the
 * gateway's explanation; a warning asks for a reason and sends the same text again
 * with it, or drops it on Cancel. An upload is asked the same way (askReason); for
 * a number typed key by key the answer goes back as `leak-reason` (kept or erased).
 */
import type { ClientMessage, ServerMessage } from '../../protocol/index.js';
import { h } from '../dom-builder.js';
import { localized, t } from '../i18n.js';

type Guarded = Extract<ClientMessage, { type: 'paste' } | { type: 'ime' }>;
type LeakGuardMessage = Extract<ServerMessage, { type: 'leak-guard' }>;

/** Text kept for a possible warning: the gateway answers within a round trip. */
const KEPT = 16;

export class LeakGuardView {
  private next = 1;
  private readonly kept = new Map<number, Guarded>();

  constructor(
    private readonly root: HTMLElement,
    private readonly send: (msg: ClientMessage) => void,
    private readonly error: (text: string) => void,
    private readonly refocus: () => void,
  ) {}

  /** Numbers a paste or an IME commit before it is sent, and keeps it for a warning. */
  tag(msg: ClientMessage): ClientMessage {
    if (msg.type !== 'paste' && !(msg.type === 'ime' && msg.phase === 'commit')) return msg;
    const n = this.next++;
    const tagged = { ...msg, n } as Guarded;
    this.kept.set(n, tagged);
    if (this.kept.size > KEPT) this.kept.delete(this.kept.keys().next().value as number);
    return tagged;
  }

  /** The gateway stopped a text. */
  show(msg: LeakGuardMessage): void {
    if (msg.verdict === 'warn' && msg.channel === 'typing' && msg.n === undefined) {
      // Typed key by key: the text is in the remote field already; the answer keeps or erases it.
      void this.askReason(localized(msg.message)).then((reason) => this.send({ type: 'leak-reason', ...(reason ? { reason } : {}) }));
      return;
    }
    const text = msg.n === undefined ? undefined : this.kept.get(msg.n);
    if (msg.n !== undefined) this.kept.delete(msg.n);
    if (msg.verdict === 'blocked' || !text) {
      this.error(localized(msg.message));
      return;
    }
    void this.askReason(localized(msg.message)).then((reason) => {
      if (reason) this.send({ ...text, reason });
    });
  }

  /** Asks why the text is needed; null when the user cancels. */
  askReason(explanation: string): Promise<string | null> {
    return new Promise((resolve) => {
      const dialog = h('dialog', { class: 'remote-dialog leak-guard-dialog', 'aria-label': t('leakReasonTitle') });
      const reason = h('textarea', { rows: '3', maxlength: '500', required: true, 'aria-describedby': 'leak-reason-help' });
      const help = h('p', { id: 'leak-reason-help' }, [explanation]);
      const error = h('p', { class: 'field-error', role: 'alert' });
      const ok = h('button', { type: 'button', class: 'primary' }, [t('leakSendAnyway')]);
      const cancel = h('button', { type: 'button' }, [t('leakDoNotSend')]);
      const done = (value: string | null): void => {
        dialog.close();
        dialog.remove();
        this.refocus();
        resolve(value);
      };
      ok.addEventListener('click', () => {
        const value = reason.value.trim();
        if (!value) {
          error.textContent = t('leakReasonRequired');
          reason.setAttribute('aria-invalid', 'true');
          reason.focus();
          return;
        }
        done(value.slice(0, 500));
      });
      cancel.addEventListener('click', () => done(null));
      dialog.addEventListener('cancel', (e) => {
        e.preventDefault();
        done(null);
      });
      dialog.append(h('h2', {}, [t('leakReasonTitle')]), help, h('label', {}, [t('leakReasonLabel'), reason]), error, h('div', { class: 'dialog-buttons' }, [cancel, ok]));
      this.root.append(dialog);
      dialog.showModal();
      reason.focus();
    });
  }
}
