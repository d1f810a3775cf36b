/**
 * Optional second factor for accounts that may choose it (staff): QR code and
 * secret from the gateway, a first code to confirm, then the recovery codes once.
 */
import { h } from './dom-builder.js';
import { localized, t } from './i18n.js';

export function totpSection(csrfToken: string): HTMLElement {
  const error = h('p', { class: 'form-error', role: 'alert' });
  const start = h('button', { type: 'button' }, [t('enrolStart')]);
  const section = h('section', { class: 'login-form', 'aria-labelledby': 'totp-optional-title' }, [
    h('h2', { id: 'totp-optional-title' }, [t('enrolOptionalTitle')]),
    h('p', {}, [t('enrolOptionalPrompt')]),
    start,
    error,
  ]);
  const post = (url: string, body: unknown): Promise<Response> =>
    fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', 'x-kekkai-csrf': csrfToken }, body: JSON.stringify(body) });
  const fail = async (res: Response): Promise<void> => {
    const body = (await res.json().catch(() => null)) as { message?: { ja: string; en: string } } | null;
    error.textContent = body?.message ? localized(body.message) : t('loginFailed');
  };
  start.addEventListener('click', () => {
    void post('/api/totp/start', {}).then(async (res) => {
      if (!res.ok) return fail(res);
      const { secret, qr } = (await res.json()) as { secret: string; qr: string };
      const code = h('input', { id: 'totp-optional-code', inputmode: 'numeric', autocomplete: 'one-time-code', required: true });
      const confirm = h('button', { type: 'button' }, [t('verify')]);
      confirm.addEventListener('click', () => {
        void post('/api/totp/confirm', { code: code.value.trim() }).then(async (r) => {
          if (!r.ok) return fail(r);
          const { recoveryCodes } = (await r.json()) as { recoveryCodes: string[] };
          section.replaceChildren(
            h('h2', {}, [t('recoveryTitle')]),
            h('p', {}, [t('recoveryPrompt')]),
            h('ul', { class: 'recovery-codes' }, recoveryCodes.map((c) => h('li', {}, [c]))),
            h('a', { href: document.documentElement.lang === 'en' ? '/?lang=en' : '/', class: 'button' }, [t('continue')]),
          );
        });
      });
      start.replaceWith(
        h('img', { src: qr, alt: t('qrAlt'), width: '200', height: '200' }),
        h('p', {}, [`${t('secretLabel')}: `, h('code', { class: 'totp-secret' }, [secret])]),
        h('label', { for: 'totp-optional-code' }, [t('enrolCode')]),
        code,
        confirm,
      );
    });
  });
  return section;
}
