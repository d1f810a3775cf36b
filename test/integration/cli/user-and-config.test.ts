/** The `kekkai` command as users run it (bin/kekkai.js from the build). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../../gateway/auth/passwords.js';
import { openDatabase } from '../../../gateway/database.js';
import { createSqliteStore } from '../../../gateway/store/sqlite-repositories.js';

const BIN = path.resolve('bin/kekkai.js');
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-cli-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function kekkai(args: string[], input = '', env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', KEKKAI_DATA_DIR: dataDir, ...env }, timeout: 30_000 });
}

describe('kekkai CLI', () => {
  it('--help lists the commands', () => {
    const res = kekkai(['--help']);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('kekkai serve');
    expect(res.stdout).toContain('kekkai user add NAME --role staff|admin|security');
  });

  it('user add stores an account whose password verifies', async () => {
    const res = kekkai(['user', 'add', 'tanaka', '--role', 'staff'], 'Kango-shi-2026!\n');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('staff account tanaka');
    const store = createSqliteStore(openDatabase(dataDir));
    const user = store.users.findByName('tanaka')!;
    expect(user.role).toBe('staff');
    expect(await verifyPassword('Kango-shi-2026!', user.passwordHash)).toBe(true);
    store.close();
  });

  it('user add refuses weak passwords, unknown roles, bad names and duplicates', () => {
    const weak = kekkai(['user', 'add', 'suzuki', '--role', 'staff'], 'password\n');
    expect(weak.status).toBe(2);
    expect(weak.stderr).toContain('13');
    expect(kekkai(['user', 'add', 'suzuki', '--role', 'root'], 'Kango-shi-2026!\n').stderr).toContain('--role must be one of');
    expect(kekkai(['user', 'add', 'bad name', '--role', 'staff'], 'Kango-shi-2026!\n').status).toBe(2);
    expect(kekkai(['user', 'add', 'suzuki', '--role', 'admin'], 'Kango-shi-2026!\n').status).toBe(0);
    const dup = kekkai(['user', 'add', 'SUZUKI', '--role', 'admin'], 'Kango-shi-2026!\n');
    expect(dup.status).toBe(1);
    expect(dup.stderr).toContain('already exists');
  });

  it('serve stops at start-up on a bad setting, naming the key', () => {
    const res = kekkai(['serve'], '', { KEKKAI_PORT: 'https' });
    expect(res.status).toBe(78);
    expect(res.stderr).toContain('KEKKAI_PORT');
    expect(res.stdout).not.toContain('listening');
  });
});
