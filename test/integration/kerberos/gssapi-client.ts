/**
 * The client side of Negotiate for the tests, with the same `kerberos` package the
 * gateway uses (MIT libgssapi): a SPNEGO token for HTTP@kekkai.test from a user's
 * credential cache, as a browser on a domain-joined PC makes it. The cache and the
 * realm's krb5.conf are process-wide in MIT krb5 (KRB5CCNAME, KRB5_CONFIG): set here
 * for each token; the tests of one file run one after another.
 */
import { createRequire } from 'node:module';
import type * as KerberosLib from 'kerberos';
import { SERVICE_HOST, type Kdc } from './kdc-harness.js';

const kerberos = createRequire(import.meta.url)('kerberos') as typeof KerberosLib;

export async function negotiateToken(kdc: Kdc, ccache: string, service = `HTTP@${SERVICE_HOST}`): Promise<string> {
  Object.assign(process.env, kdc.env(ccache));
  const client = await kerberos.initializeClient(service, { mechOID: kerberos.GSS_MECH_OID_SPNEGO, gssFlag: kerberos.GSS_C_MUTUAL_FLAG });
  return client.step('');
}
