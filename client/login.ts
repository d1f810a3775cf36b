/** Login page: user name and password, errors shown in the UI language. */
import { h } from './dom-builder.js';
import { localized, t } from './i18n.js';

function render(): void {
  document.title = t('appTitle');
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit' }, [t('logIn')]);
  const form = h('form', { class: 'login-form', novalidate: true }, [
    h('h1', {}, [t('appTitle')]),
    h('label', { for: 'username' }, [t('userName')]),
    user,
    h('label', { for: 'password' }, [t('password')]),
    password,
    submit,
    error,
  ]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    void signIn(user.value, password.value)
      .then((problem) => {
        if (problem === null) {
          // The viewer route sends users with a one-time password to /password first.
          location.assign(document.documentElement.lang === 'en' ? '/?lang=en' : '/');
          return;
        }
        error.textContent = problem;
        password.value = '';
        password.focus();
      })
      .finally(() => (submit.disabled = false));
  });
  document.body.replaceChildren(h('main', { class: 'login' }, [form]));
}

async function signIn(username: string, password: string): Promise<string | null> {
  try {
    const res = await fetch('/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
      credentials: 'same-origin',
    });
    if (res.ok) return null;
    const body = (await res.json().catch(() => null)) as { message?: { ja: string; en: string } } | null;
    return body?.message ? localized(body.message) : t('loginFailed');
  } catch {
    return t('loginFailed');
  }
}

render();
