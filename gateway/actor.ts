/**
 * Who did something: the signed-in user and the address they came from. One type for
 * the browser session's owner, the identity its egress proxy and navigation guard
 * judge requests by, and the person behind a console action; services turn it into
 * audit records (`auditWho`).
 */
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
