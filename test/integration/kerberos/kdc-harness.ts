/**
 * A real MIT Kerberos KDC for the tests (Debian's krb5-kdc and krb5-admin-server's
 * kadmin.local), on loopback: realm KEKKAI.TEST, its database, stash, krb5.conf and
 * kdc.conf under a temp directory, krb5kdc in the foreground on a TCP port picked free
 * by node (it cannot bind port 0). No system file is read or changed: every tool runs
 * with KRB5_CONFIG and KRB5_KDC_PROFILE pointing at the generated files. Missing tools
 * make the test fail (spawn errors), never skip. Works as root and as an ordinary user.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from '../loopback-daemon.js';

export const REALM = 'KEKKAI.TEST';
/** The gateway's name as the browser and the KDC know it (mapped to 127.0.0.1 by the tests). */
export const SERVICE_HOST = 'kekkai.test';
export const SERVICE_PRINCIPAL = `HTTP/${SERVICE_HOST}`;
const MASTER_PW = 'kdc-Master-1';
export const KRB_USER_PW = 'Kerberos-pass-2026!';

export interface Kdc {
  dir: string;
  port: number;
  /** krb5.conf for clients (kinit, the browser, the GSSAPI client): this realm, this KDC. */
  krb5Conf: string;
  /** The service keytab the gateway is given (HTTP/kekkai.test@KEKKAI.TEST). */
  keytab: string;
  /** Environment for a client process of this realm (KRB5_CONFIG; KRB5CCNAME when given). */
  env(ccache?: string): NodeJS.ProcessEnv;
  /** A user principal (password KRB_USER_PW). */
  addUser(name: string): void;
  /** Gets a ticket-granting ticket for `user` into a new credential cache; returns its path. */
  kinit(user: string): string;
  /** Adds HTTP/<host> to the realm and to the service keytab; returns the principal (without realm). */
  addService(host: string): string;
  /** Re-keys the service principal (the keytab then holds an old key: tickets fail to decrypt). */
  rekeyService(): void;
  stop(): Promise<void>;
}

function krb5Conf(port: number): string {
  // TCP only (udp_preference_limit 1), no DNS, no reverse lookups: nothing leaves loopback.
  return `[libdefaults]
  default_realm = ${REALM}
  dns_lookup_kdc = false
  dns_lookup_realm = false
  dns_canonicalize_hostname = false
  rdns = false
  udp_preference_limit = 1
  forwardable = false
[realms]
  ${REALM} = {
    kdc = 127.0.0.1:${port}
  }
[domain_realm]
  ${SERVICE_HOST} = ${REALM}
  .${SERVICE_HOST} = ${REALM}
`;
}

function kdcConf(dir: string, port: number): string {
  return `[kdcdefaults]
  kdc_listen = 127.0.0.1:${port}
  kdc_tcp_listen = 127.0.0.1:${port}
[realms]
  ${REALM} = {
    database_name = ${dir}/principal
    key_stash_file = ${dir}/stash
    acl_file = ${dir}/kadm5.acl
    kdc_listen = 127.0.0.1:${port}
    kdc_tcp_listen = 127.0.0.1:${port}
    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
    max_life = 1h
  }
[logging]
  kdc = FILE:${dir}/kdc.log
`;
}

export async function startKdc(): Promise<Kdc> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-kdc-'));
  const port = await freePort();
  const conf = path.join(dir, 'krb5.conf');
  writeFileSync(conf, krb5Conf(port));
  writeFileSync(path.join(dir, 'kdc.conf'), kdcConf(dir, port));
  writeFileSync(path.join(dir, 'kadm5.acl'), '');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, KRB5_CONFIG: conf, KRB5_KDC_PROFILE: path.join(dir, 'kdc.conf'), KRB5CCNAME: `FILE:${dir}/unused-ccache` };
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 30_000 });
    if (r.error) throw new Error(`${cmd}: ${r.error.message} (install the Kerberos test tools: KEKKAI_TEST_TOOLS=1 scripts/install.sh)`);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  };
  const kadmin = (query: string) => run('/usr/sbin/kadmin.local', ['-r', REALM, '-q', query]);
  run('/usr/sbin/kdb5_util', ['create', '-s', '-r', REALM, '-P', MASTER_PW]);
  const keytab = path.join(dir, 'http.keytab');
  kadmin(`addprinc -randkey ${SERVICE_PRINCIPAL}`);
  kadmin(`ktadd -k ${keytab} ${SERVICE_PRINCIPAL}`);

  // -n: stay in the foreground (a child we can stop).
  const child = spawn('/usr/sbin/krb5kdc', ['-n', '-r', REALM], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  child.on('error', (err) => (log += String(err)));
  await waitForPort(port, child, 'krb5kdc', () => log);

  let caches = 0;
  return {
    dir,
    port,
    krb5Conf: conf,
    keytab,
    env: (ccache) => ({ KRB5_CONFIG: conf, ...(ccache ? { KRB5CCNAME: `FILE:${ccache}` } : {}) }),
    addUser: (name) => void kadmin(`addprinc -pw ${KRB_USER_PW} ${name}`),
    kinit: (user) => {
      caches += 1;
      const ccache = path.join(dir, `ccache-${caches}`);
      const userKeytab = path.join(dir, `user-${caches}.keytab`);
      // The user's key in a keytab (kadmin.local may export without changing it): kinit without a terminal.
      kadmin(`ktadd -norandkey -k ${userKeytab} ${user}`);
      run('/usr/bin/kinit', ['-k', '-t', userKeytab, '-c', `FILE:${ccache}`, `${user}@${REALM}`]);
      return ccache;
    },
    addService: (host) => {
      kadmin(`addprinc -randkey HTTP/${host}`);
      kadmin(`ktadd -k ${keytab} HTTP/${host}`);
      return `HTTP/${host}`;
    },
    rekeyService: () => void kadmin(`cpw -randkey ${SERVICE_PRINCIPAL}`),
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
