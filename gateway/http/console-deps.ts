/**
 * The services the admin and security consoles' routes use. The composition root
 * (gateway/gateway.ts) builds each of them exactly once; routes never see the
 * database and never build a service of their own.
 */
import type { RemoteWorkers } from '../workers/remote-workers.js';
import type { AccountService } from '../admin/account-service.js';
import type { ComplianceService } from '../admin/compliance-service.js';
import type { FilePolicyService } from '../admin/file-policy-service.js';
import type { SettingsService } from '../admin/settings-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuthService } from '../auth/auth-service.js';
import type { BrowserLayer, GatewaySession } from '../browser/local-browser.js';
import type { Config } from '../config/config-schema.js';
import type { DirectoryServices } from '../directory/directory-setup.js';
import type { DownloadManager } from '../downloads/download-manager.js';
import type { FederationServices } from '../federation/federation-setup.js';
import type { KerberosServices } from '../kerberos/kerberos-setup.js';
import type { PolicyService } from '../policy-store/policy-service.js';
import type { QuarantineActions } from '../security/quarantine-actions.js';
import type { QuarantineIndex } from '../security/quarantine-search.js';
import type { ReleaseRepository } from '../security/release-repository.js';
import type { LeakGuardService } from '../security/leak-guard-service.js';
import type { RecordingService } from '../recording/recording-service.js';
import type { SessionEndReason } from '../../protocol/index.js';

/** Live browser sessions as the consoles see them (list, notify, terminate). */
export interface ConsoleSessions {
  list(): Array<Pick<GatewaySession, 'summary' | 'send'>>;
  get(id: string): Pick<GatewaySession, 'summary' | 'send'> | undefined;
  end(id: string, reason: SessionEndReason): Promise<boolean>;
}

export interface ConsoleServices {
  /** Read-only settings the routes need (egress ranges for the URL test box, for example). */
  config: Readonly<Config>;
  auth: AuthService;
  audit: AuditLog;
  policy: PolicyService;
  accounts: AccountService;
  /** Directory sign-in: settings, role mapping, tests and the sync (docs/directory-sign-in.md). */
  directory: Pick<DirectoryServices, 'admin' | 'sync'>;
  /** Kerberos single sign-on: its state in the directory section (docs/kerberos-sign-in.md); absent in tests without it. */
  kerberos?: Pick<KerberosServices, 'status'>;
  /** OIDC and SAML sign-in: their settings and role mappings (docs/federated-sign-in.md). */
  federation: Pick<FederationServices, 'status' | 'saveRoleMapping'>;
  filePolicy: FilePolicyService;
  settings: SettingsService;
  /** Patient-data rules for pastes, typing and uploads (docs/leak-guard.md). */
  leakGuard: LeakGuardService;
  /** Session recordings: search, playback and export for the security team (docs/recording.md). */
  recording: RecordingService;
  compliance: ComplianceService;
  sessions: ConsoleSessions;
  /** Browser workers: their load, and draining one before maintenance. */
  browser: Pick<BrowserLayer, 'workers' | 'drain'>;
  /** Workers on other machines (null when KEKKAI_WORKER_LISTEN is unset): who joined, revoking one. */
  remoteWorkers: Pick<RemoteWorkers, 'list' | 'revoke' | 'port' | 'caFingerprint'> | null;
  downloads: Pick<DownloadManager, 'list'>;
  quarantineIndex: QuarantineIndex;
  releases: ReleaseRepository;
  quarantineActions: QuarantineActions;
  /** `security.releaseNeedsSecondApproval`, read per request. */
  needsSecondApproval(): boolean;
}
