/**
 * Remote browser workers as the control plane's service (docs/workers.md): the worker
 * CA, the registry of workers that joined, and the mutual-TLS listener. Built by the
 * composition root when KEKKAI_WORKER_LISTEN is set; the admin console lists and
 * revokes workers through it.
 */
import os from 'node:os';
import path from 'node:path';
import type { AuditLog } from '../audit/audit-log.js';
import type { Config } from '../config/config-schema.js';
import type { ParentLogger } from '../logging.js';
import type { Actor } from '../actor.js';
import { loadWorkerCa, type WorkerCa } from './worker-ca.js';
import { startWorkerListener, type WorkerListener } from './worker-listener.js';
import type { RemoteWorkerRecord, WorkerRegistry } from './worker-registry.js';
import type { WorkerLink } from './worker-link.js';

export function workerCaDir(config: Readonly<Config>): string {
  return config.remoteWorkers.caDir ?? path.join(config.dataDir, 'worker-ca');
}

export function defaultListenerHostnames(): string[] {
  return [...new Set([os.hostname(), 'localhost', '127.0.0.1', '::1'].filter(Boolean))];
}

/** What the pool offers the listener: a place for authenticated workers, and cutting one off. */
export interface RemoteWorkerHost {
  attachRemote(link: WorkerLink): number;
  disconnectRemote(name: string): boolean;
  connectedRemoteNames(): string[];
}

/** How often connected workers are checked against revocations made elsewhere (CLI). */
const REVOCATION_CHECK_MS = 3000;

export class RemoteWorkers {
  private listener: WorkerListener | null = null;
  private ca: WorkerCa | null = null;

  constructor(
    private readonly config: Readonly<Config>,
    private readonly registry: WorkerRegistry,
    private readonly audit: AuditLog,
    private readonly log: ParentLogger,
  ) {}

  /** Starts the listener (the CA is made at first start when missing). */
  async start(host: RemoteWorkerHost): Promise<void> {
    const listen = this.config.remoteWorkers.listen;
    if (!listen || this.listener) return;
    this.ca = await loadWorkerCa(workerCaDir(this.config), { create: true });
    const hostnames = this.config.remoteWorkers.hostnames.length > 0 ? this.config.remoteWorkers.hostnames : defaultListenerHostnames();
    this.listener = await startWorkerListener(
      { ca: this.ca, hostnames, registry: this.registry, audit: this.audit, log: this.log, attach: (link) => void host.attachRemote(link) },
      listen,
    );
    this.disconnect = (name) => host.disconnectRemote(name);
    this.revocationTimer = setInterval(() => {
      const connected = host.connectedRemoteNames();
      if (connected.length === 0) return;
      const revoked = this.registry.revokedNames();
      for (const name of connected) {
        if (revoked.has(name)) {
          this.log.warn({ component: 'workers', worker: name }, 'connected worker was revoked; cutting it off');
          host.disconnectRemote(name);
        }
      }
    }, REVOCATION_CHECK_MS);
    this.revocationTimer.unref();
  }

  private revocationTimer: NodeJS.Timeout | null = null;

  private disconnect: (name: string) => boolean = () => false;

  /** The listener's port (tests bind port 0), or null when remote workers are off. */
  port(): number | null {
    return this.listener?.port ?? null;
  }

  caFingerprint(): string | null {
    return this.ca?.fingerprint ?? null;
  }

  list(): RemoteWorkerRecord[] {
    return this.registry.list();
  }

  /** Refuses the worker's certificate from now on and cuts its connection (its sessions end like a crash). */
  revoke(name: string, actor: Pick<Actor, 'id' | 'name' | 'role' | 'sourceIp'> | null): boolean {
    if (!this.registry.revoke(name, new Date())) return false;
    const connected = this.disconnect(name);
    this.audit.record({
      userId: actor?.id ?? null,
      userName: actor?.name ?? null,
      role: actor?.role ?? null,
      sourceIp: actor?.sourceIp ?? null,
      event: 'worker-revoked',
      outcome: 'success',
      details: { worker: name, wasConnected: connected },
    });
    return true;
  }

  async close(): Promise<void> {
    if (this.revocationTimer) clearInterval(this.revocationTimer);
    await this.listener?.close();
    this.listener = null;
  }
}
