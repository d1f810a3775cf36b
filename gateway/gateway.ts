/**
 * The composition root: `createGateway(config)` builds every service of a gateway
 * exactly once — store, audit log, policies, accounts, downloads and quarantine,
 * security-console actions, the browser layer — and hands them to the Fastify app.
 * It never listens: server.ts (the `kekkai serve` process) and the tests call
 * `listen()`; `close()` releases everything in order.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { ClamdScanner, type Scanner } from '../sanitizer/index.js';
import { endAccountSessions } from './admin/account-sessions.js';
import { AccountService } from './admin/account-service.js';
import { ComplianceService } from './admin/compliance-service.js';
import { FilePolicyService } from './admin/file-policy-service.js';
import { SettingsService } from './admin/settings-service.js';
import { LeakGuardService } from './security/leak-guard-service.js';
import { RecordingService } from './recording/recording-service.js';
import { RecordingStore } from './recording/recording-store.js';
import { extractText, type ExtractedText } from '../sanitizer/text-extract.js';
import { findLibreOffice, LibreOfficeConverter } from '../sanitizer/office-converter.js';
import { buildApp } from './app.js';
import type { AuditLog } from './audit/audit-log.js';
import { openAuditLog } from './audit/audit-setup.js';
import { AuthService } from './auth/auth-service.js';
import type { LoginThrottle } from './auth/login-throttle.js';
import { openTotpVault } from './auth/totp-vault.js';
import { startLocalBrowser, type BrowserLayer, type BrowserLayerFactory } from './browser/local-browser.js';
import { defaultWorkerCount } from './workers/worker-count.js';
import { WorkerPool } from './workers/worker-pool.js';
import { RemoteWorkers } from './workers/remote-workers.js';
import { TimeSyncWatch } from './ops/time-sync.js';
import { SqliteWorkerRegistry } from './workers/worker-registry.js';
import { sessionUploadDir } from './browser/upload-broker.js';
import type { Config } from './config/config-schema.js';
import { openDirectory } from './directory/directory-setup.js';
import { openFederation, type FederationServices } from './federation/federation-setup.js';
import { openKerberos, type KerberosServices } from './kerberos/kerberos-setup.js';
import type { DownloadManager } from './downloads/download-manager.js';
import { openDownloads } from './downloads/download-setup.js';
import type { QuarantineStore } from './downloads/quarantine-store.js';
import type { UrlPolicy } from './egress/context-egress.js';
import type { ConsoleServices } from './http/console-deps.js';
import { InputQueueRegistry } from './http/viewer-input-queue.js';
import { loggerOptions } from './logging.js';
import { Metrics } from './ops/metrics.js';
import type { ReadinessChecks } from './ops/readiness.js';
import { readBackupStatus } from './ops/backup-status.js';
import { prepareRunDir } from './ops/run-dir.js';
import { prepareWorkerUser } from './workers/worker-user.js';
import { settleWithin } from './ops/shutdown.js';
import { PUBLIC_DIR } from './paths.js';
import { PolicyService } from './policy-store/policy-service.js';
import { SqlitePolicyRepository } from './policy-store/sqlite-policy-repository.js';
import { QuarantineActions } from './security/quarantine-actions.js';
import { QuarantineIndex } from './security/quarantine-search.js';
import { releaseNotifier } from './security/release-notifier.js';
import { ReleaseRepository } from './security/release-repository.js';
import type { Store } from './store/repositories.js';
import { openDatabase } from './database.js';
import { createSqliteStore } from './store/sqlite-repositories.js';
import { loadTlsMaterial, type TlsMaterial } from './tls/certificates.js';

/** How long a stop waits for sessions, downloads and open requests (each). */
const SHUTDOWN_GRACE_MS = 5000;

export interface GatewayOptions {
  /** Builds the browser side; the default is one local Chromium (tests may pass a fake). */
  browser?: BrowserLayerFactory;
  /** A Chromium or worker went away (the browser layer restarts it and tells the affected users). */
  onBrowserLost?: (lost: { worker?: number; workerName?: string | null; sessions: number }) => void;
  /** Client build to serve (default dist/public). */
  publicDir?: string;
  /** How often open viewers' sign-ins are re-checked (tests shorten it). */
  viewerRecheckMs?: number;
  /** Sign-in throttling other than the default (tests use small limits). */
  loginThrottle?: LoginThrottle;
  /** What releases rescan originals with (tests without clamd); default: clamd. */
  releaseScanner?: Pick<Scanner, 'scan'>;
  /** Readiness probes to use instead of the real ones (tests without clamd). */
  readiness?: Partial<ReadinessChecks>;
}

/** Every service the gateway is made of, each built once. */
export interface GatewayServices extends ConsoleServices {
  logger: pino.Logger;
  store: Store;
  audit: AuditLog;
  urlPolicy: UrlPolicy;
  metrics: Metrics;
  downloads: DownloadManager;
  quarantine: QuarantineStore;
  browser: BrowserLayer;
  readiness: ReadinessChecks;
  tls: TlsMaterial | null;
  /** OIDC and SAML sign-in, whole (the consoles see only its status and role mappings). */
  federation: FederationServices;
  /** Kerberos single sign-on (docs/kerberos-sign-in.md). */
  kerberos: KerberosServices;
  /** The open viewers' bounded input queues (what they hold, for tests and diagnostics). */
  inputQueues: InputQueueRegistry;
}

export interface Gateway {
  readonly app: FastifyInstance;
  readonly services: GatewayServices;
  /** Listens on config.host/port and starts the browser layer; returns the base URL. */
  listen(): Promise<string>;
  /** Re-reads the configured certificate and key (SIGHUP); the self-signed one never changes. */
  reloadTls(): void;
  close(): Promise<void>;
}

/**
 * Reads an upload's text for the leak guard: in the sanitizer's work directory, with
 * the file policy's conversion time and worker memory limits, LibreOffice for legacy Office.
 */
function uploadTextReader(workRoot: string, limits: () => { timeouts: { convertMs: number }; workerMemoryMb: number }): (bytes: Uint8Array) => Promise<ExtractedText> {
  const office = findLibreOffice().then((soffice) => (soffice ? new LibreOfficeConverter(soffice) : null));
  return async (bytes) => {
    const l = limits();
    await mkdir(workRoot, { recursive: true, mode: 0o700 });
    return extractText(bytes, { workRoot, timeoutMs: l.timeouts.convertMs, memoryBytes: l.workerMemoryMb * 1024 * 1024, office: await office });
  };
}

export async function createGateway(config: Readonly<Config>, options: GatewayOptions = {}): Promise<Gateway> {
  const publicDir = options.publicDir ?? PUBLIC_DIR;
  if (!existsSync(publicDir)) throw new Error(`client build missing at ${publicDir}: run "npm run build"`);
  const logger = pino(loggerOptions(config.logLevel));
  const db = openDatabase(config.dataDir);
  const store = createSqliteStore(db);
  const { audit, close: closeAudit } = openAuditLog(db, config, (msg) => logger.warn({ component: 'audit' }, msg));
  const policy = new PolicyService(new SqlitePolicyRepository(db));
  const urlPolicy: UrlPolicy = {
    evaluate: (url, ctx) => policy.evaluate(url, ctx),
    contact: () => policy.current().policy.contact ?? null,
  };
  const tls = config.insecureHttp ? null : loadTlsMaterial({ ...config.tls, dataDir: config.dataDir, host: config.host });
  if (config.insecureHttp) logger.warn('serving plain HTTP (KEKKAI_INSECURE_HTTP): only for tests or behind a TLS-terminating proxy');

  // Chromium's profile and the sanitizer's work directories: under the data directory,
  // emptied now (a killed run's left-overs) and removed at stop.
  const runDir = prepareRunDir(config.dataDir);
  // Admin-console settings: the file policy and operator limits apply without a restart.
  const filePolicy = new FilePolicyService(db);
  const settings = new SettingsService(store.settings, { idleTimeoutSeconds: config.session.idleTimeoutSeconds, maxTabs: config.session.maxTabs });
  // Patient-data checks on pastes, commits and uploads (docs/leak-guard.md).
  const leakGuard = new LeakGuardService(store.settings, audit);
  // Session recording for incident review (docs/recording.md); retention runs hourly.
  const recording = new RecordingService(new RecordingStore(db, config.dataDir), config.recording, audit);
  recording.startRetention();
  const metrics = new Metrics();
  // Scheduled backups run in their own process (kekkai backup --scheduled); their status file is read at each scrape.
  metrics.setBackupSource(() => readBackupStatus(config.dataDir));
  // Downloads report to the user's browser session; the browser layer is built right after.
  let browser: BrowserLayer | null = null;
  const { downloads, quarantine, stop: stopRetention } = await openDownloads(
    db,
    config,
    audit,
    logger.child({ component: 'downloads' }),
    (sessionId, msg) => {
      if (msg.state === 'ready') metrics.download('sanitized', null);
      else if (msg.state === 'blocked') metrics.download('blocked', msg.reason ?? null);
      browser?.sessions.get(sessionId)?.send(msg);
    },
    async (sessionId, guid) => browser?.cancelDownload(sessionId, guid),
    (type, seconds) => metrics.sanitizerDuration(type, seconds),
    (role) => filePolicy.currentFilePolicy(role),
    runDir.sanitizer,
  );
  const uploadsDir = path.join(config.dataDir, 'uploads');
  const onBrowserLost = options.onBrowserLost ?? ((lost) => audit.record({ userId: null, userName: null, event: 'browser-crashed', outcome: 'error', details: { ...lost } }));
  const workers = config.session.workers ?? defaultWorkerCount();
  // Remote workers (KEKKAI_WORKER_LISTEN) join the worker pool, even when no local worker runs.
  const remoteWorkers = config.remoteWorkers.listen ? new RemoteWorkers(config, new SqliteWorkerRegistry(db), audit, logger) : null;
  // As root, local workers may run as another user so that Chromium keeps its sandbox.
  const workerUser = workers > 0 ? prepareWorkerUser({ user: config.session.workerUser, dir: config.session.workerDir, dataDir: config.dataDir, log: logger }) : null;
  if (workers === 0 && config.session.workerUser) logger.warn({ workerUser: config.session.workerUser }, 'KEKKAI_WORKER_USER applies to browser worker processes only; with KEKKAI_WORKERS=0 Chromium runs inside the gateway process as its user');
  const workerPool: BrowserLayerFactory = async (deps) =>
    new WorkerPool(deps, {
      count: workers,
      runDir: workerUser?.dir ?? runDir.root,
      ...(workerUser ? { spawnAs: workerUser.spawnAs } : {}),
      policy: () => ({ ...policy.snapshot(), contact: policy.current().policy.contact ?? null }),
    });
  browser = await (options.browser ?? (workers === 0 && !remoteWorkers ? startLocalBrowser : workerPool))({
    config,
    log: logger,
    audit,
    urlPolicy,
    metrics,
    downloads,
    limits: () => settings.get(),
    sessionUploadDir: (id) => sessionUploadDir(uploadsDir, id),
    chromiumDirs: { profile: runDir.chromiumProfile, home: runDir.chromiumHome },
    onBrowserLost,
  });
  const sessions = browser.sessions;

  const auth = new AuthService(store, config.session.maxAgeHours * 3600_000, options.loginThrottle, { totpVault: openTotpVault(config.dataDir) });
  // Directory sign-in and sync (docs/directory-sign-in.md); a disabled account's sessions end the console's way.
  const directory = openDirectory(config, { store, auth, audit, log: logger.child({ component: 'directory' }), endSessions: (userId) => endAccountSessions(auth, sessions, userId) });
  // OIDC and SAML (docs/federated-sign-in.md) complete through the same ExternalSignIn as LDAP.
  const federation = openFederation(config, { externalSignIn: directory.externalSignIn, roleMappings: directory.roleMappings });
  // Kerberos (docs/kerberos-sign-in.md): a ticket says who; the directory says the rest, through the same ExternalSignIn.
  const kerberos = await openKerberos(config.kerberos, { directory: directory.directory, externalSignIn: directory.externalSignIn, throttle: auth.throttle, log: logger.child({ component: 'kerberos' }), dataDir: config.dataDir });
  const clamd = new ClamdScanner({ address: config.clamd, timeoutMs: 2000 });
  const readiness: ReadinessChecks = {
    chromium: () => browser.connected(),
    store: () => store.ping(),
    clamd: () => clamd.ping(),
    ...options.readiness,
  };
  // kekkai_clamd_up follows clamd even when nobody polls /readyz.
  const clamdWatch = setInterval(() => void readiness.clamd().then((up) => metrics.clamdUp(up)), 30_000);
  clamdWatch.unref();
  void readiness.clamd().then((up) => metrics.clamdUp(up));

  // The clock's synchronisation, for the compliance page (checked every 10 minutes).
  const timeSync = new TimeSyncWatch();
  timeSync.start();
  const needsSecondApproval = (): boolean => config.security.releaseNeedsSecondApproval;
  // Releases rescan whole originals: the download pipeline's deadline, not the 2 s ping's.
  const releaseScanner = options.releaseScanner ?? new ClamdScanner({ address: config.clamd, timeoutMs: 60_000 });
  const quarantineIndex = new QuarantineIndex(db);
  const releases = new ReleaseRepository(db);
  const services: GatewayServices = {
    config,
    logger,
    store,
    auth,
    audit,
    policy,
    urlPolicy,
    accounts: new AccountService(store),
    directory,
    federation,
    kerberos,
    filePolicy,
    settings,
    leakGuard,
    recording,
    compliance: new ComplianceService(store, audit, () => timeSync.current(), () => ({ status: readBackupStatus(config.dataDir), maxAgeHours: config.backup.maxAgeHours })),
    metrics,
    sessions,
    downloads,
    quarantine,
    quarantineIndex,
    releases,
    quarantineActions: new QuarantineActions({
      quarantine,
      index: quarantineIndex,
      releases,
      audit,
      scanner: releaseScanner,
      needsSecondApproval,
      notifyRecipient: releaseNotifier(sessions),
    }),
    needsSecondApproval,
    browser,
    remoteWorkers,
    readiness,
    tls,
    inputQueues: new InputQueueRegistry(),
  };
  const app = await buildApp(config, {
    auth,
    sessions,
    audit,
    downloads,
    readiness,
    metrics,
    consoles: services,
    federation,
    kerberos,
    inputQueues: services.inputQueues,
    leakGuard,
    recording,
    uploadText: uploadTextReader(runDir.sanitizer, () => filePolicy.currentFilePolicy('staff')),
    publicDir,
    https: tls,
    logger,
    ...(options.viewerRecheckMs ? { viewerRecheckMs: options.viewerRecheckMs } : {}),
  });

  let closing = false;
  return {
    app,
    services,
    listen: async () => {
      await app.listen({ host: config.host, port: config.port });
      const address = app.server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      await browser.start([address.port]);
      if (remoteWorkers && browser instanceof WorkerPool) await remoteWorkers.start(browser);
      return `${tls ? 'https' : 'http'}://${host}:${address.port}`;
    },
    reloadTls: () => {
      if (!tls || tls.selfSigned) return;
      try {
        const next = loadTlsMaterial({ ...config.tls, dataDir: config.dataDir, host: config.host });
        (app.server as HttpsServer).setSecureContext({ key: next.key, cert: next.cert, minVersion: 'TLSv1.2' });
        logger.info({ component: 'tls', fingerprint256: next.fingerprint256 }, 'TLS certificate reloaded');
      } catch (err) {
        // Keep serving with the old certificate rather than stopping.
        logger.error({ component: 'tls', err: (err as Error).message }, 'TLS reload failed; the previous certificate stays in use');
      }
    },
    close: async () => {
      if (closing) return;
      closing = true;
      clearInterval(clamdWatch);
      timeSync.stop();
      recording.stop();
      await directory.close();
      await federation.close();
      // Each step is bounded (ops/shutdown.ts): sanitizer jobs still running after the
      // grace are interrupted and blocked at the next start.
      // The pool first (it lets go of remote workers' connections as shutdown, not as loss), then their listener.
      await settleWithin(browser.close().then(() => remoteWorkers?.close()).then(() => downloads.idle()), SHUTDOWN_GRACE_MS, () =>
        logger.warn({ component: 'shutdown' }, 'sessions or downloads still busy; stopping without them'),
      );
      await stopRetention();
      await settleWithin(app.close(), SHUTDOWN_GRACE_MS);
      // The head anchor is written before the database closes; the syslog connection after.
      const auditClosed = closeAudit();
      store.close();
      await auditClosed;
      runDir.remove();
      workerUser?.remove();
    },
  };
}
