/** Security console routes (quarantine review, releases, audit search and export); see docs/consoles.md. */
import type { FastifyInstance } from 'fastify';
import { message } from '../i18n/messages.js';
import { QuarantineActions } from '../security/quarantine-actions.js';
import { QuarantineIndex } from '../security/quarantine-search.js';
import { ReleaseRepository, type ReleaseRecord } from '../security/release-repository.js';
import type { ConsoleDeps } from './console-deps.js';
import { registerAuditRoutes } from './security-audit.http.js';
import { registerQuarantineRoutes } from './security-quarantine.http.js';
import { registerReleasedRoutes } from './security-released.http.js';

/** `security.releaseNeedsSecondApproval` (KEKKAI_RELEASE_NEEDS_SECOND_APPROVAL). */
export function releaseNeedsSecondApproval(config: ConsoleDeps['config']): boolean {
  return config.security.releaseNeedsSecondApproval;
}

/** Tells every live browser session of the recipient that a released original waits. */
function notifier(sessions: ConsoleDeps['sessions']): (release: ReleaseRecord) => void {
  return (release) => {
    for (const session of sessions.list()) {
      if (session.summary().user.id !== release.recipientId) continue;
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

export function registerSecurityRoutes(app: FastifyInstance, deps: ConsoleDeps): void {
  const index = new QuarantineIndex(deps.db);
  const releases = new ReleaseRepository(deps.db);
  const needsSecondApproval = (): boolean => releaseNeedsSecondApproval(deps.config);
  const actions = new QuarantineActions({
    quarantine: deps.quarantine,
    index,
    releases,
    audit: deps.audit,
    scanner: deps.scanner,
    needsSecondApproval,
    notifyRecipient: notifier(deps.sessions),
  });
  registerQuarantineRoutes(app, { auth: deps.auth, index, releases, actions, needsSecondApproval });
  registerReleasedRoutes(app, { auth: deps.auth, actions });
  registerAuditRoutes(app, { auth: deps.auth, audit: deps.audit });
}
