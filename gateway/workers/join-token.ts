/**
 * Join tokens for remote browser workers (docs/workers.md). A token is stateless:
 * `kjt1.<id>.<expires>.<mac>`, the MAC made with a key derived from the worker CA's
 * private key, so `kekkai worker token create` works wherever the CA is (the control
 * plane's machine, or an operator's workstation making a Kubernetes Secret) and the
 * control plane checks it without a database lookup; `kekkai worker token revoke ID`
 * refuses one before it expires. The token file also carries the CA certificate so the
 * worker can check whom it is talking to before it sends the token.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { WorkerCa } from './worker-ca.js';

const PREFIX = 'kjt1';
const TOKEN_RE = /^kjt1\.([A-Za-z0-9_-]{16})\.(\d{10})\.([A-Za-z0-9_-]{43})$/;
export const MAX_TOKEN_TTL_HOURS = 24 * 365;

/** What `kekkai worker token create` writes (treat it as a secret: mode 0600). */
export const JoinTokenFile = z.object({
  kind: z.literal('kekkai-worker-join-token'),
  token: z.string().max(200),
  ca: z.string().min(1).max(20_000),
  expires: z.string().max(40),
  control: z.string().max(2048).optional(),
});
export type JoinTokenFile = z.infer<typeof JoinTokenFile>;

export function createJoinToken(ca: WorkerCa, options: { ttlHours: number; control?: string; now?: Date }): JoinTokenFile & { id: string } {
  if (!Number.isFinite(options.ttlHours) || options.ttlHours <= 0 || options.ttlHours > MAX_TOKEN_TTL_HOURS) throw new Error(`the token lifetime must be between 1 hour and ${MAX_TOKEN_TTL_HOURS} hours`);
  const id = randomBytes(12).toString('base64url');
  const expires = Math.floor((options.now ?? new Date()).getTime() / 1000 + options.ttlHours * 3600);
  const body = `${PREFIX}.${id}.${expires}`;
  return {
    kind: 'kekkai-worker-join-token',
    id,
    token: `${body}.${mac(ca.tokenKey, body)}`,
    ca: ca.certPem,
    expires: new Date(expires * 1000).toISOString(),
    ...(options.control ? { control: options.control } : {}),
  };
}

export type TokenCheck = { ok: true; id: string } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' | 'revoked'; id?: string };

export function checkJoinToken(ca: WorkerCa, token: unknown, isRevoked: (id: string) => boolean, now = new Date()): TokenCheck {
  const match = typeof token === 'string' ? TOKEN_RE.exec(token) : null;
  if (!match) return { ok: false, reason: 'malformed' };
  const [, id, expires, given] = match as unknown as [string, string, string, string];
  const expected = Buffer.from(mac(ca.tokenKey, `${PREFIX}.${id}.${expires}`));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { ok: false, reason: 'bad-signature' };
  if (Number(expires) * 1000 <= now.getTime()) return { ok: false, reason: 'expired', id };
  if (isRevoked(id)) return { ok: false, reason: 'revoked', id };
  return { ok: true, id };
}

/** The id part of a token (for `token revoke`), or null. */
export function joinTokenId(token: string): string | null {
  return TOKEN_RE.exec(token)?.[1] ?? null;
}

function mac(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}
