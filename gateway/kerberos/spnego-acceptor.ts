/**
 * The GSSAPI acceptor behind `Negotiate`, with the `kerberos` package (MIT krb5's
 * libgssapi). It verifies a client's SPNEGO token against the service keytab —
 * ticket decrypted with the service key, authenticator checked, clock skew and
 * replays refused by krb5 itself — and gives the client principal and the
 * mutual-authentication token to send back. One context per request, one leg.
 *
 * MIT krb5 finds the acceptor's keytab through KRB5_KTNAME, read at each credential
 * acquisition, and keeps its replay cache (authenticators already seen) in
 * KRB5RCACHEDIR — /var/tmp by default, read-only in kekkai's containers — so both are
 * set here once, for this process: the keytab from the setting, the replay cache in the
 * data directory.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as KerberosLib from 'kerberos';
import { hostBasedService } from './kerberos-principal.js';

// The package is a native CommonJS addon; loaded lazily so a gateway without Kerberos never needs it.
const require = createRequire(import.meta.url);
let lib: typeof KerberosLib | null = null;
function kerberos(): typeof KerberosLib {
  lib ??= require('kerberos') as typeof KerberosLib;
  return lib;
}

/** How long one verification may take (it is local: keytab and replay cache, no KDC). */
const ACCEPT_DEADLINE_MS = 5_000;

export class GssapiError extends Error {
  constructor(
    /** `unavailable`: the keytab or the service credentials cannot be used; `rejected`: the client's token failed. */
    readonly problem: 'unavailable' | 'rejected',
    detail: string,
  ) {
    super(detail);
  }
}

export interface Accepted {
  /** The client principal as GSSAPI displays it, e.g. tanaka@HOSPITAL.LOCAL. */
  principal: string;
  /** Base64 token for `WWW-Authenticate: Negotiate …` (mutual authentication), when GSSAPI gave one. */
  responseToken: string | null;
}

export interface KeytabState {
  path: string;
  readable: boolean;
  bytes: number | null;
  problem: string | null;
}

/** Whether the keytab file is there and readable by this process (the console shows it; never its contents). */
export function keytabState(path: string): KeytabState {
  try {
    accessSync(path, constants.R_OK);
    const { size } = statSync(path);
    return { path, readable: size > 0, bytes: size, problem: size > 0 ? null : 'empty' };
  } catch (err) {
    return { path, readable: false, bytes: null, problem: (err as NodeJS.ErrnoException).code ?? 'unreadable' };
  }
}

function withDeadline<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GssapiError('unavailable', `GSSAPI did not answer within ${ACCEPT_DEADLINE_MS} ms`)), ACCEPT_DEADLINE_MS);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export class SpnegoAcceptor {
  private readonly service: string;

  constructor(
    readonly keytab: string,
    readonly servicePrincipal: string,
    /** Directory for krb5's replay cache (created 0700 by the caller). */
    replayCacheDir: string,
  ) {
    this.service = hostBasedService(servicePrincipal);
    process.env.KRB5_KTNAME = `FILE:${keytab}`;
    process.env.KRB5RCACHEDIR = replayCacheDir;
  }

  /** Loads the library and acquires the service's credentials from the keytab: a broken setup shows at start. */
  async check(): Promise<void> {
    await this.credentials();
  }

  private async credentials(): Promise<KerberosLib.KerberosServer> {
    try {
      return await kerberos().initializeServer(this.service);
    } catch (err) {
      throw new GssapiError('unavailable', (err as Error).message);
    }
  }

  /** Verifies one client token; GssapiError when it is not a valid ticket for this service. */
  async accept(token: string): Promise<Accepted> {
    return withDeadline(
      (async () => {
        const server = await this.credentials();
        try {
          await server.step(token);
        } catch (err) {
          throw new GssapiError('rejected', (err as Error).message);
        }
        // The library marks every step complete; an empty name means GSSAPI wants another leg, which kekkai does not do.
        if (!server.contextComplete || !server.username) throw new GssapiError('rejected', 'the security context is not complete');
        return { principal: server.username, responseToken: server.response || null };
      })(),
    );
  }
}
