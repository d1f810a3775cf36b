/** Admin console routes (policies, accounts, sessions, settings); see docs/consoles.md. */
import type { FastifyInstance } from 'fastify';
import { AccountService } from '../admin/account-service.js';
import { FilePolicyService } from '../admin/file-policy-service.js';
import { SettingsService } from '../admin/settings-service.js';
import { openTotpVault } from '../auth/totp-vault.js';
import { SqlitePolicyRepository } from '../policy-store/sqlite-policy-repository.js';
import { registerAccountRoutes } from './admin-accounts.http.js';
import { registerFilePolicyRoutes } from './admin-file-policy.http.js';
import { registerPolicyRoutes } from './admin-policy.http.js';
import { registerSessionRoutes } from './admin-sessions.http.js';
import { registerSettingsRoutes } from './admin-settings.http.js';
import type { AdminContext } from './admin-context.http.js';
import { registerComplianceRoutes } from './compliance.http.js';
import type { ConsoleDeps } from './console-deps.js';

export function registerAdminRoutes(app: FastifyInstance, deps: ConsoleDeps): void {
  // The second factor needs its key file; the composition root may already have set it.
  if (!deps.auth.secondFactor) deps.auth.useTotpVault(openTotpVault(deps.config.dataDir));
  const ctx: AdminContext = {
    deps,
    accounts: new AccountService(deps.store),
    filePolicy: new FilePolicyService(deps.db),
    settings: new SettingsService(deps.store.settings, { idleTimeoutSeconds: deps.config.session.idleTimeoutSeconds, maxTabs: deps.config.session.maxTabs }),
    policyRepo: new SqlitePolicyRepository(deps.db),
  };
  registerAccountRoutes(app, ctx);
  registerPolicyRoutes(app, ctx);
  registerFilePolicyRoutes(app, ctx);
  registerSessionRoutes(app, ctx);
  registerSettingsRoutes(app, ctx);
  registerComplianceRoutes(app, ctx);
}
