/**
 * Composition root of the HTTP side: builds the Fastify app from the config and
 * its dependencies. It never listens — server.ts does (tests build it the same way).
 */
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import path from 'node:path';
import type { Config } from './config/config-schema.js';
import { MAX_CLIENT_MESSAGE_BYTES } from '../protocol/index.js';
import type { AuditSink } from './audit/audit-setup.js';
import type { AuthService } from './auth/auth-service.js';
import type { GatewaySessions } from './browser/local-browser.js';
import type { DownloadManager } from './downloads/download-manager.js';
import { registerAdminRoutes } from './http/admin-routes.js';
import type { ConsoleServices } from './http/console-deps.js';
import { registerDownloadRoutes } from './http/downloads.http.js';
import { registerSecurityRoutes } from './http/security-routes.js';
import { registerHealthRoutes } from './http/health.http.js';
import { registerOpenApi, registerOpenApiRoute } from './http/openapi.http.js';
import { registerMetricsRoute } from './http/metrics.http.js';
import type { Metrics } from './ops/metrics.js';
import type { ReadinessChecks } from './ops/readiness.js';
import { registerAuthRoutes } from './http/auth.http.js';
import { registerFederationRoutes } from './http/federation.http.js';
import { registerKerberosRoutes } from './http/kerberos.http.js';
import type { KerberosServices } from './kerberos/kerberos-setup.js';
import type { FederationServices } from './federation/federation-setup.js';
import { registerPublicOrigin } from './http/auth-guard.js';
import { registerRouteAccess } from './http/route-access.js';
import { errorHandler } from './http/errors.js';
import { registerPageRoutes } from './http/pages.http.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { registerViewerSocket, type ViewerSessions } from './http/session.ws.js';
import { registerUploadRoute } from './http/upload.http.js';
import type { InputQueueRegistry } from './http/viewer-input-queue.js';
import { loggerOptions } from './logging.js';
import type { LeakGuardService } from './security/leak-guard-service.js';
import type { RecordingService } from './recording/recording-service.js';
import type { ExtractedText } from '../sanitizer/text-extract.js';

export interface AppDeps {
  auth: AuthService;
  audit: AuditSink;
  downloads: Pick<DownloadManager, 'take' | 'list'>;
  readiness: ReadinessChecks;
  metrics: Metrics;
  /** How often open viewers' sign-ins are re-checked (tests shorten it). */
  viewerRecheckMs?: number;
  /** Open viewers' input queues (tests read their stats); made by the viewer socket if absent. */
  inputQueues?: InputQueueRegistry;
  /** OIDC and SAML sign-in (docs/federated-sign-in.md); absent when not built. */
  federation?: FederationServices;
  /** Kerberos single sign-on (docs/kerberos-sign-in.md); absent or without signIn when not configured. */
  kerberos?: Pick<KerberosServices, 'signIn'>;
  /** Admin and security consoles; absent in tests that do not exercise them. */
  consoles?: ConsoleServices;
  /** Patient-data checks on pastes, commits and uploads (docs/leak-guard.md); absent in tests that do not exercise it. */
  leakGuard?: LeakGuardService;
  /** Session recording (docs/recording.md); absent in tests that do not exercise it. */
  recording?: RecordingService;
  /** Text of an uploaded file for the leak guard (sanitizer/text-extract.ts). */
  uploadText?: (bytes: Uint8Array) => Promise<ExtractedText>;
  /** Browser sessions; the real SessionManager or a fake in integration tests. */
  sessions: ViewerSessions & Pick<GatewaySessions, 'get' | 'end'>;
  /** Directory with the built client (dist/public). */
  publicDir: string;
  https?: { key: string | Buffer; cert: string | Buffer } | null;
  /** Shared pino logger; by default one is made from config.logLevel. */
  logger?: FastifyBaseLogger;
}

export async function buildApp(config: Readonly<Config>, deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: loggerOptions(config.logLevel) }),
    ...(deps.https ? { https: { ...deps.https, minVersion: 'TLSv1.2' as const } } : {}),
    // X-Forwarded-For is believed only from the configured reverse proxies (fail closed).
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
    bodyLimit: 64 * 1024,
  });
  app.setErrorHandler(errorHandler);
  registerPublicOrigin(app, config.publicUrl);
  await registerOpenApi(app);
  registerSecurityHeaders(app, Boolean(deps.https));
  await app.register(fastifyCookie);
  // Before any route: every /api route declares who may call it, and one hook checks it.
  registerRouteAccess(app, deps.auth);
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_CLIENT_MESSAGE_BYTES } });
  await app.register(fastifyStatic, {
    root: deps.publicDir,
    prefix: '/assets/',
    index: false,
    cacheControl: false,
    setHeaders: (res) => res.setHeader('cache-control', 'no-cache'),
  });

  registerOpenApiRoute(app);
  registerHealthRoutes(app, { checks: deps.readiness, onClamdResult: (up) => deps.metrics.clamdUp(up) });
  registerMetricsRoute(app, { metrics: deps.metrics, metricsAllow: config.metrics.allow });
  registerPageRoutes(app, deps.auth);
  registerAuthRoutes(app, {
    auth: deps.auth,
    audit: deps.audit,
    sessionMaxAgeSeconds: config.session.maxAgeHours * 3600,
    endBrowserSession: async (id) => void (await deps.sessions.end(id, 'ended-by-user')),
    federation: deps.federation,
    watermark: config.watermark,
    recordingBanner: (role) => deps.recording?.bannerFor(role) ?? null,
  });
  registerFederationRoutes(app, { auth: deps.auth, audit: deps.audit, federation: deps.federation, sessionMaxAgeSeconds: config.session.maxAgeHours * 3600, kerberos: Boolean(deps.kerberos?.signIn) });
  registerKerberosRoutes(app, { audit: deps.audit, kerberos: deps.kerberos, sessionMaxAgeSeconds: config.session.maxAgeHours * 3600 });
  registerViewerSocket(app, {
    auth: deps.auth,
    sessions: deps.sessions,
    initialMessages: (sessionId) => deps.downloads.list(sessionId),
    ...(deps.viewerRecheckMs ? { recheckMs: deps.viewerRecheckMs } : {}),
    ...(deps.inputQueues ? { inputQueues: deps.inputQueues } : {}),
    ...(deps.leakGuard ? { leakGuard: deps.leakGuard } : {}),
    ...(deps.recording ? { recording: deps.recording } : {}),
    capabilities: {
      clipboardToClient: config.clipboard.toClient,
      clipboardFromClient: config.clipboard.fromClient,
      upload: config.upload.enabled,
    },
  });
  registerDownloadRoutes(app, { auth: deps.auth, downloads: deps.downloads });
  if (deps.consoles) {
    registerAdminRoutes(app, deps.consoles);
    registerSecurityRoutes(app, deps.consoles);
  }
  registerUploadRoute(app, {
    auth: deps.auth,
    audit: deps.audit,
    enabled: config.upload.enabled,
    maxBytes: config.upload.maxBytes,
    uploadDir: path.join(config.dataDir, 'uploads'),
    findSession: (id) => deps.sessions.get(id),
    ...(deps.leakGuard && deps.uploadText ? { leakGuard: { service: deps.leakGuard, extractText: deps.uploadText } } : {}),
  });
  return app;
}
