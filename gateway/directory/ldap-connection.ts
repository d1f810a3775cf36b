/**
 * Connections to the directory with ldapts: LDAPS or StartTLS with the certificate
 * checked against the configured CA (plain ldap:// only when explicitly allowed),
 * a timeout on the connection and on every request, and a deadline on the whole
 * exchange so a server that accepts and then says nothing cannot hold a sign-in.
 * Servers are tried in order; the first that answers is used.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, InvalidCredentialsError } from 'ldapts';
import type { LdapSettings } from './ldap-settings.js';

/** Why the directory could not be used; shown to admins (test connection) and logged, never to staff. */
export type DirectoryProblem = 'unreachable' | 'tls' | 'timeout' | 'service-bind' | 'protocol';

export class DirectoryError extends Error {
  constructor(
    readonly problem: DirectoryProblem,
    message: string,
    readonly url?: string,
  ) {
    super(message);
  }
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL|EPROTO|HOSTNAME|ALTNAME/;

/** Sorts an error of ldapts, node:net or node:tls into a problem kind. */
export function classify(err: unknown, url?: string): DirectoryError {
  if (err instanceof DirectoryError) return err;
  const e = err as { code?: unknown; message?: string };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = e.message ?? String(err);
  if (err instanceof InvalidCredentialsError) return new DirectoryError('service-bind', 'the service account was refused (bind DN or password wrong)', url);
  if (TLS_CODES.test(code) || /certificate|TLS|SSL/i.test(message)) return new DirectoryError('tls', `TLS: ${code || message}`, url);
  if (/timed? ?out|Timeout/i.test(message) || code === 'ETIMEDOUT') return new DirectoryError('timeout', message, url);
  if (/^E[A-Z]+$/.test(code) || /Socket|Connection closed|connect/i.test(message)) return new DirectoryError('unreachable', code || message, url);
  return new DirectoryError('protocol', message, url);
}

/** Rejects with a timeout when `work` takes longer than `ms`, after calling `onTimeout` (closes the socket). */
export async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new DirectoryError('timeout', `no answer within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function tlsOptions(settings: LdapSettings, host: string): ConnectionOptions {
  const ca = settings.caFile ? readFileSync(settings.caFile) : undefined;
  // SNI takes names only; node checks an IP address against the certificate's IP SANs via `host`.
  return { ...(ca ? { ca } : {}), rejectUnauthorized: true, minVersion: 'TLSv1.2', host, ...(isIP(host) ? {} : { servername: host }) };
}

/** An open connection, bound as the service account. */
export interface DirectoryConnection {
  client: Client;
  url: string;
  /** Binds again as the service account (after checking a user's password on the same connection). */
  rebindService(): Promise<void>;
  close(): Promise<void>;
}

async function openOne(settings: LdapSettings, url: string): Promise<DirectoryConnection> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const secure = url.startsWith('ldaps://');
  // ldapts connects with TLS whenever tlsOptions are given, so ldap:// gets them only at StartTLS.
  const client = new Client({ url, timeout: settings.timeoutMs, connectTimeout: settings.timeoutMs, strictDN: false, ...(secure ? { tlsOptions: tlsOptions(settings, host) } : {}) });
  const close = async () => {
    await client.unbind().catch(() => undefined);
  };
  const bindService = () => client.bind(settings.bindDn, settings.bindPassword());
  try {
    await withDeadline(
      (async () => {
        if (!secure && settings.startTls) await client.startTLS(tlsOptions(settings, host));
        await bindService();
      })(),
      settings.timeoutMs * 2,
      () => void close(),
    );
  } catch (err) {
    await close();
    throw classify(err, url);
  }
  return { client, url, rebindService: bindService, close };
}

/** Connects to the first server that answers and binds as the service account. */
export async function openDirectoryConnection(settings: LdapSettings): Promise<DirectoryConnection> {
  let last: DirectoryError | undefined;
  for (const url of settings.urls) {
    try {
      return await openOne(settings, url);
    } catch (err) {
      last = classify(err, url);
      // The same service account everywhere: a refused bind will not work on the next server either.
      if (last.problem === 'service-bind') throw last;
    }
  }
  throw last ?? new DirectoryError('unreachable', 'no directory server configured');
}
