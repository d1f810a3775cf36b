/**
 * The blocked download's next step: 「解放を申請」 opens a short form asking why the
 * file is needed; the request goes to the security team's approvals, and their
 * decision comes back as a notice (approved: the file appears in the panel with its
 * one-time link). The gateway checks that the reference number is the user's own.
 */
import { h } from '../dom-builder.js';

type Lang = 'ja' | 'en';

/** Longest reason the gateway accepts (MAX_JUSTIFICATION). */
export const MAX_REASON = 1000;

/** Sends a request; resolves to null on success, else the gateway's message in both languages. */
export type ReleaseRequester = (ref: string, reason: string) => Promise<{ ja: string; en: string } | null>;

const STRINGS = {
  ja: {
    request: '解放を申請',
    reasonLabel: '申請の理由（必須・1000 文字以内）',
    reasonHint: '業務で必要な理由を書いてください。セキュリティ担当者が確認します。',
    send: '申請する',
    cancel: 'キャンセル',
    sending: '送信中…',
    required: '理由を入力してください。',
    sent: '解放を申請しました。セキュリティ担当者の判断が出るとお知らせします。',
    failed: '申請を送信できませんでした。もう一度お試しください。',
  },
  en: {
    request: 'Request release',
    reasonLabel: 'Why you need it (required, at most 1000 characters)',
    reasonHint: 'Say why you need this file for your work. The security team reviews it.',
    send: 'Send request',
    cancel: 'Cancel',
    sending: 'Sending…',
    required: 'Please write a reason.',
    sent: 'Release requested. You will be told when the security team decides.',
    failed: 'The request could not be sent. Please try again.',
  },
} as const satisfies Record<Lang, Record<string, string>>;

let formCount = 0;

/** The button and, once clicked, the form; the element replaces itself with the outcome. */
export function releaseRequestControl(ref: string, lang: Lang, requester: ReleaseRequester): HTMLElement {
  const s = STRINGS[lang];
  const root = h('div', { class: 'release-request' });
  const open = h('button', { type: 'button', class: 'release-request-open' }, [s.request]);
  root.append(open);
  open.addEventListener('click', () => {
    const id = `release-reason-${++formCount}`;
    const reason = h('textarea', { id, class: 'release-request-reason', maxlength: String(MAX_REASON), rows: '3', required: true, 'aria-describedby': `${id}-hint` });
    const hint = h('p', { class: 'release-request-hint', id: `${id}-hint` }, [s.reasonHint]);
    const status = h('p', { class: 'release-request-status', role: 'status' });
    const send = h('button', { type: 'submit', class: 'primary' }, [s.send]);
    const cancel = h('button', { type: 'button' }, [s.cancel]);
    const form = h('form', { class: 'release-request-form', novalidate: true }, [h('label', { for: id }, [s.reasonLabel]), reason, hint, status, h('div', { class: 'release-request-buttons' }, [send, cancel])]);
    cancel.addEventListener('click', () => {
      root.replaceChildren(open);
      open.focus();
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = reason.value.trim();
      if (!text) {
        status.textContent = s.required;
        status.classList.add('error');
        reason.focus();
        return;
      }
      send.disabled = true;
      status.classList.remove('error');
      status.textContent = s.sending;
      requester(ref, text).then(
        (refused) => {
          if (!refused) {
            root.replaceChildren(h('p', { class: 'release-request-sent', role: 'status' }, [s.sent]));
            return;
          }
          send.disabled = false;
          status.classList.add('error');
          status.textContent = refused[lang];
        },
        () => {
          send.disabled = false;
          status.classList.add('error');
          status.textContent = s.failed;
        },
      );
    });
    root.replaceChildren(form);
    reason.focus();
  });
  return root;
}

/** The viewer's requester: POST /api/release-requests with the session's CSRF token. */
export function httpReleaseRequester(csrf: string): ReleaseRequester {
  return async (ref, reason) => {
    const res = await fetch('/api/release-requests', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-kekkai-csrf': csrf },
      body: JSON.stringify({ ref, reason }),
    });
    if (res.ok) return null;
    const body = (await res.json().catch(() => null)) as { message?: { ja: string; en: string } } | null;
    if (body?.message) return body.message;
    throw new Error(`release request failed: ${res.status}`);
  };
}
