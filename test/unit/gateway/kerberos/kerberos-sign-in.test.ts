/**
 * KerberosSignIn's decisions with fakes for GSSAPI, the directory and the completion
 * path (the real ones: test/integration/kerberos/): it fails closed on every error,
 * never reaches the directory for a refused principal, and counts only the person's
 * failures in the throttle — not a broken keytab or directory.
 */
import { describe, expect, it } from 'vitest';
import type { ExternalIdentity } from '../../../../gateway/auth/external/external-identity.js';
import { LoginThrottle } from '../../../../gateway/auth/login-throttle.js';
import { KerberosSignIn } from '../../../../gateway/kerberos/kerberos-sign-in.js';
import { GssapiError } from '../../../../gateway/kerberos/spnego-acceptor.js';

const identity: ExternalIdentity = { source: 'ldap', externalId: 'e-1', loginName: 'tanaka', displayName: '田中', groups: [], department: '', jobTitle: '', mfa: false, disabled: false };
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function make(opts: { accept?: () => Promise<{ principal: string; responseToken: string | null }>; lookup?: (a: string, v: string) => Promise<ExternalIdentity | null>; attribute?: string } = {}) {
  const lookups: string[] = [];
  const completed: string[] = [];
  const throttle = new LoginThrottle({ maxPerNameAtAddress: 2 });
  const signIn = new KerberosSignIn({
    acceptor: { accept: opts.accept ?? (async () => ({ principal: 'tanaka@HOSPITAL.LOCAL', responseToken: 'bXV0dWFs' })) },
    directory: {
      settings: { loginAttribute: 'sAMAccountName' } as never,
      lookupBy: async (a, v) => {
        lookups.push(`${a}=${v}`);
        return opts.lookup ? opts.lookup(a, v) : identity;
      },
    },
    external: {
      complete: async (i) => {
        completed.push(i.loginName);
        return { failure: 'no-mapped-group' };
      },
    },
    throttle,
    log: quiet,
    realms: ['HOSPITAL.LOCAL'],
    directoryAttribute: opts.attribute,
  });
  return { signIn, lookups, completed, throttle };
}

describe('KerberosSignIn', () => {
  it('challenges when no header is offered, touching nothing', async () => {
    const { signIn, lookups } = make();
    expect(await signIn.signIn(undefined, '10.0.0.1')).toEqual({ kind: 'challenge' });
    expect(lookups).toEqual([]);
  });

  it('looks the user part up as the login attribute, or the whole principal in the named attribute, and completes', async () => {
    const plain = make();
    const outcome = await plain.signIn.signIn('Negotiate YIIC', '10.0.0.1');
    expect(outcome).toMatchObject({ kind: 'result', principal: 'tanaka@HOSPITAL.LOCAL', responseToken: 'bXV0dWFs', result: { failure: 'no-mapped-group' } });
    expect(plain.lookups).toEqual(['sAMAccountName=tanaka']);
    expect(plain.completed).toEqual(['tanaka']);
    const upn = make({ attribute: 'userPrincipalName' });
    await upn.signIn.signIn('Negotiate YIIC', '10.0.0.1');
    expect(upn.lookups).toEqual(['userPrincipalName=tanaka@HOSPITAL.LOCAL']);
  });

  it('refuses a token GSSAPI rejects and counts it towards the lock of that address', async () => {
    const { signIn } = make({ accept: async () => Promise.reject(new GssapiError('rejected', 'Request is a replay')) });
    expect(await signIn.signIn('Negotiate YIIC', '10.0.0.2')).toMatchObject({ kind: 'refused', reason: 'kerberos-invalid-token', details: { detail: 'Request is a replay' } });
    await signIn.signIn('Negotiate YIIC', '10.0.0.2');
    expect(await signIn.signIn('Negotiate YIIC', '10.0.0.2')).toMatchObject({ kind: 'refused', reason: 'locked' });
    expect(await signIn.signIn('Negotiate YIIC', '10.0.0.3')).toMatchObject({ reason: 'kerberos-invalid-token' });
  });

  it('fails closed without counting against the person when the keytab or the directory cannot be used', async () => {
    const keytab = make({ accept: async () => Promise.reject(new GssapiError('unavailable', 'Key table file not found')) });
    for (let i = 0; i < 3; i += 1) expect(await keytab.signIn.signIn('Negotiate YIIC', '10.0.0.4')).toMatchObject({ kind: 'refused', reason: 'kerberos-unavailable' });
    const crash = make({ accept: async () => Promise.reject(new Error('addon crashed')) });
    expect(await crash.signIn.signIn('Negotiate YIIC', '10.0.0.4')).toMatchObject({ kind: 'refused', reason: 'kerberos-unavailable' });
    const directory = make({ lookup: async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { problem: 'unreachable' })) });
    expect(await directory.signIn.signIn('Negotiate YIIC', '10.0.0.4')).toMatchObject({ kind: 'refused', reason: 'kerberos-unavailable', details: { checkedBy: 'ldap', problem: 'unreachable' } });
    expect(directory.completed).toEqual([]);
    expect(directory.throttle.isLocked('tanaka', '10.0.0.4')).toBe(false);
  });

  it('never asks the directory about a principal of another realm or a machine', async () => {
    const other = make({ accept: async () => ({ principal: 'tanaka@EVIL.LOCAL', responseToken: null }) });
    expect(await other.signIn.signIn('Negotiate YIIC', '10.0.0.5')).toMatchObject({ kind: 'refused', reason: 'kerberos-realm-not-allowed', principal: 'tanaka@EVIL.LOCAL' });
    const machine = make({ accept: async () => ({ principal: 'host/pc01@HOSPITAL.LOCAL', responseToken: null }) });
    expect(await machine.signIn.signIn('Negotiate YIIC', '10.0.0.5')).toMatchObject({ kind: 'refused', reason: 'kerberos-principal-invalid' });
    expect([...other.lookups, ...machine.lookups]).toEqual([]);
  });

  it('treats NTLM offered in Negotiate as "no ticket" and never hands it to GSSAPI', async () => {
    let called = false;
    const { signIn } = make({ accept: async () => ((called = true), { principal: 'x@HOSPITAL.LOCAL', responseToken: null }) });
    const ntlm = `Negotiate ${Buffer.from('NTLMSSP\0\x01\0\0\0').toString('base64')}`;
    expect(await signIn.signIn(ntlm, '10.0.0.6')).toMatchObject({ kind: 'refused', reason: 'kerberos-no-ticket', details: { offered: 'ntlm' } });
    expect(called).toBe(false);
  });
});
