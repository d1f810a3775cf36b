/** Calls to the security console API with the session's CSRF token; errors carry the server's message. */
import { lang, t } from '../i18n.js';

let csrfToken = '';

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The reply's JSON body (a refused release carries its scan). */
    readonly body: unknown = null,
  ) {
    super(message);
  }
}

async function fail(res: Response): Promise<never> {
  const body = (await res.json().catch(() => null)) as { message?: { ja: string; en: string } } | null;
  throw new ApiError(res.status, body?.message ? body.message[lang] : t('security.failed'), body);
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { credentials: 'same-origin' });
  if (res.status === 401) location.assign(lang === 'en' ? '/login?lang=en' : '/login');
  if (!res.ok) return fail(res);
  return (await res.json()) as T;
}

export async function post(url: string, body: unknown): Promise<Response> {
  const res = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-kekkai-csrf': csrfToken },
    body: JSON.stringify(body),
  });
  if (!res.ok) return fail(res);
  return res;
}

/** Saves a response body as a file without navigating away (the analysis ZIP is a POST). */
export async function saveResponse(res: Response, fallbackName: string): Promise<void> {
  const disposition = res.headers.get('content-disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function queryString(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  return q.toString();
}
