/**
 * Sign-ins that passed the password step and wait for the second factor (a code,
 * or enrolment for admin/security accounts without one). Held in memory for five
 * minutes, bound to the source address; the token travels in the JSON body.
 */
import { randomBytes } from 'node:crypto';
import type { JsonValue } from '../audit/audit-event.js';

export const PENDING_TTL_MS = 5 * 60_000;

export interface PendingSignIn {
  userId: number;
  sourceIp: string;
  kind: 'totp' | 'enrol';
  /** What the first step was when it is not a password (e.g. a Kerberos ticket), for the final sign-in's audit record. */
  firstStep?: Record<string, JsonValue>;
  expiresAt: number;
}

export class PendingSignIns {
  private readonly pending = new Map<string, PendingSignIn>();

  constructor(private readonly now: () => number = Date.now) {}

  add(entry: Omit<PendingSignIn, 'expiresAt'>): string {
    this.prune();
    const token = randomBytes(24).toString('base64url');
    this.pending.set(token, { ...entry, expiresAt: this.now() + PENDING_TTL_MS });
    return token;
  }

  get(token: string, sourceIp: string): PendingSignIn | undefined {
    const entry = this.pending.get(token);
    if (!entry || entry.expiresAt <= this.now() || entry.sourceIp !== sourceIp) return undefined;
    return entry;
  }

  delete(token: string): void {
    this.pending.delete(token);
  }

  private prune(): void {
    const t = this.now();
    for (const [token, entry] of this.pending) if (entry.expiresAt <= t) this.pending.delete(token);
  }
}
