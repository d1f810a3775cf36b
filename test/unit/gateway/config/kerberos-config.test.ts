/** Kerberos settings: off by default; with a keytab, principal and realms are required and a directory too. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../gateway/config/load-config.js';

const LDAP = { KEKKAI_LDAP_URL: 'ldaps://dc1.hospital.local', KEKKAI_LDAP_BASE_DN: 'DC=hospital,DC=local', KEKKAI_LDAP_BIND_DN: 'CN=svc,DC=hospital,DC=local', KEKKAI_LDAP_BIND_PASSWORD: 'pw' };
const KRB = { KEKKAI_KERBEROS_KEYTAB: '/etc/kekkai/kekkai.keytab', KEKKAI_KERBEROS_SERVICE_PRINCIPAL: 'HTTP/kekkai.hospital.local@HOSPITAL.LOCAL', KEKKAI_KERBEROS_REALMS: 'HOSPITAL.LOCAL, BRANCH.LOCAL' };
const load = (env: Record<string, string>) => () => loadConfig({ env });

describe('Kerberos settings', () => {
  it('is off by default', () => {
    expect(loadConfig({ env: {} }).kerberos).toEqual({ realms: [] });
  });

  it('reads keytab, principal and the realm list', () => {
    expect(loadConfig({ env: { ...LDAP, ...KRB } }).kerberos).toEqual({ keytab: '/etc/kekkai/kekkai.keytab', servicePrincipal: 'HTTP/kekkai.hospital.local@HOSPITAL.LOCAL', realms: ['HOSPITAL.LOCAL', 'BRANCH.LOCAL'] });
  });

  it('names what is missing or malformed', () => {
    expect(load({ ...LDAP, KEKKAI_KERBEROS_KEYTAB: '/k', KEKKAI_KERBEROS_REALMS: 'HOSPITAL.LOCAL' })).toThrow(/KEKKAI_KERBEROS_SERVICE_PRINCIPAL/);
    expect(load({ ...LDAP, KEKKAI_KERBEROS_KEYTAB: '/k', KEKKAI_KERBEROS_SERVICE_PRINCIPAL: 'HTTP/kekkai.hospital.local' })).toThrow(/KEKKAI_KERBEROS_REALMS/);
    expect(load({ ...LDAP, ...KRB, KEKKAI_KERBEROS_REALMS: 'hospital.local' })).toThrow(/KEKKAI_KERBEROS_REALMS.*capitals/);
    expect(load({ ...LDAP, ...KRB, KEKKAI_KERBEROS_SERVICE_PRINCIPAL: 'kekkai.hospital.local' })).toThrow(/KEKKAI_KERBEROS_SERVICE_PRINCIPAL.*HTTP\//);
    expect(load({ ...LDAP, ...KRB, KEKKAI_KERBEROS_REALMS: 'BRANCH.LOCAL' })).toThrow(/HOSPITAL.LOCAL is not in KEKKAI_KERBEROS_REALMS/);
  });

  it('needs the directory: roles come from it', () => {
    expect(load(KRB)).toThrow(/KEKKAI_LDAP_URL/);
  });

  it('does not take kerberos as an MFA source', () => {
    expect(load({ KEKKAI_TRUST_IDP_MFA: 'kerberos' })).toThrow(/KEKKAI_TRUST_IDP_MFA/);
  });
});
