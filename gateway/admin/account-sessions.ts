/**
 * Ending everything an account has open: its sign-in sessions and its browser
 * sessions (the user sees "ended by an administrator"). One path for the console's
 * revoke, disable and role change, and for the directory sync.
 */
import type { SessionEndReason } from '../../protocol/index.js';

export interface EndableSessions {
  list(): Array<{ summary(): { id: string; user: { id: number } } }>;
  end(id: string, reason: SessionEndReason): Promise<boolean>;
}

export async function endAccountSessions(
  auth: { revokeUser(userId: number): number },
  sessions: EndableSessions,
  userId: number,
): Promise<{ signIns: number; browsers: number }> {
  const signIns = auth.revokeUser(userId);
  let browsers = 0;
  for (const s of sessions.list()) {
    const summary = s.summary();
    if (summary.user.id === userId && (await sessions.end(summary.id, 'terminated'))) browsers += 1;
  }
  return { signIns, browsers };
}
