/**
 * A real OpenLDAP slapd for the tests, on loopback: its own config (slapd.conf),
 * database and test CA under a temp directory, loaded with slapadd, listening on
 * ldap:// and ldaps:// ports picked free by node (slapd cannot bind port 0).
 * Works as root and as an ordinary user. Needs Debian's slapd (scripts/install.sh).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'ldapts';
import { makeCa, makeServerCert } from './test-ca.js';
import { freePort, waitForPort } from '../loopback-daemon.js';

export const SUFFIX = 'dc=hospital,dc=test';
export const ROOT_DN = `cn=admin,${SUFFIX}`;
export const SERVICE_DN = `cn=svc-kekkai,ou=service,${SUFFIX}`;
const ROOT_PW = 'root-Secret-1';
export const SERVICE_PW = 'service-Secret-1';
export const USER_PW = 'Directory-pass-2026!';

export const groupDn = (cn: string) => `cn=${cn},ou=groups,${SUFFIX}`;
export const userDn = (uid: string) => `uid=${uid},ou=people,${SUFFIX}`;

export interface Slapd {
  dir: string;
  ldapUrl: string;
  ldapsUrl: string;
  caFile: string;
  /** A CA that did not sign the server's certificate. */
  wrongCaFile: string;
  bindPasswordFile: string;
  /** Runs `work` with a client bound as the directory's root (to change entries mid-test). */
  asRoot<T>(work: (client: Client) => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

function config(dir: string): string {
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
# Defines the ppolicy schema (pwdAccountLockedTime) without enforcing a policy: the
# "locked by an administrator" mark is what kekkai's default disabled filter reads.
moduleload ppolicy
pidfile ${dir}/slapd.pid
TLSCACertificateFile ${dir}/ca.pem
TLSCertificateFile ${dir}/server.pem
TLSCertificateKeyFile ${dir}/server.key
database mdb
maxsize 16777216
suffix "${SUFFIX}"
rootdn "${ROOT_DN}"
rootpw ${ROOT_PW}
directory ${dir}/db
access to attrs=userPassword by self =xw by anonymous auth by * none
access to * by dn.exact="${SERVICE_DN}" read by self read by * none
`;
}

function person(uid: string, cn: string, extra: string[] = []): string {
  return [`dn: ${userDn(uid)}`, 'objectClass: inetOrgPerson', `uid: ${uid}`, `cn: ${cn}`, `sn: ${cn}`, `userPassword: ${USER_PW}`, ...extra, ''].join('\n');
}

function group(cn: string, members: string[]): string {
  return [`dn: ${groupDn(cn)}`, 'objectClass: groupOfNames', `cn: ${cn}`, ...members.map((m) => `member: ${m}`), ''].join('\n');
}

/**
 * The hospital: nurses (tanaka, nurse) are staff through the nested group nurses ⊂
 * kekkai-staff; sato is admin through it-admins ⊂ kekkai-admins; suzuki security;
 * kato staff directly (removed in the sync test); yamada in no mapped group; taisha
 * locked by an administrator (ppolicy mark); "nurse" clashes with a local account.
 */
export function hospitalLdif(): string {
  const base = [
    `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: hospital\no: Test Hospital\n`,
    ...['people', 'groups', 'service'].map((ou) => `dn: ou=${ou},${SUFFIX}\nobjectClass: organizationalUnit\nou: ${ou}\n`),
    `dn: ${SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: svc-kekkai\nuserPassword: ${SERVICE_PW}\n`,
  ];
  const people = [
    person('tanaka', 'Tanaka Hanako', ['displayName: 田中 花子', 'departmentNumber: 看護部', 'title: 看護師']),
    person('nurse', 'Nurse Clash'),
    person('sato', 'Sato Ichiro', ['departmentNumber: 情報システム課', 'title: 主任']),
    person('suzuki', 'Suzuki Jiro', ['departmentNumber: 医療安全管理室']),
    person('kato', 'Kato Saburo', ['departmentNumber: 医事課', 'title: 事務員']),
    person('yamada', 'Yamada Shiro'),
    person('taisha', 'Taisha Goro', ['pwdAccountLockedTime: 000001010000Z']),
  ];
  const groups = [
    group('nurses', [userDn('tanaka'), userDn('nurse')]),
    group('kekkai-staff', [groupDn('nurses'), userDn('kato'), userDn('taisha')]),
    group('it-admins', [userDn('sato')]),
    group('kekkai-admins', [groupDn('it-admins')]),
    group('kekkai-security', [userDn('suzuki')]),
    group('other', [userDn('yamada')]),
  ];
  return [...base, ...people, ...groups].join('\n');
}

export async function startSlapd(): Promise<Slapd> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-slapd-'));
  mkdirSync(path.join(dir, 'db'));
  const ca = makeCa('kekkai test directory CA');
  const server = makeServerCert(ca);
  writeFileSync(path.join(dir, 'ca.pem'), ca.cert);
  writeFileSync(path.join(dir, 'wrong-ca.pem'), makeCa('some other CA').cert);
  writeFileSync(path.join(dir, 'server.pem'), server.cert);
  writeFileSync(path.join(dir, 'server.key'), server.key, { mode: 0o600 });
  writeFileSync(path.join(dir, 'bind-password'), `${SERVICE_PW}\n`, { mode: 0o600 });
  writeFileSync(path.join(dir, 'slapd.conf'), config(dir));
  writeFileSync(path.join(dir, 'hospital.ldif'), hospitalLdif());
  const added = spawnSync('/usr/sbin/slapadd', ['-f', path.join(dir, 'slapd.conf'), '-l', path.join(dir, 'hospital.ldif')], { encoding: 'utf8' });
  if (added.status !== 0) throw new Error(`slapadd failed: ${added.stderr}`);
  const [ldapPort, ldapsPort] = [await freePort(), await freePort()];
  const ldapUrl = `ldap://127.0.0.1:${ldapPort}`;
  const ldapsUrl = `ldaps://127.0.0.1:${ldapsPort}`;
  // -d keeps slapd in the foreground (a child we can stop); its log is kept for errors.
  const child = spawn('/usr/sbin/slapd', ['-f', path.join(dir, 'slapd.conf'), '-h', `${ldapUrl}/ ${ldapsUrl}/`, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  await waitForPort(ldapPort, child, 'slapd', () => log);
  await waitForPort(ldapsPort, child, 'slapd', () => log);
  return {
    dir,
    ldapUrl,
    ldapsUrl,
    caFile: path.join(dir, 'ca.pem'),
    wrongCaFile: path.join(dir, 'wrong-ca.pem'),
    bindPasswordFile: path.join(dir, 'bind-password'),
    asRoot: async (work) => {
      const client = new Client({ url: ldapUrl, timeout: 5000 });
      try {
        await client.bind(ROOT_DN, ROOT_PW);
        return await work(client);
      } finally {
        await client.unbind();
      }
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
