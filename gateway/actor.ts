/**
 * Who did something: the signed-in user and the address they came from. One type for
 * the browser session's owner, the identity its egress proxy and navigation guard
 * judge requests by, and the person behind a console action; services turn it into
 * audit records (`auditWho`).
 */
import os from 'node:os';
import type { Role } from './store/repositories.js';

export interface Actor {
  /** Account id (users.id). */
  id: number;
  name: string;
  role: Role;
  sourceIp: string;
}

/** The "who" fields of an audit record for an actor (none when nobody is known). */
export function auditWho(actor: Actor | null): { userId?: number; userName?: string; role?: Role; sourceIp?: string } {
  return actor ? { userId: actor.id, userName: actor.name, role: actor.role, sourceIp: actor.sourceIp } : {};
}

/**
 * Where a change came from, for changes not only made by signed-in users: the admin
 * console, a user's own account page or sign-in (enrolment, directory provisioning), a
 * `kekkai` command run by an operating-system account, kekkai itself at first start, or
 * the directory sync (scheduled: no actor; started from the console: that admin).
 */
export type ChangeOrigin =
  | { source: 'console' | 'account' | 'sign-in'; actor: Actor }
  | { source: 'cli'; os: OsAccount }
  | { source: 'first-start' }
  | { source: 'directory-sync'; actor?: Actor };

/** The operating-system account that ran a `kekkai` command. */
export interface OsAccount {
  /** User name from the password database, or `uid:N` when it has no entry (containers). */
  user: string;
  uid: number | null;
  host: string;
  /** The account that ran `sudo`, as sudo reports it: a hint, not proof (the caller can set it). */
  sudoUser?: string;
}

/** The OS account of this process (for records written by the command line). */
export function currentOsAccount(): OsAccount {
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry, e.g. an arbitrary uid in a container.
    user = uid === null ? 'unknown' : `uid:${uid}`;
  }
  // Not a setting (config reads those): an identity fact of the process, like its uid.
  const sudoUser = process.env.SUDO_USER;
  return { user, uid, host: os.hostname(), ...(sudoUser ? { sudoUser } : {}) };
}

/**
 * The "who" fields of an audit record and the origin facts for its details. A command
 * line actor appears as `os:<name>`, which no kekkai account name can be (no colon).
 */
export function auditOrigin(origin: ChangeOrigin): { who: ReturnType<typeof auditWho> & { userName?: string }; details: Record<string, unknown> } {
  switch (origin.source) {
    case 'cli':
      return { who: { userName: `os:${origin.os.user}` }, details: { source: 'cli', osUser: origin.os.user, uid: origin.os.uid, host: origin.os.host, ...(origin.os.sudoUser ? { sudoUser: origin.os.sudoUser } : {}) } };
    case 'first-start':
      return { who: {}, details: { source: 'first-start' } };
    case 'directory-sync':
      return { who: origin.actor ? auditWho(origin.actor) : {}, details: { source: 'directory-sync' } };
    default:
      return { who: auditWho(origin.actor), details: { source: origin.source } };
  }
}
