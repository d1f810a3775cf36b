/**
 * Builds Kerberos single sign-on from the settings (called once by the composition
 * root) when KEKKAI_KERBEROS_KEYTAB is set: the acceptor (keytab checked at start:
 * a gateway that cannot use its keytab says so at once, not at the first sign-in),
 * the sign-in service on top of the directory, and the console's view of its state.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ExternalSignIn } from '../auth/external/external-sign-in.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { KerberosConfig } from '../config/kerberos-config.js';
import type { LdapDirectory } from '../directory/ldap-directory.js';
import type { Logger } from '../logging.js';
import { KerberosSignIn } from './kerberos-sign-in.js';
import { keytabState, SpnegoAcceptor, type KeytabState } from './spnego-acceptor.js';

export interface KerberosStatus {
  configured: boolean;
  servicePrincipal: string | null;
  realms: string[];
  /** Directory attribute holding the principal, or null: the login attribute holds the user part. */
  directoryAttribute: string | null;
  keytab: KeytabState | null;
  /** The service's credentials could be acquired from the keytab just now (null when not configured). */
  credentials: null | { ok: true } | { ok: false; detail: string };
}

export interface KerberosServices {
  signIn: KerberosSignIn | null;
  status(): Promise<KerberosStatus>;
}

const NOT_CONFIGURED: KerberosStatus = { configured: false, servicePrincipal: null, realms: [], directoryAttribute: null, keytab: null, credentials: null };

export async function openKerberos(
  config: KerberosConfig,
  deps: { directory: LdapDirectory | null; externalSignIn: ExternalSignIn; throttle: LoginThrottle; log: Logger; dataDir: string },
): Promise<KerberosServices> {
  if (!config.keytab || !config.servicePrincipal) return { signIn: null, status: async () => NOT_CONFIGURED };
  if (!deps.directory) throw new Error('KEKKAI_KERBEROS_KEYTAB needs a directory (KEKKAI_LDAP_URL)');
  const replayCacheDir = path.join(deps.dataDir, 'kerberos-rcache');
  mkdirSync(replayCacheDir, { recursive: true, mode: 0o700 });
  const acceptor = new SpnegoAcceptor(config.keytab, config.servicePrincipal, replayCacheDir);
  try {
    await acceptor.check();
  } catch (err) {
    throw new Error(`KEKKAI_KERBEROS_KEYTAB / KEKKAI_KERBEROS_SERVICE_PRINCIPAL: the keytab ${config.keytab} cannot be used for ${config.servicePrincipal}: ${(err as Error).message}`);
  }
  const signIn = new KerberosSignIn({
    acceptor,
    directory: deps.directory,
    external: deps.externalSignIn,
    throttle: deps.throttle,
    log: deps.log,
    realms: config.realms,
    directoryAttribute: config.directoryAttribute,
  });
  const { keytab, servicePrincipal, realms, directoryAttribute } = config;
  return {
    signIn,
    status: async () => {
      const credentials = await acceptor.check().then(
        () => ({ ok: true as const }),
        (err: unknown) => ({ ok: false as const, detail: (err as Error).message.slice(0, 300) }),
      );
      return { configured: true, servicePrincipal, realms: [...realms], directoryAttribute: directoryAttribute ?? null, keytab: keytabState(keytab), credentials };
    },
  };
}
