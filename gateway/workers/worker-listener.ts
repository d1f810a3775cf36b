/**
 * The control plane's listener for remote browser workers (docs/workers.md), on its
 * own port (KEKKAI_WORKER_LISTEN), apart from the users' HTTPS:
 *
 * - `POST /join` — a worker with a join token and a certificate request gets a client
 *   certificate signed by the worker CA; the token proves the operator let it in.
 * - `GET /connect` — the WebSocket a worker works over; only with a client certificate
 *   this CA issued to a worker that is not revoked. Everything else is refused and
 *   audited (`worker-refused`).
 *
 * TLS asks every peer for a certificate but lets those without one reach `/join`;
 * `/connect` checks the verified chain itself.
 */
import type { TLSSocket } from 'node:tls';
import fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import type { Logger } from '../logging.js';
import { MAX_WORKER_JSON } from '../../protocol/worker-wire.js';
import { MAX_FRAME_BYTES } from '../../protocol/worker-messages.js';
import { checkJoinToken } from './join-token.js';
import { issueListenerCert, issueWorkerCert, sha256Hex, type WorkerCa } from './worker-ca.js';
import type { WorkerRegistry } from './worker-registry.js';
import { SocketLink, type WorkerLink } from './worker-link.js';

const JoinRequest = z
  .object({
    token: z.string().max(200),
    csr: z.string().max(16_384),
    host: z.string().regex(/^[A-Za-z0-9._-]{1,253}$/).optional(),
  })
  .strict();

/** Refusals audited per minute at most; more are counted in the log (a flood must not flood the audit log). */
const REFUSAL_AUDITS_PER_MINUTE = 30;
/** Open connections to the worker listener at most (workers plus a margin). */
const MAX_CONNECTIONS = 2000;
/** Join attempts per source address per minute (each costs an RSA signature). */
const JOINS_PER_MINUTE = 20;
/** Close code for a worker that sent what no worker sends. */
const CLOSE_PROTOCOL = 4400;

export interface WorkerListenerDeps {
  ca: WorkerCa;
  hostnames: readonly string[];
  registry: WorkerRegistry;
  audit: AuditLog;
  log: Logger;
  /** Hands an authenticated worker's connection to the worker pool. */
  attach(link: WorkerLink): void;
}

export interface WorkerListener {
  readonly port: number;
  close(): Promise<void>;
}

export async function startWorkerListener(deps: WorkerListenerDeps, listen: { host: string; port: number }): Promise<WorkerListener> {
  const serverCert = await issueListenerCert(deps.ca, deps.hostnames);
  const app = fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    // Idle or slow peers are dropped: only workers belong here, and they are quick.
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
    // Both ends are kekkai: TLS 1.3 only, so the worker's certificate never crosses in the clear.
    https: { key: serverCert.keyPem, cert: serverCert.certPem, ca: [deps.ca.certPem], requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.3' },
  });
  app.server.maxConnections = MAX_CONNECTIONS;
  // Nothing a worker sends is larger than a frame plus its header (chunks are 1 MiB).
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_WORKER_JSON + MAX_FRAME_BYTES + 1024 } });
  const refusals = refusalAuditor(deps);
  routes(app, deps, refusals);
  await app.listen({ host: listen.host, port: listen.port });
  const port = (app.server.address() as { port: number }).port;
  deps.log.info({ component: 'workers', host: listen.host, port, ca: deps.ca.fingerprint }, 'listening for remote browser workers');
  return { port, close: () => app.close() };
}

function routes(app: FastifyInstance, deps: WorkerListenerDeps, refuse: (req: FastifyRequest, reason: string, extra?: Record<string, string>) => void): void {
  const joins = new Map<string, { start: number; count: number }>();
  app.post('/join', async (req, reply) => {
    const now = Date.now();
    const seen = joins.get(req.ip);
    const window = seen && now - seen.start < 60_000 ? seen : { start: now, count: 0 };
    window.count += 1;
    joins.set(req.ip, window);
    if (joins.size > 10_000) joins.clear();
    if (window.count > JOINS_PER_MINUTE) {
      refuse(req, 'join-rate');
      return reply.code(429).send({ error: 'rate-limited', message: 'too many join attempts; wait a minute' });
    }
    const body = JoinRequest.safeParse(req.body);
    if (!body.success) {
      refuse(req, 'malformed-join');
      return reply.code(400).send({ error: 'bad-request', message: 'join request must be {token, csr, host?}' });
    }
    const token = checkJoinToken(deps.ca, body.data.token, (id) => deps.registry.isTokenRevoked(id));
    if (!token.ok) {
      refuse(req, `token-${token.reason}`, token.id ? { joinId: token.id } : {});
      return reply.code(401).send({ error: 'refused', message: `join token ${token.reason}` });
    }
    const name = `worker-${randomBytes(6).toString('hex')}`;
    let issued;
    try {
      issued = issueWorkerCert(deps.ca, body.data.csr, name);
    } catch (err) {
      refuse(req, 'bad-csr', { joinId: token.id });
      return reply.code(400).send({ error: 'bad-request', message: (err as Error).message });
    }
    deps.registry.add({ name, fingerprint: issued.fingerprint, serial: issued.serial, joinedAt: new Date().toISOString(), joinedFrom: req.ip, tokenId: token.id });
    deps.audit.record({
      userId: null,
      userName: null,
      sourceIp: req.ip,
      event: 'worker-joined',
      outcome: 'success',
      details: { worker: name, host: body.data.host ?? null, joinId: token.id, certificateSha256: issued.fingerprint },
    });
    deps.log.info({ component: 'workers', worker: name, address: req.ip }, 'remote browser worker joined');
    return { name, certificate: issued.certPem, ca: deps.ca.certPem };
  });

  app.get(
    '/connect',
    {
      websocket: true,
      preValidation: async (req, reply) => {
        const socket = req.raw.socket as TLSSocket;
        const peer = socket.getPeerCertificate?.();
        if (!peer || !peer.raw) {
          refuse(req, 'no-certificate');
          return reply.code(401).send({ error: 'refused', message: 'a worker certificate is required' });
        }
        if (!socket.authorized) {
          refuse(req, 'untrusted-certificate', { detail: String(socket.authorizationError ?? 'unknown') });
          return reply.code(401).send({ error: 'refused', message: 'certificate not issued by this control plane' });
        }
        const record = deps.registry.activeByFingerprint(sha256Hex(peer.raw));
        if (!record) {
          refuse(req, 'unknown-or-revoked-worker');
          return reply.code(401).send({ error: 'refused', message: 'this worker is revoked or unknown' });
        }
        (req as FastifyRequest & { workerName?: string }).workerName = record.name;
      },
    },
    (socket, req) => {
      const name = (req as FastifyRequest & { workerName?: string }).workerName!;
      deps.registry.seen(name, new Date());
      const link = new SocketLink(socket, name, req.ip, (why) => {
        deps.log.warn({ component: 'workers', worker: name, why }, 'remote worker misbehaved; closing its connection');
        socket.close(CLOSE_PROTOCOL, why.slice(0, 60));
      });
      deps.log.info({ component: 'workers', worker: name, address: req.ip }, 'remote browser worker connected');
      deps.attach(link);
    },
  );
}

function refusalAuditor(deps: WorkerListenerDeps): (req: FastifyRequest, reason: string, extra?: Record<string, string>) => void {
  let windowStart = Date.now();
  let audited = 0;
  let suppressed = 0;
  return (req, reason, extra = {}) => {
    const now = Date.now();
    if (now - windowStart >= 60_000) {
      if (suppressed > 0) deps.log.warn({ component: 'workers', suppressed }, 'remote worker refusals over the audit rate; counted here only');
      windowStart = now;
      audited = 0;
      suppressed = 0;
    }
    deps.log.warn({ component: 'workers', address: req.ip, reason }, 'remote browser worker refused');
    if (audited >= REFUSAL_AUDITS_PER_MINUTE) {
      suppressed++;
      return;
    }
    audited++;
    deps.audit.record({ userId: null, userName: null, sourceIp: req.ip, event: 'worker-refused', outcome: 'blocked', details: { reason, path: req.url.slice(0, 64), ...extra } });
  };
}
