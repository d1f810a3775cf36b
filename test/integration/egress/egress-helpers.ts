/**
 * Helpers for the egress proxy tests: a fixture web server on loopback and raw clients
 * that speak to the proxy the way Chromium does (absolute-form requests and CONNECT).
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface Fixture {
  port: number;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** A web server on 127.0.0.1:0 that records requests and answers with a hop-by-hop header. */
export async function startFixture(): Promise<Fixture> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const body = `fixture says hello to ${req.url}`;
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body), 'X-Fixture': 'yes', 'Keep-Alive': 'timeout=5', 'Proxy-Authenticate': 'Basic' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** A port on 127.0.0.1 where nothing listens. */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function parseRaw(text: string): RawResponse {
  const split = text.indexOf('\r\n\r\n');
  const head = split === -1 ? text : text.slice(0, split);
  const body = split === -1 ? '' : text.slice(split + 4);
  const [statusLine, ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0), headers, body };
}

/** Sends raw bytes to the proxy and collects everything until the proxy closes. */
export function rawExchange(port: number, bytes: string, timeoutMs = 5000): Promise<RawResponse & { raw: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let data = '';
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`no close within ${timeoutMs} ms; got ${JSON.stringify(data)}`))), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (data += d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ ...parseRaw(data), raw: data });
    });
    socket.write(bytes, 'latin1');
  });
}

/** Opens a CONNECT tunnel; resolves with the status and, when 200, the tunnel socket. */
export function openTunnel(port: number, target: string): Promise<{ status: number; body: string; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => (socket.destroy(), reject(new Error('CONNECT got no answer'))), 5000);
    const onData = (chunk: Buffer): void => {
      data = Buffer.concat([data, chunk]);
      const text = data.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end === -1) return;
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      if (status !== 200) return; // wait for close to collect the body
      clearTimeout(timer);
      socket.off('data', onData);
      resolve({ status, body: '', socket });
    };
    socket.on('data', onData);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const r = parseRaw(data.toString('latin1'));
      resolve({ status: r.status, body: r.body, socket });
    });
    socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
  });
}

/** Sends one HTTP/1.1 request through an open tunnel and returns the response. */
export function requestThroughTunnel(socket: net.Socket, host: string, path: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let data = '';
    const timer = setTimeout(() => reject(new Error('no answer through tunnel')), 5000);
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (data += d));
    socket.on('close', () => (clearTimeout(timer), resolve(parseRaw(data))));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  });
}

/** A forward-proxy GET in absolute form. */
export function proxyGet(port: number, url: string, extraHeaders = ''): Promise<RawResponse & { raw: string }> {
  const host = new URL(url).host;
  return rawExchange(port, `GET ${url} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${extraHeaders}\r\n`);
}
