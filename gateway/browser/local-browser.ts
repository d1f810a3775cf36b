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
import { ChromiumHost } from './chromium-host.js';
import type { ParentLogger } from '../logging.js';
import { DownloadRouter } from './download-router.js';
import type { Actor } from '../actor.js';
import { SessionManager } from './session-manager.js';
import { createSessionPolicy } from './session-policy.js';
import type { BrowserSession } from './browser-session.js';
import type { SessionEndReason } from '../../protocol/index.js';

/** What the rest of the gateway uses of the browser sessions. */
export interface GatewaySessions {
  readonly size: number;
  get(id: string): BrowserSession | undefined;
  list(): BrowserSession[];
  getOrCreate(id: string, user: Actor): Promise<{ session: BrowserSession; resumed: boolean }>;
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
  log: ParentLogger;
  audit: AuditSink;
  urlPolicy: UrlPolicy;
  metrics: Metrics;
  downloads: DownloadManager;
  /** Operator settings applied live (admin console). */
  limits: () => { maxTabs: number; idleTimeoutSeconds: number };
  /** Removes what a session left outside its browser context (its uploads). */
  sessionUploadDir: (sessionId: string) => string;
  /** Chromium went away while the gateway was not closing (a replacement is being started). */
  onBrowserLost: () => void;
}

export type BrowserLayerFactory = (deps: BrowserLayerDeps) => Promise<BrowserLayer>;

/** One Chromium with the sessions in it; replaced as a whole when Chromium dies. */
interface BrowserInstance {
  chromium: ChromiumHost;
  sessions: SessionManager;
}

/**
 * Supervises the local Chromium: when it exits unexpectedly, the sessions it held
 * end with 'browser-crashed' (their users are told and can start a new session at
 * once), a new Chromium is launched, and the gateway keeps serving everyone else.
 */
export class LocalBrowser implements BrowserLayer {
  private current: BrowserInstance;
  /** Resolves when a replacement Chromium is up; null while none is being started. */
  private restarting: Promise<void> | null = null;
  private ownPorts: readonly number[] = [];
  private started = false;
  private closing = false;

  readonly sessions: GatewaySessions;

  constructor(
    first: BrowserInstance,
    private readonly launch: (ownPorts: () => readonly number[]) => Promise<BrowserInstance>,
    private readonly deps: BrowserLayerDeps,
    private readonly denyAll: { close(): Promise<void> },
  ) {
    this.current = first;
    this.watch(first);
    const current = (): SessionManager => this.current.sessions;
    this.sessions = {
      get size() {
        return current().size;
      },
      get: (id) => current().get(id),
      list: () => current().list(),
      getOrCreate: async (id, user) => {
        if (this.restarting) await this.restarting;
        return current().getOrCreate(id, user);
      },
      end: (id, reason) => current().end(id, reason),
    };
    deps.metrics.setActiveSessionsSource(() => this.current.sessions.size);
  }

  /** The Chromium in use now (diagnostics; end-to-end tests crash a renderer through it). */
  get chromium(): ChromiumHost {
    return this.current.chromium;
  }

  get ports(): readonly number[] {
    return this.ownPorts;
  }

  connected(): boolean {
    return !this.restarting && this.current.chromium.connected;
  }

  start(ownPorts: readonly number[]): void {
    this.ownPorts = [...ownPorts];
    this.started = true;
    this.current.sessions.start();
  }

  async cancelDownload(sessionId: string, guid: string): Promise<void> {
    const context = this.current.sessions.get(sessionId)?.browserContext;
    if (context) await this.current.chromium.cancelDownload(guid, context);
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.restarting?.catch(() => undefined);
    await this.current.sessions.close('shutdown');
    await this.current.chromium.close();
    await this.denyAll.close();
  }

  private watch(instance: BrowserInstance): void {
    instance.chromium.onDisconnected(() => {
      if (this.closing || instance !== this.current || this.restarting) return;
      this.restarting = this.replace(instance).finally(() => (this.restarting = null));
    });
  }

  private async replace(lost: BrowserInstance): Promise<void> {
    const affected = lost.sessions.size;
    this.deps.log.warn({ component: 'chromium', sessions: affected }, 'Chromium exited unexpectedly; ending its sessions and starting a new one');
    this.deps.onBrowserLost();
    // Its contexts are gone with it: tell each viewer and release proxies and downloads.
    await lost.sessions.close('browser-crashed').catch((err: unknown) => this.deps.log.warn({ err: (err as Error).message }, 'cleanup after the crash failed'));
    for (let attempt = 1; !this.closing; attempt++) {
      try {
        const next = await this.launch(() => this.ownPorts);
        if (this.closing) {
          await next.sessions.close('shutdown');
          await next.chromium.close();
          return;
        }
        this.current = next;
        this.watch(next);
        if (this.started) next.sessions.start();
        this.deps.metrics.browserRestarted();
        this.deps.log.info({ component: 'chromium', attempt }, 'Chromium restarted');
        return;
      } catch (err) {
        const waitMs = Math.min(30_000, 500 * 2 ** (attempt - 1));
        this.deps.log.warn({ component: 'chromium', attempt, waitMs, err: (err as Error).message }, 'Chromium did not start; trying again');
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }
}

export const startLocalBrowser: BrowserLayerFactory = async (deps) => {
  // Chromium-wide traffic (outside any user's context) goes to a proxy that refuses everything.
  const denyAll = await startDenyAllProxy();
  const launch = (ownPorts: () => readonly number[]) => launchInstance(deps, denyAll.proxyServer, ownPorts);
  let layer: LocalBrowser | null = null;
  try {
    layer = new LocalBrowser(await launch(() => layer?.ports ?? []), launch, deps, denyAll);
  } catch (err) {
    await denyAll.close();
    throw err;
  }
  return layer;
};

async function launchInstance(deps: BrowserLayerDeps, proxyServer: string, ownPorts: () => readonly number[]): Promise<BrowserInstance> {
  const { config, metrics, downloads } = deps;
  const chromium = await ChromiumHost.launch({ executablePath: config.chromiumPath, maxDeviceScaleFactor: config.stream.maxDeviceScaleFactor, proxyServer }, deps.log);
  // The router and the session manager need each other; the router is set right below.
  let router: DownloadRouter | null = null;
  const sessions = new SessionManager(
    chromium,
    {
      idleTimeoutMs: () => deps.limits().idleTimeoutSeconds * 1000,
      warmPool: config.session.warmPool,
      maxSessions: config.session.maxSessions,
      maxTabs: () => deps.limits().maxTabs,
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
        ownPorts,
      }),
    },
    deps.log.child({ component: 'sessions' }),
  );
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
  return { chromium, sessions };
}
