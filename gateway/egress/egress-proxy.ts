/**
 * kekkai's egress proxy: every request of the remote Chromium goes through it
 * (`--proxy-server`). It serves absolute-form HTTP requests and CONNECT tunnels on
 * 127.0.0.1, resolves names itself, checks every resolved address (see egress-decision.ts)
 * and then connects to the checked address, never re-resolving, which defeats DNS rebinding.
 * Only connections from the gateway's own uid are served (peer-owner.ts); others are
 * closed without an answer.
 */
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import { canonicalAddress } from '../../policies/index.js';
import { checkDestination, egressRequestOf, parseAllowList, type Decision, type DecisionDeps, type EgressRequest, type HookDecision, type OwnEndpoint } from './egress-decision.js';
import { filterHeaders } from './forward-headers.js';
import { isOwnUidPeer } from './peer-owner.js';
import { parseConnectTarget, parseForwardTarget, type ProxyTarget } from './request-target.js';
import type { Logger } from '../logging.js';

export type { EgressRequest, HookDecision, OwnEndpoint } from './egress-decision.js';

/** One decision, for the audit log. */
export interface EgressDecisionEvent {
  readonly kind: 'http' | 'connect';
  readonly host: string;
  readonly port: number;
  readonly path?: string;
  readonly addresses: readonly string[];
  readonly allowed: boolean;
  readonly code: Decision['code'];
  readonly reason: string;
}

/** Options of {@link startEgressProxy}. */
export interface EgressProxyOptions {
  /** CIDR blocks admins allow-listed (`egress.allowPrivate`). Invalid entries make start-up fail. */
  readonly allowPrivate?: readonly string[];
  /** Destination ports allowed; default [80, 443]. */
  readonly allowedPorts?: readonly number[];
  /** The gateway's own listening endpoints; always refused. The proxy adds its own port. */
  readonly ownEndpoints?: readonly OwnEndpoint[];
  /** Name resolution; default `dns.lookup` with all addresses. */
  readonly resolve?: (host: string) => Promise<string[]>;
  /** URL policy on top of the address checks. */
  readonly decide?: (req: EgressRequest) => HookDecision | Promise<HookDecision>;
  /** Called once per decision, allowed or not. */
  readonly onDecision?: (event: EgressDecisionEvent) => void;
  readonly logger?: Logger;
  /** Listen address; default 127.0.0.1. */
  readonly host?: string;
  /** Listen port; default 0 (any free port). */
  readonly port?: number;
  /** Time allowed to connect upstream; default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Time allowed for name resolution; default 5 s. */
  readonly resolveTimeoutMs?: number;
  /** Idle time after which a tunnel or upstream response is cut; default 5 min. */
  readonly idleTimeoutMs?: number;
  /** Which client connections are served; default: those from this process's uid. */
  readonly acceptPeer?: (socket: net.Socket) => Promise<boolean>;
}

/** A running proxy. */
export interface EgressProxy {
  readonly host: string;
  readonly port: number;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

async function defaultResolve(host: string): Promise<string[]> {
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((a) => a.address);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} timed out`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

function localInterfaceAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      const c = canonicalAddress(a.address);
      if (c) out.add(c);
    }
  }
  return out;
}

/** Connects to the first checked address that answers, trying the next on failure. */
function connectAny(addresses: readonly string[], port: number, timeoutMs: number, track: (s: net.Socket) => void): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    let i = 0;
    const next = (lastError: Error | null): void => {
      const address = addresses[i++];
      if (address === undefined) return reject(lastError ?? new Error('no address'));
      const socket = net.connect({ host: address, port });
      track(socket);
      const timer = setTimeout(() => socket.destroy(new Error(`connect to ${address}:${port} timed out`)), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        socket.destroy();
        next(err);
      });
    };
    next(null);
  });
}

function plainResponse(status: number, statusText: string, body: string): string {
  const bytes = Buffer.byteLength(body);
  return `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${bytes}\r\nConnection: close\r\n\r\n${body}`;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 502: 'Bad Gateway' };

function refuseSocket(socket: Duplex, status: 400 | 403 | 502, message: string): void {
  if (socket.writable) socket.end(plainResponse(status, STATUS_TEXT[status] ?? 'Error', `kekkai egress proxy: ${message}\n`));
  setTimeout(() => socket.destroy(), 1000).unref();
}

function refuseResponse(res: http.ServerResponse, status: 400 | 403 | 502, message: string): void {
  if (res.headersSent) return void res.destroy();
  const body = `kekkai egress proxy: ${message}\n`;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
  res.end(body);
}

/**
 * The destination checks' dependencies as the proxy builds them from its options (without
 * the `decide` hook). The admin console's URL test builds them with this too
 * (egress-preview.ts), so both check the same ports, addresses and endpoints alike.
 */
export function egressDecisionDeps(options: Pick<EgressProxyOptions, 'allowPrivate' | 'allowedPorts' | 'ownEndpoints' | 'resolve' | 'resolveTimeoutMs'>): Omit<DecisionDeps, 'decide'> {
  const resolve = options.resolve ?? defaultResolve;
  const resolveTimeoutMs = options.resolveTimeoutMs ?? 5_000;
  return {
    allowPrivate: parseAllowList(options.allowPrivate ?? []),
    allowedPorts: new Set(options.allowedPorts ?? [80, 443]),
    ownEndpoints: options.ownEndpoints ?? [],
    localAddresses: localInterfaceAddresses(),
    resolve: (host) => withTimeout(resolve(host), resolveTimeoutMs, 'name resolution'),
  };
}

/** Starts the egress proxy on 127.0.0.1 (port 0 by default) and resolves once it listens. */
export async function startEgressProxy(options: EgressProxyOptions = {}): Promise<EgressProxy> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
  const ownEndpoints: OwnEndpoint[] = [...(options.ownEndpoints ?? [])];
  const deps: DecisionDeps = { ...egressDecisionDeps({ ...options, ownEndpoints }), ...(options.decide ? { decide: options.decide } : {}) };
  const sockets = new Set<net.Socket | Duplex>();
  const track = (s: net.Socket | Duplex): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };

  const decideFor = async (kind: 'http' | 'connect', target: ProxyTarget): Promise<Decision> => {
    const req = egressRequestOf(kind, target);
    const decision = await checkDestination(req, target.isIp, deps);
    const event: EgressDecisionEvent = { kind, ...req, addresses: decision.addresses, allowed: decision.allowed, code: decision.code, reason: decision.reason };
    try {
      options.onDecision?.(event);
    } catch (err) {
      options.logger?.warn({ err }, 'egress onDecision hook threw');
    }
    if (!decision.allowed) options.logger?.info({ component: 'egress', ...event }, 'egress refused');
    return decision;
  };

  // Each connection's owner is checked once, at accept; nothing on it is answered
  // before the check passes, and a refused connection is closed without a word.
  const acceptPeer = options.acceptPeer ?? isOwnUidPeer;
  const accepted = new WeakMap<object, Promise<boolean>>();
  const whenAccepted = (socket: Duplex, serve: () => void): void => {
    void (accepted.get(socket) ?? Promise.resolve(false)).then((ok) => (ok ? serve() : socket.destroy()));
  };

  const server = http.createServer({ requestTimeout: 60_000, headersTimeout: 30_000 });
  server.on('connection', (s: net.Socket) => {
    track(s);
    s.on('error', () => s.destroy());
    const check = acceptPeer(s).catch(() => false);
    accepted.set(s, check);
    void check.then((ok) => {
      if (ok) return;
      options.logger?.warn({ component: 'egress', peerPort: s.remotePort }, 'egress connection from another user refused');
      s.destroy();
    });
  });
  server.on('clientError', (_err, socket) => whenAccepted(socket, () => refuseSocket(socket, 400, 'malformed request')));
  server.on('upgrade', (_req, socket) => {
    socket.on('error', () => socket.destroy());
    whenAccepted(socket, () => refuseSocket(socket, 400, 'use CONNECT for WebSocket and TLS'));
  });
  server.on('connect', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    whenAccepted(socket, () =>
      handleConnect(req, socket, head).catch((err: unknown) => {
        options.logger?.warn({ err }, 'egress CONNECT failed');
        refuseSocket(socket, 502, 'internal error');
      }),
    );
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    whenAccepted(req.socket, () =>
      handleForward(req, res).catch((err: unknown) => {
        options.logger?.warn({ err }, 'egress request failed');
        refuseResponse(res, 502, 'internal error');
      }),
    );
  });

  async function handleConnect(req: http.IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    const target = parseConnectTarget(req.url);
    if (!target) return refuseSocket(client, 400, 'CONNECT needs host:port');
    const decision = await decideFor('connect', target);
    if (!decision.allowed) return refuseSocket(client, decision.status === 502 ? 502 : 403, decision.reason);
    if (client.destroyed) return;
    let upstream: net.Socket;
    try {
      upstream = await connectAny(decision.addresses, target.port, connectTimeoutMs, track);
    } catch {
      return refuseSocket(client, 502, `cannot connect to ${target.host}:${target.port}`);
    }
    if (client.destroyed) return void upstream.destroy();
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.setTimeout(idleTimeoutMs, () => (upstream.destroy(), client.destroy()));
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  async function handleForward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    req.on('error', () => res.destroy());
    const target = parseForwardTarget(req.url);
    if (!target) return refuseResponse(res, 400, 'only absolute-form http:// requests and CONNECT are served');
    const decision = await decideFor('http', target);
    if (!decision.allowed) return refuseResponse(res, decision.status === 502 ? 502 : 403, decision.reason);
    let socket: net.Socket;
    try {
      socket = await connectAny(decision.addresses, target.port, connectTimeoutMs, track);
    } catch {
      return refuseResponse(res, 502, `cannot connect to ${target.host}:${target.port}`);
    }
    if (res.destroyed) return void socket.destroy();
    const headers = ['Host', target.authority ?? target.host, ...filterHeaders(req.rawHeaders, new Set(['host']))];
    const upstream = http.request({
      method: req.method,
      path: target.path,
      headers,
      setHost: false,
      // No agent: the request must run on the socket we connected to the checked address.
      createConnection: () => socket,
      timeout: idleTimeoutMs,
    });
    upstream.on('timeout', () => upstream.destroy(new Error('upstream idle timeout')));
    upstream.on('error', (err) => (options.logger?.warn({ err, host: target.host }, 'egress upstream request failed'), res.headersSent ? res.destroy() : refuseResponse(res, 502, `${target.host} did not answer`)));
    upstream.on('response', (up) => {
      up.on('error', () => res.destroy());
      const rawOut = filterHeaders(up.rawHeaders);
      res.writeHead(up.statusCode ?? 502, up.statusMessage, rawOut);
      up.pipe(res);
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  server.on('error', (err) => options.logger?.warn({ err }, 'egress proxy server error'));
  const address = server.address() as net.AddressInfo;
  // The proxy must never be a way into itself.
  ownEndpoints.push({ port: address.port });

  return {
    host,
    port: address.port,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      }),
  };
}
