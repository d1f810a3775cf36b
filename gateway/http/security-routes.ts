/** Security console routes (quarantine review, releases, audit search and export); see docs/consoles.md. */
import type { FastifyInstance } from 'fastify';
import type { ConsoleServices } from './console-deps.js';
import { registerAuditRoutes } from './security-audit.http.js';
import { registerOverviewRoutes } from './security-overview.http.js';
import { registerQuarantineRoutes } from './security-quarantine.http.js';
import { registerReleasedRoutes } from './security-released.http.js';
import { registerRecordingRoutes } from './security-recordings.http.js';

export function registerSecurityRoutes(app: FastifyInstance, services: ConsoleServices): void {
  const { auth, audit, quarantineIndex: index, releases, quarantineActions: actions, needsSecondApproval } = services;
  registerQuarantineRoutes(app, { auth, index, releases, actions, needsSecondApproval });
  registerReleasedRoutes(app, { auth, actions });
  registerAuditRoutes(app, { auth, audit });
  registerRecordingRoutes(app, { audit, recording: services.recording });
  registerOverviewRoutes(app, { index, releases, audit });
}
