/** JSON calls to the admin API with the CSRF token; errors come back in the UI language. */
import { localized, t } from '../i18n.js';

let csrf = '';

export function setCsrf(token: string): void {
  csrf = token;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly issues: string[] = [],
    /** The whole error reply (e.g. `fieldErrors` of the role mapping). */
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export async function api<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...(method === 'GET' ? {} : { 'x-kekkai-csrf': csrf }) },
    ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
  });
  const body = (await res.json().catch(() => ({}))) as T & { message?: { ja: string; en: string }; issues?: string[] };
  if (!res.ok) throw new ApiError(body.message ? localized(body.message) : t('admin.failed'), body.issues ?? [], body as Record<string, unknown>);
  return body;
}

/** Runs an action and shows its outcome in a status line (role=status). */
export async function withStatus(status: HTMLElement, action: () => Promise<unknown>, done = t('admin.saved')): Promise<boolean> {
  status.textContent = '';
  status.classList.remove('error');
  try {
    await action();
    status.textContent = done;
    return true;
  } catch (err) {
    status.textContent = err instanceof ApiError ? err.message : t('admin.failed');
    status.classList.add('error');
    return false;
  }
}
