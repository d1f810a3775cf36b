/**
 * Login page: user name and password, then — when the account has one — a TOTP or
 * recovery code, or (admin and security accounts without one) TOTP enrolment with
 * a QR code, the secret as text and the recovery codes. Errors in the UI language.
 * When OIDC or SAML is configured, a 「…でサインイン」 button per provider; coming
 * back from the provider (/login?external=1) the page asks the gateway what became
 * of it and continues with the same steps.
 *
 * With Kerberos single sign-on configured (docs/kerberos-sign-in.md) the page first
 * posts to /api/login/kerberos: a browser holding a ticket for this host answers the
 * gateway's `Negotiate` challenge by itself and the person lands in the viewer without
 * typing anything. Without a ticket (or after signing out, once) the form appears with
 * no error; a ticket that was offered and refused shows why above the form.
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
    render(started.problem, await loadOptions());
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

interface LoginOptions {
  providers: Provider[];
  kerberos: boolean;
}

async function loadOptions(): Promise<LoginOptions> {
  try {
    const res = await fetch('/api/login/providers', { credentials: 'same-origin' });
    const body = res.ok ? ((await res.json()) as Partial<LoginOptions>) : {};
    return { providers: body.providers ?? [], kerberos: body.kerberos === true };
  } catch {
    return { providers: [], kerberos: false };
  }
}

/** Refusals that mean "no single sign-on here" rather than a problem to explain: the form, no error. */
const QUIET_KERBEROS = new Set(['kerberos-no-ticket', 'locked']);
/** Set by the consoles' sign-out: the next login page does not sign the person straight back in. */
const SIGNED_OUT_KEY = 'kekkai-signed-out';

/** Kerberos single sign-on: the browser answers the Negotiate challenge itself when it has a ticket. */
async function tryKerberos(options: LoginOptions): Promise<void> {
  show(h('p', { class: 'login-form', role: 'status', id: 'kerberos-status' }, [t('kerberosSigningIn')]));
  let res: Response;
  let body: Record<string, unknown> & { reason?: string; message?: { ja: string; en: string } };
  try {
    res = await fetch('/api/login/kerberos', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', credentials: 'same-origin' });
    body = (await res.json().catch(() => ({}))) as typeof body;
  } catch {
    return render('', options);
  }
  if (!res.ok) return render(QUIET_KERBEROS.has(body.reason ?? '') || !body.message ? '' : localized(body.message), options);
  const pendingToken = body.pendingToken as string | undefined;
  if (pendingToken && body.needsTotp) askCode(pendingToken);
  else if (pendingToken && body.needsTotpEnrolment) void enrol(pendingToken);
  else goHome();
}

/** Back from an identity provider: the gateway kept the outcome for this browser. */
async function continueExternal(options: LoginOptions): Promise<void> {
  show(h('p', { class: 'login-form', role: 'status' }, [t('externalSigningIn')]));
  history.replaceState(null, '', document.documentElement.lang === 'en' ? '/login?lang=en' : '/login');
  const reply = await postJson('/api/login/external', {});
  if (!reply.ok) return render(reply.problem, options);
  const pendingToken = reply.body.pendingToken as string | undefined;
  if (pendingToken && reply.body.needsTotp) askCode(pendingToken);
  else if (pendingToken && reply.body.needsTotpEnrolment) void enrol(pendingToken);
  else goHome();
}

function render(initialError = '', options: LoginOptions | Provider[] = []): void {
  const { providers, kerberos } = Array.isArray(options) ? { providers: options, kerberos: false } : options;
  document.title = t('appTitle');
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'form-error', role: 'alert', id: 'login-error' }, [initialError]);
  const submit = h('button', { type: 'submit' }, [t('logIn')]);
  const retry = kerberos ? [h('button', { type: 'button', id: 'kerberos-retry', class: 'sso-button' }, [t('kerberosRetry')])] : [];
  retry[0]?.addEventListener('click', () => void tryKerberos({ providers, kerberos }));
  const form = h('form', { class: 'login-form', novalidate: true }, [
    h('h1', {}, [t('appTitle')]),
    ...providerButtons(providers),
    ...retry,
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

function signedOutJustNow(): boolean {
  try {
    const flag = sessionStorage.getItem(SIGNED_OUT_KEY) === '1';
    sessionStorage.removeItem(SIGNED_OUT_KEY);
    return flag;
  } catch {
    return false;
  }
}

void loadOptions().then((options) => {
  if (new URLSearchParams(location.search).has('external')) return continueExternal(options);
  if (options.kerberos && !signedOutJustNow()) return tryKerberos(options);
  return render('', options);
});
