/** Which verified principals kekkai admits, what a Negotiate header may carry, the host-based service name. */
import { describe, expect, it } from 'vitest';
import { admitPrincipal, hostBasedService, MAX_NEGOTIATE_HEADER, readNegotiateHeader } from '../../../../gateway/kerberos/kerberos-principal.js';

describe('admitPrincipal', () => {
  it('admits a one-component principal of an allowed realm', () => {
    expect(admitPrincipal('tanaka@HOSPITAL.LOCAL', ['HOSPITAL.LOCAL'])).toEqual({ principal: { name: 'tanaka', realm: 'HOSPITAL.LOCAL' } });
  });

  it('refuses other realms, compared exactly (realms are case-sensitive)', () => {
    expect(admitPrincipal('tanaka@OTHER.LOCAL', ['HOSPITAL.LOCAL'])).toEqual({ problem: 'kerberos-realm-not-allowed' });
    expect(admitPrincipal('tanaka@hospital.local', ['HOSPITAL.LOCAL'])).toEqual({ problem: 'kerberos-realm-not-allowed' });
  });

  it('refuses machine and service principals, escapes, control characters and names without a realm', () => {
    for (const text of ['host/pc01@HOSPITAL.LOCAL', 'HTTP/kekkai@HOSPITAL.LOCAL', 'a\\@b@HOSPITAL.LOCAL', 'tan\naka@HOSPITAL.LOCAL', 'tanaka', '@HOSPITAL.LOCAL', 'tanaka@', `${'a'.repeat(600)}@HOSPITAL.LOCAL`]) {
      expect(admitPrincipal(text, ['HOSPITAL.LOCAL']), text).toEqual({ problem: 'kerberos-principal-invalid' });
    }
  });
});

describe('readNegotiateHeader', () => {
  it('reads nothing, a token, and NTLM offered in Negotiate', () => {
    expect(readNegotiateHeader(undefined)).toEqual({ kind: 'none' });
    expect(readNegotiateHeader('Negotiate YIIC+w==')).toEqual({ kind: 'token', token: 'YIIC+w==' });
    expect(readNegotiateHeader('negotiate  YIIC')).toEqual({ kind: 'token', token: 'YIIC' });
    expect(readNegotiateHeader(`Negotiate ${Buffer.from('NTLMSSP\0\x01\0\0\0').toString('base64')}`)).toEqual({ kind: 'ntlm' });
  });

  it('refuses other schemes, non-base64 tokens and oversized headers', () => {
    expect(readNegotiateHeader('Basic dGFuYWthOnB3')).toEqual({ kind: 'invalid', why: 'not-negotiate' });
    expect(readNegotiateHeader('Negotiate')).toEqual({ kind: 'invalid', why: 'not-negotiate' });
    expect(readNegotiateHeader('Negotiate abc!')).toEqual({ kind: 'invalid', why: 'not-base64' });
    expect(readNegotiateHeader('Negotiate abcde')).toEqual({ kind: 'invalid', why: 'not-base64' });
    expect(readNegotiateHeader(`Negotiate ${'A'.repeat(MAX_NEGOTIATE_HEADER)}`)).toEqual({ kind: 'invalid', why: 'too-large' });
  });
});

describe('hostBasedService', () => {
  it('turns HTTP/host[@REALM] into the GSSAPI host-based name', () => {
    expect(hostBasedService('HTTP/kekkai.hospital.local@HOSPITAL.LOCAL')).toBe('HTTP@kekkai.hospital.local');
    expect(hostBasedService('HTTP/kekkai.hospital.local')).toBe('HTTP@kekkai.hospital.local');
    expect(() => hostBasedService('kekkai')).toThrow();
  });
});
