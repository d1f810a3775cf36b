/**
 * The browser side of a gateway on one machine: one Chromium, the users' sessions
 * in its incognito contexts (each with its own egress proxy and navigation guard)
 * and the routing of their downloads to the download pipeline. The composition
 * root talks to it through {@link BrowserLayer}, the seam where browser workers
 * in their own processes (issue 10) take its place.
 */
import { rm } from 'node:fs/promises';
import type { AuditSink } from '../audit/audit-setup.js';
import type { Config } from '../config/config-schema.js';
import type { DownloadManager } from '../downloads/download-manager.js';
import { startDenyAllProxy, type UrlPolicy } from '../egress/context-egress.js';
import type { Metrics } from '../ops/metrics.js';
import { ChromiumHost, type HostLog } from './chromium-host.js';
import { DownloadRouter } from './download-router.js';
import { SessionManager, type SessionUser } from './session-manager.js';
import { createSessionPolicy } from './session-policy.js';
import type { BrowserSession } from './browser-session.js';
import type { SessionEndReason } from '../../protocol/index.js';

/** What the rest of the gateway uses of the browser sessions. */
export interface GatewaySessions {
  readonly size: number;
  get(id: string): BrowserSession | undefined;
  list(): BrowserSession[];
  getOrCreate(id: string, user: SessionUser): Promise<{ session: BrowserSession; resumed: boolean }>;
  end(id: string, reason: SessionEndReason): Promise<boolean>;
}

export interface BrowserLayer {
  readonly sessions: GatewaySessions;
  /** Whether the browser can take sessions now (readiness). */
  connected(): boolean;
  /** Starts warming contexts once the gateway listens on `ownPorts` (its proxies refuse them). */
  start(ownPorts: readonly number[]): void;
  /** Stops a download Chromium is still receiving (the file policy refused it early). */
  cancelDownload(sessionId: string, guid: string): Promise<void>;
  close(): Promise<void>;
}

export interface BrowserLayerDeps {
  config: Readonly<Config>;
  log: HostLog & { child(bindings: object): HostLog };
  audit: AuditSink;
  urlPolicy: UrlPolicy;
  metrics: Metrics;
  downloads: DownloadManager;
  /** Operator settings applied live (admin console). */
  limits: () => { maxTabs: number; idleTimeoutSeconds: number };
  /** Removes what a session left outside its browser context (its uploads). */
  sessionUploadDir: (sessionId: string) => string;
  /** Chromium went away while the gateway was not closing. */
  onBrowserLost: () => void;
}

export type BrowserLayerFactory = (deps: BrowserLayerDeps) => Promise<BrowserLayer>;

export const startLocalBrowser: BrowserLayerFactory = async (deps) => {
  const { config, metrics, downloads } = deps;
  let ownPorts: readonly number[] = [];
  // Chromium-wide traffic (outside any user's context) goes to a proxy that refuses everything.
  const denyAll = await startDenyAllProxy();
  const chromium = await ChromiumHost.launch(
    { executablePath: config.chromiumPath, maxDeviceScaleFactor: config.stream.maxDeviceScaleFactor, proxyServer: denyAll.proxyServer },
    deps.log,
  );
  // The router and the session manager need each other; the router is set right below.
  let router: DownloadRouter | null = null;
  const sessions = new SessionManager(
    chromium,
    {
      idleTimeoutMs: config.session.idleTimeoutSeconds * 1000,
      warmPool: config.session.warmPool,
      maxSessions: config.session.maxSessions,
      maxTabs: () => deps.limits().maxTabs,
      idleTimeout: () => deps.limits().idleTimeoutSeconds * 1000,
      jpegQuality: config.stream.jpegQuality,
      maxDeviceScaleFactor: config.stream.maxDeviceScaleFactor,
      clipboardToClient: config.clipboard.toClient,
      clipboardFromClient: config.clipboard.fromClient,
      uploadEnabled: config.upload.enabled,
      metrics,
      onEnded: (id) => rm(deps.sessionUploadDir(id), { recursive: true, force: true }),
      downloads: {
        attach: (id, context, owner) => router!.attach(id, context, owner),
        detach: (id, context) => router!.detach(id, context),
      },
      ...(config.download.print
        ? { onPrint: (id: string, pdf: Uint8Array, title: string) => router!.inject(id, `${title.slice(0, 80)}.pdf`, pdf, 'print:') }
        : {}),
      policy: createSessionPolicy({
        policy: deps.urlPolicy,
        onRefusal: (kind) => metrics.policyRefusal(kind),
        audit: deps.audit,
        allowPrivate: config.egress.allowPrivate,
        allowedPorts: config.egress.allowedPorts,
        ownPorts: () => ownPorts,
      }),
    },
    deps.log.child({ component: 'sessions' }),
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
        const verdict = deps.urlPolicy.evaluate(url, { role: user.role, sourceIp: user.sourceIp, now: new Date(), allowPrivate: config.egress.allowPrivate });
        return verdict.verdict !== 'block' && verdict.capabilities.download !== false;
      },
    },
    deps.log.child({ component: 'downloads' }),
  );

  let closing = false;
  chromium.onDisconnected(() => {
    if (closing) return;
    deps.onBrowserLost();
  });

  return {
    sessions,
    connected: () => chromium.connected,
    start: (ports) => {
      ownPorts = [...ports];
      sessions.start();
    },
    cancelDownload: async (sessionId, guid) => {
      const context = sessions.get(sessionId)?.browserContext;
      if (context) await chromium.cancelDownload(guid, context);
    },
    close: async () => {
      closing = true;
      await sessions.close('shutdown');
      await chromium.close();
      await denyAll.close();
    },
  };
};
