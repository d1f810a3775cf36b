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
import { launchBrowserInstance, type BrowserInstance } from './browser-instance.js';
import type { ChromiumHost } from './chromium-host.js';
import type { ParentLogger } from '../logging.js';
import type { Actor } from '../actor.js';
import type { SessionManager } from './session-manager.js';
import type { UploadBroker } from './upload-broker.js';
import type { BrowserSession } from './browser-session.js';
import type { SessionEndReason } from '../../protocol/index.js';

/**
 * One user's browser session as the rest of the gateway uses it, wherever it runs:
 * a BrowserSession in this process or a RemoteSession on a browser worker.
 */
export type GatewaySession = Pick<BrowserSession, 'id' | 'user' | 'summary' | 'send' | 'attach' | 'detach' | 'handle'> & {
  readonly uploads: Pick<UploadBroker, 'target' | 'complete'>;
};

/** What the rest of the gateway uses of the browser sessions. */
export interface GatewaySessions {
  readonly size: number;
  get(id: string): GatewaySession | undefined;
  list(): GatewaySession[];
  getOrCreate(id: string, user: Actor): Promise<{ session: GatewaySession; resumed: boolean }>;
  end(id: string, reason: SessionEndReason): Promise<boolean>;
}

/** One browser worker as the admin console shows it. */
export interface WorkerStatus {
  id: number;
  /** Forked by this gateway, or joined from another machine (docs/workers.md). */
  kind: 'local' | 'remote';
  /** A remote worker's name (its certificate) and address. */
  name: string | null;
  address: string | null;
  /** Sessions a remote worker is given at most (null: the gateway's limit). */
  capacity: number | null;
  pid: number | null;
  /** Up and taking sessions (unless draining). */
  ready: boolean;
  /** No new sessions are placed on it. */
  draining: boolean;
  sessions: number;
}

export interface BrowserLayer {
  readonly sessions: GatewaySessions;
  /** Whether the browser can take sessions now (readiness). */
  connected(): boolean;
  /** Starts (or warms) the browsers once the gateway listens on `ownPorts` (their proxies refuse them). */
  start(ownPorts: readonly number[]): void | Promise<void>;
  /** The browser workers and their load (absent for the in-process browser). */
  workers?(): WorkerStatus[];
  /** Stops (or resumes) placing new sessions on a worker; its sessions go on. False: no such worker. */
  drain?(workerId: number, draining: boolean): boolean;
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
  /** Where Chromium keeps its profile and temporary files (under `<dataDir>/run/`). */
  chromiumDirs?: { profile: string; home: string };
  /** A Chromium (or a worker) went away while the gateway was not closing; a replacement is being started. */
  onBrowserLost: (lost: { worker?: number; workerName?: string | null; sessions: number }) => void;
}

export type BrowserLayerFactory = (deps: BrowserLayerDeps) => Promise<BrowserLayer>;

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
    this.deps.onBrowserLost({ sessions: affected });
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
  const { config } = deps;
  let launches = 0;
  const launch = (ownPorts: () => readonly number[]) =>
    launchBrowserInstance({
      chromiumPath: config.chromiumPath,
      // A fresh profile per launch: a killed Chromium leaves its profile locked.
      ...(deps.chromiumDirs ? { runDir: { profile: `${deps.chromiumDirs.profile}-${++launches}`, home: deps.chromiumDirs.home } } : {}),
      proxyServer: denyAll.proxyServer,
      ownPorts,
      session: config.session,
      stream: config.stream,
      clipboard: config.clipboard,
      uploadEnabled: config.upload.enabled,
      print: config.download.print,
      egress: config.egress,
      limits: deps.limits,
      log: deps.log,
      audit: deps.audit,
      urlPolicy: deps.urlPolicy,
      metrics: deps.metrics,
      downloads: deps.downloads,
      onSessionEnded: (id) => rm(deps.sessionUploadDir(id), { recursive: true, force: true }),
    });
  let layer: LocalBrowser | null = null;
  try {
    layer = new LocalBrowser(await launch(() => layer?.ports ?? []), launch, deps, denyAll);
  } catch (err) {
    await denyAll.close();
    throw err;
  }
  return layer;
};

