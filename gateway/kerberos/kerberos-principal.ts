/**
 * Kerberos principals as GSSAPI names them after a ticket was verified
 * (`tanaka@HOSPITAL.LOCAL`), and the Negotiate header around the token. Pure
 * functions: which principals kekkai admits (one component — a person, not
 * `host/pc01` — of an allowed realm) and what a header may carry.
 */

/** Longest Authorization header value taken (Node refuses headers beyond 16 KiB anyway). */
export const MAX_NEGOTIATE_HEADER = 16 * 1024;

export interface Principal {
  /** The user part (AD: the sAMAccountName). */
  name: string;
  realm: string;
}

export type PrincipalProblem = 'kerberos-principal-invalid' | 'kerberos-realm-not-allowed';

/**
 * The person behind a verified principal, or why kekkai does not let them in.
 * Realms compare exactly (Kerberos realms are case-sensitive; AD's are capitals).
 */
export function admitPrincipal(text: string, allowedRealms: readonly string[]): { principal: Principal } | { problem: PrincipalProblem } {
  const at = text.lastIndexOf('@');
  if (at <= 0 || text.length > 512) return { problem: 'kerberos-principal-invalid' };
  const name = text.slice(0, at);
  const realm = text.slice(at + 1);
  // An escaped or second component (`host/pc01`, `a\@b`) is a service or a machine, not a person.
  // eslint-disable-next-line no-control-regex
  if (!realm || /[/\\@\u0000-\u001f\u007f]/.test(name) || name.length > 256) return { problem: 'kerberos-principal-invalid' };
  if (!allowedRealms.includes(realm)) return { problem: 'kerberos-realm-not-allowed' };
  return { principal: { name, realm } };
}

export type NegotiateHeader = { kind: 'none' } | { kind: 'token'; token: string } | { kind: 'ntlm' } | { kind: 'invalid'; why: 'too-large' | 'not-negotiate' | 'not-base64' };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** "NTLMSSP\0" in base64: what Windows offers in Negotiate when it has no Kerberos ticket. */
const NTLM_PREFIX = 'TlRMTVNTUA';

/** What an Authorization header offers: nothing, a SPNEGO/Kerberos token, NTLM, or something unusable. */
export function readNegotiateHeader(header: string | undefined): NegotiateHeader {
  if (header === undefined || header === '') return { kind: 'none' };
  if (header.length > MAX_NEGOTIATE_HEADER) return { kind: 'invalid', why: 'too-large' };
  const m = /^Negotiate +(\S+)\s*$/i.exec(header);
  if (!m) return { kind: 'invalid', why: 'not-negotiate' };
  const token = m[1]!;
  if (!BASE64.test(token) || token.length % 4 !== 0) return { kind: 'invalid', why: 'not-base64' };
  if (token.startsWith(NTLM_PREFIX)) return { kind: 'ntlm' };
  return { kind: 'token', token };
}

/** `HTTP/host[@REALM]` → the host-based service name GSSAPI takes (`HTTP@host`). */
export function hostBasedService(servicePrincipal: string): string {
  const m = /^([^/@]+)\/([^@]+)(?:@.*)?$/.exec(servicePrincipal);
  if (!m) throw new Error(`not a service principal: ${servicePrincipal}`);
  return `${m[1]}@${m[2]}`;
}
