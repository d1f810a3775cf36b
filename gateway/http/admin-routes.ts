/** Admin console routes (policies, accounts, sessions, settings); see docs/consoles.md. */
import type { FastifyInstance } from 'fastify';
import { registerAccountRoutes } from './admin-accounts.http.js';
import { registerFilePolicyRoutes } from './admin-file-policy.http.js';
import { registerPolicyRoutes } from './admin-policy.http.js';
import { registerSessionRoutes } from './admin-sessions.http.js';
import { registerSettingsRoutes } from './admin-settings.http.js';
import { registerLeakGuardRoutes } from './admin-leak-guard.http.js';
import type { AdminContext } from './admin-context.http.js';
import { registerDirectoryRoutes } from './admin-directory.http.js';
import { registerFederationAdminRoutes } from './admin-federation.http.js';
import { registerComplianceRoutes } from './compliance.http.js';
import { registerStartPageRoutes } from './start-page.http.js';
import type { ConsoleServices } from './console-deps.js';

export function registerAdminRoutes(app: FastifyInstance, services: ConsoleServices): void {
  const ctx: AdminContext = { deps: services, accounts: services.accounts, filePolicy: services.filePolicy, settings: services.settings };
  registerAccountRoutes(app, ctx);
  registerPolicyRoutes(app, ctx);
  registerFilePolicyRoutes(app, ctx);
  registerSessionRoutes(app, ctx);
  registerSettingsRoutes(app, ctx);
  registerLeakGuardRoutes(app, ctx);
  registerStartPageRoutes(app, ctx);
  registerComplianceRoutes(app, ctx);
  registerDirectoryRoutes(app, ctx);
  registerFederationAdminRoutes(app, ctx);
}
