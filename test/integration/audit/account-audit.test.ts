/**
 * Every account change leaves an `account-change` (or `password-change`) record with
 * who, from where (`source`), which account and what changed — and never a password,
 * hash or TOTP secret: the command line (`kekkai user add`, run as built), the first
 * start, the admin console, the account page and the enrolment at sign-in.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../gateway/audit/audit-event.js';
import { SqliteAuditRepository } from '../../../gateway/audit/sqlite-audit-repository.js';
import type { BrowserLayer } from '../../../gateway/browser/local-browser.js';
import { loadConfig } from '../../../gateway/config/load-config.js';
import { openDatabase } from '../../../gateway/database.js';
import { startGateway } from '../../../gateway/server.js';
import { addUser, host, post, signInEnrolling, signInStaff } from '../admin/admin-helpers.js';
import { buildTestApp, type AppHarness } from '../gateway/app-harness.js';

const BIN = path.resolve('bin/kekkai.js');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-acct-audit-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function recordsIn(dataDir: string, events = ['account-change', 'password-change']): AuditRecord[] {
  const db = openDatabase(dataDir);
  try {
    return [...new SqliteAuditRepository(db).iterate({ events })];
  } finally {
    db.close();
  }
}

/** Nothing secret in the records, whatever the entry point. */
function expectNoSecrets(records: AuditRecord[], secrets: string[]): void {
  const text = JSON.stringify(records);
  for (const secret of [...secrets, 'scrypt$', 'passwordHash', 'totpSecret']) expect(text).not.toContain(secret);
}

describe('kekkai user add', () => {
  it('audits the new account with the OS account as actor, source cli, and no password', () => {
    const dataDir = tempDir();
    const password = 'Kango-shi-2026!';
    const res = spawnSync(process.execPath, [BIN, 'user', 'add', 'tanaka', '--role', 'staff'], {
      input: `${password}\n`,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', KEKKAI_DATA_DIR: dataDir },
      timeout: 30_000,
    });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const records = recordsIn(dataDir);
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record).toMatchObject({ event: 'account-change', outcome: 'success', userId: null, userName: `os:${os.userInfo().username}`, sourceIp: null });
    expect(record!.details).toMatchObject({
      action: 'create',
      source: 'cli',
      osUser: os.userInfo().username,
      uid: process.getuid!(),
      host: os.hostname(),
      account: 'tanaka',
      before: null,
      after: { name: 'tanaka', role: 'staff', disabled: false, mustChangePassword: false, totpEnabled: false },
    });
    expectNoSecrets(records, [password]);
    // The record is anchored: the log verifies to its end.
    const verify = spawnSync(process.execPath, [BIN, 'audit', 'verify'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', KEKKAI_DATA_DIR: dataDir }, timeout: 30_000 });
    expect(verify.status).toBe(0);
    expect(verify.stdout).toContain('audit chain OK: 1 records; head anchor at seq 1');
  });

  it('takes department, job and expiry like the console, and refuses a bad date before changing anything', () => {
    const dataDir = tempDir();
    const env = { PATH: process.env.PATH ?? '', KEKKAI_DATA_DIR: dataDir };
    const bad = spawnSync(process.execPath, [BIN, 'user', 'add', 'sato', '--role', 'staff', '--expires', '2027-02-30'], { input: 'Kango-shi-2026!\n', encoding: 'utf8', env, timeout: 30_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--expires は 2027-03-31 のような日付で指定してください');
    const res = spawnSync(process.execPath, [BIN, 'user', 'add', 'sato', '--role', 'staff', '--department', '看護部', '--job', '看護師', '--expires', '2027-03-31'], {
      input: 'Kango-shi-2026!\n',
      encoding: 'utf8',
      env,
      timeout: 30_000,
    });
    expect(res.status, res.stderr).toBe(0);
    const records = recordsIn(dataDir);
    expect(records).toHaveLength(1);
    expect(records[0]!.details).toMatchObject({ action: 'create', account: 'sato', after: { department: '看護部', jobTitle: '看護師', expiresOn: '2027-03-31' } });
  });

  it('sends its record to the syslog collector too, with the seq and MAC that anchor the head', async () => {
    const dataDir = tempDir();
    const received: Buffer[] = [];
    const collector = net.createServer((socket) => socket.on('data', (chunk) => received.push(chunk)));
    collector.listen(0, '127.0.0.1');
    await once(collector, 'listening');
    cleanups.push(() => new Promise<void>((resolve) => collector.close(() => resolve())));
    const port = (collector.address() as net.AddressInfo).port;
    const child = spawn(process.execPath, [BIN, 'user', 'add', 'suzuki', '--role', 'security'], {
      env: { PATH: process.env.PATH ?? '', KEKKAI_DATA_DIR: dataDir, KEKKAI_AUDIT_SYSLOG_HOST: '127.0.0.1', KEKKAI_AUDIT_SYSLOG_PORT: String(port) },
    });
    child.stdin.end('Kango-shi-2026!\n');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
    const [record] = recordsIn(dataDir);
    const line = Buffer.concat(received).toString('utf8');
    expect(line).toContain(' account-change [kekkai@32473 seq="1"');
    expect(line).toContain(`user="os:${os.userInfo().username}"`);
    expect(line).toContain(`mac="${record!.mac}"`);
  });

  it('changes nothing when the audit key cannot be used', () => {
    const dataDir = tempDir();
    const res = spawnSync(process.execPath, [BIN, 'user', 'add', 'tanaka', '--role', 'staff'], {
      input: 'Kango-shi-2026!\n',
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', KEKKAI_DATA_DIR: dataDir, KEKKAI_AUDIT_KEY_FILE: path.join(dataDir, 'absent.key') },
      timeout: 30_000,
    });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('absent.key');
    const db = openDatabase(dataDir);
    expect(db.prepare('SELECT COUNT(*) AS n FROM users').get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('first start', () => {
  it('audits the first admin account (source first-start) without its password', async () => {
    const dataDir = tempDir();
    const config = loadConfig({ env: {}, overrides: { dataDir, logLevel: 'silent', insecureHttp: true, host: '127.0.0.1', port: 0 } });
    const lines: string[] = [];
    const browser = { sessions: { size: 0, get: () => undefined, list: () => [], getOrCreate: () => Promise.reject(new Error('none')), end: async () => false }, connected: () => true, start: () => undefined, cancelDownload: async () => undefined, close: async () => undefined };
    const gateway = await startGateway(config, (l) => lines.push(l), {
      browser: async () => browser as unknown as BrowserLayer,
      publicDir: path.resolve('client/styles'),
      readiness: { clamd: async () => true },
    });
    await gateway.close();
    const password = /one-time password: (\S+)/.exec(lines.join('\n'))?.[1];
    expect(password).toBeTruthy();
    const records = recordsIn(dataDir);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ event: 'account-change', userName: null });
    expect(records[0]!.details).toMatchObject({ action: 'create', source: 'first-start', account: 'admin', initialCredential: 'generated-one-time', before: null, after: { name: 'admin', role: 'admin', mustChangePassword: true } });
    expectNoSecrets(records, [password!]);
  });
});

describe('console, account page and sign-in', () => {
  let h: AppHarness;

  it('records actor, source, account and before/after for each change', async () => {
    h = await buildTestApp({}, { consoles: true });
    cleanups.push(() => h.close());
    await addUser(h, 'boss', 'admin');
    // Enrolment during sign-in changes the account too.
    const admin = await signInEnrolling(h, 'boss');
    const api = (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
      h.app.inject({ method, url, headers: { host, cookie: admin.cookie, 'x-kekkai-csrf': admin.csrf }, ...(payload === undefined ? {} : { payload: payload as object }) });

    const created = await api('POST', '/api/admin/accounts', { name: 'kango01', role: 'staff', oneTimePassword: 'First-time-pass-01', department: '看護部' });
    expect(created.statusCode).toBe(200);
    const id = created.json().account.id as number;
    expect((await api('PUT', `/api/admin/accounts/${id}`, { role: 'staff', expiresOn: '2027-03-31' })).statusCode).toBe(200);
    expect((await api('POST', `/api/admin/accounts/${id}/password`, { oneTimePassword: 'Second-time-pass-02' })).statusCode).toBe(200);
    expect((await api('POST', `/api/admin/accounts/${id}/totp-reset`)).statusCode).toBe(200);
    const nurse = await signInStaff(h);
    const changed = await post(h, '/api/password', { current: 'staff-Password-2026!', next: 'Nurse-new-pass-2026!' }, { cookie: nurse.cookie, 'x-kekkai-csrf': nurse.csrf });
    expect(changed.statusCode).toBe(200);
    const old = new Date(Date.now() - 120 * 86_400_000).toISOString();
    h.db.prepare('UPDATE users SET created_at = ?, last_login_at = ? WHERE id = ?').run(old, old, id);
    expect((await api('POST', '/api/admin/accounts/disable-unused', { days: 90 })).json().disabled).toEqual(['kango01']);
    expect((await api('DELETE', `/api/admin/accounts/${id}`)).statusCode).toBe(200);

    const records = [...h.audit.records({ events: ['account-change', 'password-change'] })];
    const summary = records.map((r) => [r.event, (r.details as { action?: string }).action ?? null, r.details.source, r.userName, r.details.account]);
    expect(summary).toEqual([
      ['account-change', 'totp-enrol', 'sign-in', 'boss', 'boss'],
      ['account-change', 'create', 'console', 'boss', 'kango01'],
      ['account-change', 'update', 'console', 'boss', 'kango01'],
      ['account-change', 'reset-password', 'console', 'boss', 'kango01'],
      ['account-change', 'reset-totp', 'console', 'boss', 'kango01'],
      ['password-change', null, 'account', 'nurse', 'nurse'],
      ['account-change', 'disable-unused', 'console', 'boss', undefined],
      ['account-change', 'delete', 'console', 'boss', 'kango01'],
    ]);
    const update = records[2]!.details as { before: { expiresOn: string | null }; after: { expiresOn: string | null } };
    expect([update.before.expiresOn, update.after.expiresOn]).toEqual([null, '2027-03-31']);
    expect(records[3]!.details).toMatchObject({ before: { mustChangePassword: true }, after: { mustChangePassword: true } });
    expect(records[6]!.details).toMatchObject({ accounts: ['kango01'], before: { disabled: false }, after: { disabled: true } });
    expect(records.every((r) => r.sourceIp !== null)).toBe(true);
    expectNoSecrets(records, ['First-time-pass-01', 'Second-time-pass-02', 'Nurse-new-pass-2026!', 'staff-Password-2026!', admin.secret, ...admin.recoveryCodes]);
  });
});
