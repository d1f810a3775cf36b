/**
 * Client-side views of remote JavaScript dialogs, file choosers, notices and the
 * session-ended overlay. Remote text is always set as textContent.
 */
import type { ClientMessage, ServerMessage } from '../../protocol/index.js';
import { h } from '../dom-builder.js';
import { localized, t } from '../i18n.js';

type DialogMessage = Extract<ServerMessage, { type: 'dialog' }>;

export class DialogView {
  private readonly open = new Map<number, HTMLDialogElement>();

  constructor(private readonly root: HTMLElement, private readonly send: (msg: ClientMessage) => void, private readonly refocus: () => void) {}

  show(msg: DialogMessage): void {
    if (this.open.has(msg.dialogId)) return;
    const dialog = h('dialog', { class: 'remote-dialog', 'aria-label': msg.kind });
    const text = h('p', { class: 'dialog-text' }, [msg.kind === 'beforeunload' ? t('leavePage') : msg.message]);
    const input = msg.kind === 'prompt' ? h('input', { type: 'text', 'aria-label': msg.message.slice(0, 200) || 'prompt' }) : null;
    if (input) input.value = msg.defaultValue;
    const suppress = msg.offerSuppress ? h('input', { type: 'checkbox', id: `suppress-${msg.dialogId}` }) : null;
    const ok = h('button', { type: 'button', class: 'primary' }, [t('ok')]);
    const cancel = msg.kind === 'alert' ? null : h('button', { type: 'button' }, [t('cancel')]);
    const reply = (accept: boolean): void => {
      this.send({
        type: 'dialog-reply',
        dialogId: msg.dialogId,
        accept,
        ...(input ? { promptText: input.value.slice(0, 10_000) } : {}),
        ...(suppress?.checked ? { suppressFurther: true } : {}),
      });
      this.close(msg.dialogId);
    };
    ok.addEventListener('click', () => reply(true));
    cancel?.addEventListener('click', () => reply(false));
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      reply(msg.kind === 'alert');
    });
    dialog.append(
      text,
      ...(input ? [input] : []),
      ...(suppress ? [h('label', { class: 'suppress', for: suppress.id }, [suppress, t('suppressDialogs')])] : []),
      h('div', { class: 'dialog-buttons' }, [...(cancel ? [cancel] : []), ok]),
    );
    this.root.append(dialog);
    this.open.set(msg.dialogId, dialog);
    dialog.showModal();
    (input ?? ok).focus();
  }

  close(dialogId: number): void {
    const dialog = this.open.get(dialogId);
    if (!dialog) return;
    this.open.delete(dialogId);
    dialog.close();
    dialog.remove();
    this.refocus();
  }

  /** Asks for a local file to hand to the remote file input. */
  fileChooser(chooserId: number, multiple: boolean, upload: (file: File) => Promise<void>): void {
    const dialog = h('dialog', { class: 'remote-dialog', 'aria-label': t('chooseFile') });
    const input = h('input', { type: 'file', 'aria-label': t('chooseFile'), multiple });
    const ok = h('button', { type: 'button', class: 'primary' }, [t('upload')]);
    const cancel = h('button', { type: 'button' }, [t('cancel')]);
    const done = (): void => {
      dialog.close();
      dialog.remove();
      this.refocus();
    };
    ok.addEventListener('click', () => {
      const file = input.files?.[0];
      if (file) void upload(file).finally(done);
    });
    cancel.addEventListener('click', () => {
      this.send({ type: 'file-chooser-cancel', chooserId });
      done();
    });
    dialog.append(h('p', {}, [t('chooseFile')]), input, h('div', { class: 'dialog-buttons' }, [cancel, ok]));
    this.root.append(dialog);
    dialog.showModal();
  }
}

export class NoticeView {
  readonly element = h('div', { class: 'notices', role: 'status', 'aria-live': 'polite' });

  show(text: string, kind: 'info' | 'error' = 'info'): void {
    const item = h('div', { class: `notice ${kind}` }, [text]);
    this.element.append(item);
    setTimeout(() => item.remove(), 6000);
  }

  fromServer(msg: { message: { ja: string; en: string } }, kind: 'info' | 'error'): void {
    this.show(localized(msg.message), kind);
  }
}

/** Full-page overlay for connection state and the end of the session. */
export class Overlay {
  readonly element = h('div', { class: 'overlay', hidden: true, role: 'alert' });

  /**
   * Shows `text`; `next` offers signing in again, or a new browser session (the sign-in
   * is still valid). A `passive` overlay only informs: the toolbar and the page stay
   * usable underneath (what the user does meanwhile waits in the connection).
   */
  show(text: string, next: 'sign-in' | 'new-session' | null = null, passive = false): void {
    this.element.classList.toggle('passive', passive);
    const children: Array<Node | string> = [h('p', {}, [text])];
    if (next === 'sign-in') children.push(h('a', { href: document.documentElement.lang === 'en' ? '/login?lang=en' : '/login', class: 'button' }, [t('signInAgain')]));
    if (next === 'new-session') {
      const restart = h('button', { type: 'button', class: 'primary' }, [t('newSession')]);
      restart.addEventListener('click', () => location.reload());
      children.push(restart);
    }
    this.element.replaceChildren(h('div', { class: 'overlay-box' }, children));
    this.element.hidden = false;
  }

  hide(): void {
    this.element.hidden = true;
  }
}
