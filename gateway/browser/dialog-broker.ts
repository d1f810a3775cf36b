/**
 * Forwards JavaScript dialogs (alert, confirm, prompt, beforeunload) of remote
 * pages to the viewer and their answers back. A page that keeps opening dialogs
 * cannot lock the user out: from the third dialog within 10 s the client offers
 * to suppress further ones from that tab, which are then answered automatically.
 */
import type { Dialog } from 'puppeteer';
import type { ServerMessage } from '../../protocol/index.js';
import { plainText } from '../../protocol/plain-text.js';

type DialogMessage = Extract<ServerMessage, { type: 'dialog' }>;

const BURST_WINDOW_MS = 10_000;
const BURST_COUNT = 2;

export class DialogBroker {
  private readonly pending = new Map<number, { tabId: number; dialog: Dialog; msg: DialogMessage }>();
  private readonly recent = new Map<number, number[]>();
  private readonly suppressed = new Set<number>();
  private nextId = 1;

  constructor(private readonly send: (msg: ServerMessage) => void, private readonly now: () => number = Date.now) {}

  open(tabId: number, dialog: Dialog): void {
    const kind = dialog.type() as DialogMessage['kind'];
    if (this.suppressed.has(tabId)) {
      // Leave the page / acknowledge alerts; refuse confirm and prompt.
      void (kind === 'alert' || kind === 'beforeunload' ? dialog.accept() : dialog.dismiss()).catch(() => undefined);
      return;
    }
    const t = this.now();
    const times = (this.recent.get(tabId) ?? []).filter((at) => t - at < BURST_WINDOW_MS);
    times.push(t);
    this.recent.set(tabId, times);
    const msg: DialogMessage = {
      type: 'dialog',
      dialogId: this.nextId++,
      tabId,
      kind,
      // The page's text, shown by the client: no bidi or other invisible characters.
      message: plainText(dialog.message(), 10_000, { multiline: true }),
      defaultValue: plainText(dialog.defaultValue(), 10_000),
      offerSuppress: times.length > BURST_COUNT,
    };
    this.pending.set(msg.dialogId, { tabId, dialog, msg });
    this.send(msg);
  }

  async reply(answer: { dialogId: number; accept: boolean; promptText?: string; suppressFurther?: boolean }): Promise<void> {
    const entry = this.pending.get(answer.dialogId);
    if (!entry) return;
    this.pending.delete(answer.dialogId);
    if (answer.suppressFurther) this.suppressed.add(entry.tabId);
    try {
      if (answer.accept) await entry.dialog.accept(answer.promptText);
      else await entry.dialog.dismiss();
    } catch {
      // The page navigated or closed and took the dialog with it.
    }
    this.send({ type: 'dialog-closed', dialogId: answer.dialogId });
  }

  /** True while a dialog of the tab waits for the user's answer. */
  isWaiting(tabId: number): boolean {
    for (const entry of this.pending.values()) if (entry.tabId === tabId) return true;
    return false;
  }

  /** Re-sends open dialogs to a viewer that (re)attached. */
  resend(): void {
    for (const { msg } of this.pending.values()) this.send(msg);
  }

  dropTab(tabId: number): void {
    for (const [id, entry] of this.pending) {
      if (entry.tabId !== tabId) continue;
      this.pending.delete(id);
      this.send({ type: 'dialog-closed', dialogId: id });
    }
    this.recent.delete(tabId);
    this.suppressed.delete(tabId);
  }
}
