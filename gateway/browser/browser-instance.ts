/**
 * One Chromium with the sessions placed in it: the session manager (contexts, egress
 * proxies, navigation guard) and the routing of its downloads. The in-process browser
 * layer (local-browser.ts) and a browser worker process (gateway/worker/) both run
 * their sessions through this.
 */
import type { AuditSink } from '../audit/audit-setup.js';
import type { UrlPolicy } from '../egress/context-egress.js';
import type { StreamMetrics } from './browser-session.js';
import { ChromiumHost } from './chromium-host.js';
import type { ParentLogger } from '../logging.js';
import { DownloadRouter, type DownloadSink } from './download-router.js';
import { SessionManager } from './session-manager.js';
import { createSessionPolicy } from './session-policy.js';

export interface BrowserInstance {
  chromium: ChromiumHost;
  sessions: SessionManager;
}

export interface BrowserInstanceOptions {
  chromiumPath: string;
  /** Profile and temporary files (default: puppeteer's temporary profile). */
  runDir?: { profile: string; home: string };
  /** Chromium-wide traffic (outside every user's context) goes here: a deny-all proxy. */
  proxyServer: string;
  /** The gateway's own ports; the egress proxies refuse them. */
  ownPorts: () => readonly number[];
  session: { idleTimeoutSeconds: number; warmPool: number; maxSessions: number; rendererMemoryMb: number; startPage?: string | undefined };
  stream: { jpegQuality: number; maxDeviceScaleFactor: number };
  clipboard: { toClient: boolean; fromClient: boolean };
  uploadEnabled: boolean;
  print: boolean;
  egress: { allowPrivate: readonly string[]; allowedPorts: readonly number[] };
  /** Operator settings applied live (admin console). */
  limits: () => { maxTabs: number; idleTimeoutSeconds: number };
  log: ParentLogger;
  audit: AuditSink;
  urlPolicy: UrlPolicy;
  metrics: StreamMetrics & { policyRefusal(kind: string): void };
  downloads: DownloadSink;
  /** Cleans up what an ended session left outside its browser context. */
  onSessionEnded: (sessionId: string) => Promise<void>;
}

export async function launchBrowserInstance(o: BrowserInstanceOptions): Promise<BrowserInstance> {
  const chromium = await ChromiumHost.launch(
    {
      executablePath: o.chromiumPath,
      maxDeviceScaleFactor: o.stream.maxDeviceScaleFactor,
      proxyServer: o.proxyServer,
      rendererMemoryMb: o.session.rendererMemoryMb,
      ...(o.runDir ? { runDir: o.runDir } : {}),
    },
    o.log,
  );
  // The router and the session manager need each other; the router is set right below.
  let router: DownloadRouter | null = null;
  const sessions = new SessionManager(
    chromium,
    {
      idleTimeoutMs: () => o.limits().idleTimeoutSeconds * 1000,
      warmPool: o.session.warmPool,
      maxSessions: o.session.maxSessions,
      maxTabs: () => o.limits().maxTabs,
      jpegQuality: o.stream.jpegQuality,
      maxDeviceScaleFactor: o.stream.maxDeviceScaleFactor,
      clipboardToClient: o.clipboard.toClient,
      clipboardFromClient: o.clipboard.fromClient,
      uploadEnabled: o.uploadEnabled,
      ...(o.session.startPage ? { startPage: o.session.startPage } : {}),
      metrics: o.metrics,
      onEnded: o.onSessionEnded,
      downloads: {
        attach: (id, context, owner) => router!.attach(id, context, owner),
        detach: (id, context) => router!.detach(id, context),
      },
      ...(o.print ? { onPrint: (id: string, pdf: Uint8Array, title: string) => router!.inject(id, `${title.slice(0, 80)}.pdf`, pdf, 'print:') } : {}),
      policy: createSessionPolicy({
        policy: o.urlPolicy,
        onRefusal: (kind) => o.metrics.policyRefusal(kind),
        audit: o.audit,
        allowPrivate: o.egress.allowPrivate,
        allowedPorts: o.egress.allowedPorts,
        ownPorts: o.ownPorts,
      }),
    },
    o.log.child({ component: 'sessions' }),
  );
  router = new DownloadRouter(
    chromium,
    o.downloads,
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
        const verdict = o.urlPolicy.evaluate(url, { role: user.role, sourceIp: user.sourceIp, now: new Date(), allowPrivate: o.egress.allowPrivate });
        return verdict.verdict !== 'block' && verdict.capabilities.download !== false;
      },
    },
    o.log.child({ component: 'downloads' }),
  );
  return { chromium, sessions };
}
