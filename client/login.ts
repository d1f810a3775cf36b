/**
 * Login page: user name and password, then — when the account has one — a TOTP or
 * recovery code, or (admin and security accounts without one) TOTP enrolment with
 * a QR code, the secret as text and the recovery codes. Errors in the UI language.
 * When OIDC or SAML is configured, a 「…でサインイン」 button per provider; coming
 * back from the provider (/login?external=1) the page asks the gateway what became
 * of it and continues with the same steps.
 */
import { h } from './dom-builder.js';
import { localized, t } from './i18n.js';

type Reply = { ok: true; body: Record<string, unknown> } | { ok: false; problem: string };

async function postJson(url: string, payload: unknown): Promise<Reply> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload), credentials: 'same-origin' });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown> & { message?: { ja: string; en: string } };
    if (res.ok) return { ok: true, body };
    return { ok: false, problem: body.message ? localized(body.message) : t('loginFailed') };
  } catch {
    return { ok: false, problem: t('loginFailed') };
  }
}

function goHome(): void {
  // The viewer route sends users with a one-time password to /password first.
  location.assign(document.documentElement.lang === 'en' ? '/start?lang=en' : '/start');
}

function show(...children: Node[]): void {
  document.body.replaceChildren(h('main', { class: 'login' }, children));
}

/** A one-field form; `onSubmit` returns an error text or null. */
function codeForm(title: string, intro: Node[], label: string, onSubmit: (code: string) => Promise<string | null>): HTMLFormElement {
  const code = h('input', { id: 'totp-code', name: 'code', autocomplete: 'one-time-code', inputmode: 'text', required: true, autofocus: true });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit' }, [t('verify')]);
  const form = h('form', { class: 'login-form', novalidate: true }, [h('h1', {}, [title]), ...intro, h('label', { for: 'totp-code' }, [label]), code, submit, error]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    error.textContent = '';
    void onSubmit(code.value.trim())
      .then((problem) => {
        if (problem) {
          error.textContent = problem;
          code.value = '';
          code.focus();
        }
      })
      .finally(() => (submit.disabled = false));
  });
  return form;
}

function askCode(pendingToken: string): void {
  show(
    codeForm(t('totpTitle'), [h('p', {}, [t('totpPrompt')])], t('totpCode'), async (code) => {
      const reply = await postJson('/api/login/totp', { pendingToken, code });
      if (!reply.ok) return reply.problem;
      goHome();
      return null;
    }),
  );
}

function showRecoveryCodes(codes: string[]): void {
  const next = h('button', { type: 'button', id: 'continue', class: 'primary' }, [t('continue')]);
  next.addEventListener('click', goHome);
  const list = h('ol', { id: 'recovery-codes', class: 'recovery-codes', 'aria-label': t('recoveryTitle') }, codes.map((c) => h('li', {}, [h('code', {}, [c])])));
  show(h('section', { class: 'login-form' }, [h('h1', {}, [t('recoveryTitle')]), h('p', {}, [t('recoveryPrompt')]), list, next]));
  next.focus();
}

async function enrol(pendingToken: string): Promise<void> {
  const started = await postJson('/api/login/enrol/start', { pendingToken });
  if (!started.ok) {
    render(started.problem, await loadProviders());
    return;
  }
  const { secret, qr } = started.body as { secret: string; qr: string };
  const intro = [
    h('p', {}, [t('enrolPrompt')]),
    h('img', { class: 'totp-qr', src: qr, alt: t('qrAlt'), width: '200', height: '200' }),
    h('p', {}, [`${t('secretLabel')}: `, h('code', { id: 'totp-secret', class: 'totp-secret' }, [secret])]),
  ];
  show(
    codeForm(t('enrolTitle'), intro, t('enrolCode'), async (code) => {
      const reply = await postJson('/api/login/enrol', { pendingToken, code });
      if (!reply.ok) return reply.problem;
      showRecoveryCodes((reply.body.recoveryCodes as string[]) ?? []);
      return null;
    }),
  );
}

interface Provider {
  id: string;
  label: string;
}

/** Buttons of the configured identity providers (links: the sign-in starts with a navigation). */
function providerButtons(providers: Provider[]): Node[] {
  if (!providers.length) return [];
  const suffix = document.documentElement.lang === 'en' ? '?lang=en' : '';
  const links = providers.map((p) => h('a', { class: 'button sso-button', id: `sso-${p.id}`, href: `/auth/${p.id}/start${suffix}` }, [t('signInWith', { label: p.label })]));
  return [h('div', { class: 'sso-buttons' }, links), h('p', { class: 'sso-or' }, [t('orPassword')])];
}

async function loadProviders(): Promise<Provider[]> {
  try {
    const res = await fetch('/api/login/providers', { credentials: 'same-origin' });
    return res.ok ? ((await res.json()) as { providers: Provider[] }).providers : [];
  } catch {
    return [];
  }
}

/** Back from an identity provider: the gateway kept the outcome for this browser. */
async function continueExternal(providers: Provider[]): Promise<void> {
  show(h('p', { class: 'login-form', role: 'status' }, [t('externalSigningIn')]));
  history.replaceState(null, '', document.documentElement.lang === 'en' ? '/login?lang=en' : '/login');
  const reply = await postJson('/api/login/external', {});
  if (!reply.ok) return render(reply.problem, providers);
  const pendingToken = reply.body.pendingToken as string | undefined;
  if (pendingToken && reply.body.needsTotp) askCode(pendingToken);
  else if (pendingToken && reply.body.needsTotpEnrolment) void enrol(pendingToken);
  else goHome();
}

function render(initialError = '', providers: Provider[] = []): void {
  document.title = t('appTitle');
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'form-error', role: 'alert', id: 'login-error' }, [initialError]);
  const submit = h('button', { type: 'submit' }, [t('logIn')]);
  const form = h('form', { class: 'login-form', novalidate: true }, [
    h('h1', {}, [t('appTitle')]),
    ...providerButtons(providers),
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
    void postJson('/api/login', { username: user.value, password: password.value })
      .then((reply) => {
        if (!reply.ok) {
          error.textContent = reply.problem;
          password.value = '';
          password.focus();
          return;
        }
        const pendingToken = reply.body.pendingToken as string | undefined;
        if (pendingToken && reply.body.needsTotp) askCode(pendingToken);
        else if (pendingToken && reply.body.needsTotpEnrolment) void enrol(pendingToken);
        else goHome();
      })
      .finally(() => (submit.disabled = false));
  });
  show(form);
}

void loadProviders().then((providers) => (new URLSearchParams(location.search).has('external') ? continueExternal(providers) : render('', providers)));
