/** Change-password page, required after signing in with a one-time password. */
import { h } from './dom-builder.js';
import { localized, t } from './i18n.js';
import { totpSection } from './totp-enrol.js';

async function render(): Promise<void> {
  document.title = t('changePassword');
  const me = await fetch('/api/me', { credentials: 'same-origin' });
  if (!me.ok) {
    location.assign('/login');
    return;
  }
  const { csrfToken, passwordMinLength, user, mustChangePassword } = (await me.json()) as {
    csrfToken: string;
    passwordMinLength?: number;
    user: { role: string; totpEnabled?: boolean };
    mustChangePassword?: boolean;
  };
  const field = (id: string, label: string, autocomplete: string): [HTMLLabelElement, HTMLInputElement] => [
    h('label', { for: id }, [label]),
    h('input', { id, type: 'password', autocomplete, required: true }),
  ];
  const [currentLabel, current] = field('current', t('currentPassword'), 'current-password');
  const [nextLabel, next] = field('next', t('newPassword'), 'new-password');
  const [confirmLabel, confirm] = field('confirm', t('confirmPassword'), 'new-password');
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { class: 'login-form', novalidate: true }, [
    h('h1', {}, [t('changePassword')]),
    h('p', {}, [passwordMinLength === 8 ? t('passwordRuleTotp') : t('passwordRule')]),
    currentLabel, current, nextLabel, next, confirmLabel, confirm,
    h('button', { type: 'submit' }, [t('changePassword')]),
    error,
  ]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (next.value !== confirm.value) {
      error.textContent = t('passwordMismatch');
      return;
    }
    void fetch('/api/password', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-kekkai-csrf': csrfToken },
      body: JSON.stringify({ current: current.value, next: next.value }),
    }).then(async (res) => {
      if (res.ok) {
        location.assign(document.documentElement.lang === 'en' ? '/start?lang=en' : '/start');
        return;
      }
      const body = (await res.json().catch(() => null)) as { message?: { ja: string; en: string } } | null;
      error.textContent = body?.message ? localized(body.message) : t('loginFailed');
    });
  });
  // Staff may add a second factor themselves (admin and security enrol at sign-in).
  const optional = !mustChangePassword && user.role === 'staff' && !user.totpEnabled ? [totpSection(csrfToken)] : [];
  // From the toolbar's account button: a way back to the browser (the session is still there).
  const back = mustChangePassword
    ? []
    : [h('a', { class: 'back-link', href: document.documentElement.lang === 'en' ? '/?lang=en' : '/' }, [t('backToBrowser')])];
  document.body.replaceChildren(h('main', { class: 'login account-page' }, [...back, form, ...optional]));
}

void render();
