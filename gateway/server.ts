/**
 * `kekkai serve`: the only place that listens. Opens the store, makes the first
 * admin, prepares TLS, launches Chromium, builds the app, listens, and closes
 * everything gracefully on SIGTERM/SIGINT.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { buildApp } from './app.js';
import { AuthService } from './auth/auth-service.js';
import { ChromiumHost } from './browser/chromium-host.js';
import { SessionManager } from './browser/session-manager.js';
import { ensureFirstAdmin } from './cli/first-admin.js';
import type { Config } from './config/config-schema.js';
import { loggerOptions } from './logging.js';
import { PUBLIC_DIR } from './paths.js';
import { openDatabase } from './store/sqlite-database.js';
import { createSqliteStore } from './store/sqlite-repositories.js';
import { loadTlsMaterial } from './tls/certificates.js';

export interface RunningGateway {
  url: string;
  close(): Promise<void>;
}

export async function startGateway(config: Readonly<Config>, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<RunningGateway> {
  const logger = pino(loggerOptions(config.logLevel) as pino.LoggerOptions);
  if (!existsSync(PUBLIC_DIR)) throw new Error(`client build missing at ${PUBLIC_DIR}: run "npm run build"`);
  const store = createSqliteStore(openDatabase(config.dataDir));
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

  const chromium = await ChromiumHost.launch(
    { executablePath: config.chromiumPath, maxDeviceScaleFactor: config.stream.maxDeviceScaleFactor },
    logger,
  );
  const sessions = new SessionManager(
    chromium,
    {
      idleTimeoutMs: config.session.idleTimeoutSeconds * 1000,
      warmPool: config.session.warmPool,
      maxSessions: config.session.maxSessions,
      maxTabs: config.session.maxTabs,
      jpegQuality: config.stream.jpegQuality,
      maxDeviceScaleFactor: config.stream.maxDeviceScaleFactor,
      clipboardToClient: config.clipboard.toClient,
      clipboardFromClient: config.clipboard.fromClient,
      uploadEnabled: config.upload.enabled,
    },
    logger.child({ component: 'sessions' }),
  );
  const auth = new AuthService(store, config.session.maxAgeHours * 3600_000);
  const app = await buildApp(config, { auth, sessions, publicDir: PUBLIC_DIR, https: tls, logger });

  let closing = false;
  const close = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    await sessions.close('shutdown');
    await app.close();
    await chromium.close();
    store.close();
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
  out(`kekkai listening on ${url}`);
  return { url, close };
}
