/**
 * `kekkai serve`: the only place that listens. Opens the store, makes the first
 * admin, prepares TLS, launches Chromium, builds the app, listens, and closes
 * everything gracefully on SIGTERM/SIGINT.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { buildApp } from './app.js';
import { openAuditLog } from './audit/audit-setup.js';
import { FilePolicyService } from './admin/file-policy-service.js';
import { SettingsService } from './admin/settings-service.js';
import { AuthService } from './auth/auth-service.js';
import { openTotpVault } from './auth/totp-vault.js';
import { ChromiumHost } from './browser/chromium-host.js';
import { DownloadRouter } from './browser/download-router.js';
import { openDownloads } from './downloads/download-setup.js';
import { sessionUploadDir } from './http/upload.http.js';
import { SessionManager } from './browser/session-manager.js';
import { createSessionPolicy } from './browser/session-policy.js';
import { startDenyAllProxy, type UrlPolicy } from './egress/context-egress.js';
import { PolicyService } from './policy-store/policy-service.js';
import { Metrics } from './ops/metrics.js';
import { prepareRunDir } from './ops/run-dir.js';
import { settleWithin } from './ops/shutdown.js';
import { ClamdScanner } from '../sanitizer/index.js';
import { SqlitePolicyRepository } from './policy-store/sqlite-policy-repository.js';
import { ensureFirstAdmin } from './cli/first-admin.js';
import type { Config } from './config/config-schema.js';
import { loggerOptions } from './logging.js';
import { PUBLIC_DIR } from './paths.js';
import { openDatabase } from './store/sqlite-database.js';
import { createSqliteStore } from './store/sqlite-repositories.js';
import { loadTlsMaterial } from './tls/certificates.js';

/** How long a stop waits for sessions, downloads and open requests (each). */
const SHUTDOWN_GRACE_MS = 5000;

export interface RunningGateway {
  url: string;
  close(): Promise<void>;
  /** Re-reads the configured certificate and key (SIGHUP); the self-signed one never changes. */
  reloadTls(): void;
}

export async function startGateway(config: Readonly<Config>, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<RunningGateway> {
  const logger = pino(loggerOptions(config.logLevel) as pino.LoggerOptions);
  if (!existsSync(PUBLIC_DIR)) throw new Error(`client build missing at ${PUBLIC_DIR}: run "npm run build"`);
  const db = openDatabase(config.dataDir);
  const store = createSqliteStore(db);
  const { audit, close: closeAudit } = openAuditLog(db, config, (msg) => logger.warn({ component: 'audit' }, msg));
  const policyService = new PolicyService(new SqlitePolicyRepository(db));
  const urlPolicy: UrlPolicy = {
    evaluate: (url, ctx) => policyService.evaluate(url, ctx),
    contact: () => policyService.current().policy.contact ?? null,
  };
  const firstAdmin = await ensureFirstAdmin(store.users, config.adminPassword);
  if (firstAdmin?.password) {
    out(`Initial admin account: user "${firstAdmin.name}", one-time password: ${firstAdmin.password}`);
    out('This password is shown only once and must be changed at first sign-in. / このパスワードは一度だけ表示されます。初回ログイン時に変更してください。');
  } else if (firstAdmin) {
    out(`Initial admin account "${firstAdmin.name}" created with the password from KEKKAI_ADMIN_PASSWORD.`);
  }
  const tls = config.insecureHttp ? null : loadTlsMaterial({ ...config.tls, dataDir: config.dataDir, host: config.host });
  if (tls?.selfSigned) out(`TLS: self-signed certificate, SHA-256 fingerprint ${tls.fingerprint256}`);
  if (config.insecureHttp) logger.warn('serving plain HTTP (KEKKAI_INSECURE_HTTP): only for tests or behind a TLS-terminating proxy');

  // Chromium's profile and the sanitizer's work directories: under the data directory,
  // emptied now (a killed run's left-overs) and removed at stop.
  const runDir = prepareRunDir(config.dataDir);
  // Chromium-wide traffic (outside any user's context) goes to a proxy that refuses everything.
  const denyAll = await startDenyAllProxy();
  const chromium = await ChromiumHost.launch(
    {
      executablePath: config.chromiumPath,
      maxDeviceScaleFactor: config.stream.maxDeviceScaleFactor,
      proxyServer: denyAll.proxyServer,
      runDir: { profile: runDir.chromiumProfile, home: runDir.chromiumHome },
    },
    logger,
  );
  let ownPorts: number[] = [];
  // Admin-console settings: the file policy and operator limits apply without a restart.
  const filePolicies = new FilePolicyService(db);
  const operatorSettings = new SettingsService(store.settings, { idleTimeoutSeconds: config.session.idleTimeoutSeconds, maxTabs: config.session.maxTabs });
  const metrics = new Metrics();
  // The router and the session manager need each other; the router is set right below.
  let router: DownloadRouter | null = null;
  const { downloads, quarantine, stop: stopRetention } = await openDownloads(
    db,
    config,
    audit,
    logger.child({ component: 'downloads' }),
    (sessionId, msg) => {
      if (msg.state === 'ready') metrics.download('sanitized', null);
      else if (msg.state === 'blocked') metrics.download('blocked', msg.reason ?? null);
      sessions.get(sessionId)?.send(msg);
    },
    async (sessionId, guid) => {
      const context = sessions.get(sessionId)?.browserContext;
      if (context) await chromium.cancelDownload(guid, context);
    },
    (type, seconds) => metrics.sanitizerDuration(type, seconds),
    (role) => filePolicies.currentFilePolicy(role),
    runDir.sanitizer,
  );
  const sessions = new SessionManager(
    chromium,
    {
      idleTimeoutMs: config.session.idleTimeoutSeconds * 1000,
      warmPool: config.session.warmPool,
      maxSessions: config.session.maxSessions,
      maxTabs: () => operatorSettings.get().maxTabs,
      idleTimeout: () => operatorSettings.get().idleTimeoutSeconds * 1000,
      jpegQuality: config.stream.jpegQuality,
      maxDeviceScaleFactor: config.stream.maxDeviceScaleFactor,
      clipboardToClient: config.clipboard.toClient,
      clipboardFromClient: config.clipboard.fromClient,
      uploadEnabled: config.upload.enabled,
      metrics,
      onEnded: (id) => rm(sessionUploadDir(path.join(config.dataDir, 'uploads'), id), { recursive: true, force: true }),
      downloads: {
        attach: (id, context, owner) => router!.attach(id, context, owner),
        detach: (id, context) => router!.detach(id, context),
      },
      ...(config.download.print
        ? { onPrint: (id: string, pdf: Uint8Array, title: string) => router!.inject(id, `${title.slice(0, 80)}.pdf`, pdf, 'print:') }
        : {}),
      policy: createSessionPolicy({
        policy: urlPolicy,
        onRefusal: (kind) => metrics.policyRefusal(kind),
        audit,
        allowPrivate: config.egress.allowPrivate,
        allowedPorts: config.egress.allowedPorts,
        ownPorts: () => ownPorts,
      }),
    },
    logger.child({ component: 'sessions' }),
  );
  metrics.setActiveSessionsSource(() => sessions.size);
  router = new DownloadRouter(
    chromium,
    downloads,
    {
      byFrame: (frameId) => {
        for (const session of sessions.list()) {
          const tab = session.findTabByFrame(frameId);
          if (tab) return { sessionId: session.id, context: session.browserContext, allowed: tab.policy.capabilities?.download !== false };
        }
        return undefined;
      },
      allows: (id, url) => {
        const user = sessions.get(id)?.user;
        if (!user) return false;
        // data: downloads are made by the page itself; the page's own policy decided on it.
        if (url.startsWith('data:')) return true;
        const verdict = urlPolicy.evaluate(url, { role: user.role, sourceIp: user.sourceIp, now: new Date(), allowPrivate: config.egress.allowPrivate });
        return verdict.verdict !== 'block' && verdict.capabilities.download !== false;
      },
    },
    logger.child({ component: 'downloads' }),
  );
  const auth = new AuthService(store, config.session.maxAgeHours * 3600_000, undefined, { totpVault: openTotpVault(config.dataDir) });
  const clamd = new ClamdScanner({ address: config.clamd, timeoutMs: 2000 });
  // kekkai_clamd_up follows clamd even when nobody polls /readyz.
  const clamdWatch = setInterval(() => void clamd.ping().then((up) => metrics.clamdUp(up)), 30_000);
  clamdWatch.unref();
  void clamd.ping().then((up) => metrics.clamdUp(up));
  const readiness = {
    chromium: () => chromium.connected,
    store: () => {
      db.prepare('SELECT 1').get();
      return true;
    },
    clamd: () => clamd.ping(),
  };
  const consoles = { config, db, store, auth, audit, policy: policyService, sessions, quarantine, downloads };
  const app = await buildApp(config, { auth, sessions, audit, downloads, readiness, metrics, consoles, publicDir: PUBLIC_DIR, https: tls, logger });

  let closing = false;
  const close = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    clearInterval(clamdWatch);
    // Each step is bounded (ops/shutdown.ts): sanitizer jobs still running after the
    // grace are interrupted and blocked at the next start.
    await settleWithin(sessions.close('shutdown').then(() => downloads.idle()), SHUTDOWN_GRACE_MS, () =>
      logger.warn({ component: 'shutdown' }, 'sessions or downloads still busy; stopping without them'),
    );
    await stopRetention();
    await settleWithin(app.close(), SHUTDOWN_GRACE_MS);
    await chromium.close();
    await denyAll.close();
    closeAudit();
    store.close();
    runDir.remove();
  };
  chromium.onDisconnected(() => {
    if (closing) return;
    logger.fatal({ component: 'chromium' }, 'Chromium exited unexpectedly; stopping so the supervisor restarts kekkai');
    void close().finally(() => process.exit(70));
  });

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${tls ? 'https' : 'http'}://${host}:${address.port}`;
  ownPorts = [address.port];
  sessions.start();
  out(`kekkai listening on ${url}`);
  const reloadTls = (): void => {
    if (!tls || tls.selfSigned) return;
    try {
      const next = loadTlsMaterial({ ...config.tls, dataDir: config.dataDir, host: config.host });
      (app.server as HttpsServer).setSecureContext({ key: next.key, cert: next.cert, minVersion: 'TLSv1.2' });
      logger.info({ component: 'tls', fingerprint256: next.fingerprint256 }, 'TLS certificate reloaded');
    } catch (err) {
      // Keep serving with the old certificate rather than stopping.
      logger.error({ component: 'tls', err: (err as Error).message }, 'TLS reload failed; the previous certificate stays in use');
    }
  };
  return { url, close, reloadTls };
}
