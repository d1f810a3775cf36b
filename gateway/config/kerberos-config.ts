/**
 * Settings of Kerberos single sign-on (SPNEGO `Negotiate`, docs/kerberos-sign-in.md):
 * the service keytab the admin exported from Active Directory (ktpass) or an MIT KDC,
 * the service principal it holds, and the realms whose people may come in. Who the
 * person is beyond their principal — role, department, job — comes from the directory,
 * so Kerberos needs KEKKAI_LDAP_URL as well (checked in config-schema.ts).
 */
import { z } from 'zod';
import { fromEnv } from './env-settings.js';

const list = (v: unknown) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v);

/** A realm as Kerberos spells it: AD realms are the DNS domain in capitals (HOSPITAL.LOCAL). */
const REALM = /^[A-Z0-9](?:[A-Z0-9.-]{0,253}[A-Z0-9])?$/;
/** HTTP/host or HTTP/host@REALM: the service name, one host name, an optional realm. */
export const SERVICE_PRINCIPAL = /^([A-Za-z][A-Za-z0-9-]{0,31})\/([A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?:@([A-Z0-9.-]{1,255}))?$/;

export const KerberosSettings = z
  .object({
    keytab: fromEnv(z.string().min(1).max(4096).optional(), 'KEKKAI_KERBEROS_KEYTAB', 'Keytab file of the gateway\'s service principal (ktpass /out, or kadmin ktadd); unset = no Kerberos single sign-on. Readable by kekkai only.'),
    servicePrincipal: fromEnv(
      z.string().regex(SERVICE_PRINCIPAL, 'expected HTTP/<gateway host name>[@REALM], e.g. HTTP/kekkai.hospital.local@HOSPITAL.LOCAL').optional(),
      'KEKKAI_KERBEROS_SERVICE_PRINCIPAL',
      'Service principal in the keytab, HTTP/<the host name staff type>[@REALM], e.g. HTTP/kekkai.hospital.local@HOSPITAL.LOCAL.',
    ),
    realms: fromEnv(
      z.preprocess(list, z.array(z.string().regex(REALM, 'expected a realm in capitals such as HOSPITAL.LOCAL')).max(20)).default([]),
      'KEKKAI_KERBEROS_REALMS',
      'Realms whose users may sign in by ticket (comma-separated, capitals, e.g. HOSPITAL.LOCAL); required with KEKKAI_KERBEROS_KEYTAB.',
    ),
    directoryAttribute: fromEnv(
      z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'expected an attribute name such as userPrincipalName').optional(),
      'KEKKAI_KERBEROS_DIRECTORY_ATTRIBUTE',
      'Directory attribute holding the whole principal (user@REALM), e.g. userPrincipalName or krbPrincipalName; default: the user part is looked up as KEKKAI_LDAP_LOGIN_ATTRIBUTE (sAMAccountName, uid).',
    ),
  })
  .strict()
  .default({})
  .superRefine((s, ctx) => {
    if (!s.keytab) return;
    if (!s.servicePrincipal) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['servicePrincipal'], message: 'KEKKAI_KERBEROS_SERVICE_PRINCIPAL (HTTP/<host>) is required with KEKKAI_KERBEROS_KEYTAB' });
    if (!s.realms.length) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['realms'], message: 'KEKKAI_KERBEROS_REALMS (the allowed realms, e.g. HOSPITAL.LOCAL) is required with KEKKAI_KERBEROS_KEYTAB' });
    const realm = s.servicePrincipal ? SERVICE_PRINCIPAL.exec(s.servicePrincipal)?.[3] : undefined;
    if (realm && !s.realms.includes(realm)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['realms'], message: `the service principal's realm ${realm} is not in KEKKAI_KERBEROS_REALMS` });
  });

export type KerberosConfig = z.infer<typeof KerberosSettings>;
