/**
 * The one permission table: every admin and security route names a permission,
 * and this table alone decides which roles hold it. Staff hold none of these.
 * Routes declare it in their config and one hook checks it (gateway/http/route-access.ts);
 * the compliance page reports it. test/integration/admin/permission-walk.test.ts
 * walks every route with every role.
 */
import type { Role } from '../store/repositories.js';

export const PERMISSIONS = {
  /** URL and file policies: read, test, history. */
  'policy:read': ['admin'],
  /** URL and file policies: save, import, rollback, categories. */
  'policy:write': ['admin'],
  'accounts:read': ['admin'],
  'accounts:write': ['admin'],
  /** Live browser sessions and terminating them. */
  'sessions:read': ['admin'],
  'sessions:terminate': ['admin'],
  /** Operator settings: block-page contact line, idle timeout, tab cap. */
  'settings:write': ['admin'],
  /** Directory sign-in: role mapping, connection and user tests, running the sync. */
  'directory:manage': ['admin'],
  'quarantine:read': ['security'],
  /** Release, delete, download for analysis (each with a justification). */
  'quarantine:act': ['security'],
  /** Audit search and export; the security team and the person responsible both need it. */
  'audit:read': ['security', 'admin'],
  /** Session recordings: list, play and export (each view and export audited). */
  'recordings:read': ['security'],
  /** The checklist evidence page. */
  'compliance:read': ['admin', 'security'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function hasPermission(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
