/**
 * Tells a released original's recipient, in every live browser session they have, that
 * it waits; or, for a request they made themselves, that the security team rejected it and why.
 */
import type { ServerMessage } from '../../protocol/index.js';
import { message } from '../i18n/messages.js';
import type { ReleaseRecord } from './release-repository.js';

export interface RecipientSessions {
  list(): Array<{ summary(): { user: { id: number } }; send(msg: ServerMessage): void }>;
}

export function releaseNotifier(sessions: RecipientSessions): (release: ReleaseRecord) => void {
  return (release) => {
    for (const session of sessions.list()) {
      if (session.summary().user.id !== release.recipientId) continue;
      if (release.state === 'rejected') {
        const reason = release.decisionJustification ?? '';
        session.send({ type: 'notice', code: 'release-request-rejected', message: message('release-request-rejected', { name: release.name, reason }) });
        continue;
      }
      session.send({ type: 'notice', code: 'quarantine-released', message: message('quarantine-released', { name: release.name }) });
      // The released original appears in the download panel with its one-time link.
      if (release.token) {
        session.send({
          type: 'download',
          id: release.id.slice(0, 64),
          name: release.name,
          state: 'ready',
          receivedBytes: release.size,
          totalBytes: release.size,
          outputName: release.name,
          href: `/api/released/${release.token}`,
        });
      }
    }
  };
}
