/** `kekkai policy …` run in-process against real SQLite in a temp data directory. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runPolicy } from '../../../gateway/cli/policy-command.js';
import { SqlitePolicyRepository } from '../../../gateway/policy-store/sqlite-policy-repository.js';
import { openDatabase } from '../../../gateway/database.js';
import { AuditLog } from '../../../gateway/audit/audit-log.js';
import { loadAuditKey } from '../../../gateway/audit/audit-key.js';
import { SqliteAuditRepository } from '../../../gateway/audit/sqlite-audit-repository.js';

const MINIMAL = 'default: allow\nrules:\n  - id: no-webmail\n    match: { domain: mail.example.test }\n    action: block\n';

const POLICY = `default: allow
rules:
  - id: no-webmail
    name: ウェブメール禁止
    match: { domain: mail.example.test }
    action: block
  - id: news-warn
    match: { domain: news.example.test }
    action: warn
  - id: wiki-readonly
    match: { host: wiki.example.test }
    action: read-only
  - id: emr-nurses
    match: { host: emr.example.test }
    scope: { roles: [nurse], sources: 10.1.0.0/16 }
    action: allow
  - id: emr-others
    match: { host: emr.example.test }
    action: block
`;

let dataDir: string;
let config: { dataDir: string };

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-policy-cli-'));
  config = { dataDir };
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dataDir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const p = path.join(dataDir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runPolicy(args, config);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

async function testJson(url: string, ...extra: string[]): Promise<unknown> {
  const res = await run(['test', url, '--json', ...extra]);
  expect(res.code).toBe(0);
  expect(res.stdout.endsWith('\n')).toBe(true);
  expect(res.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(res.stdout);
}

describe('kekkai policy test --json --policy FILE', () => {
  it('blocks the issue example with the minimal YAML', async () => {
    const p = file('minimal.yaml', MINIMAL);
    expect(await testJson('https://mail.example.test/inbox', '--policy', p)).toEqual({
      verdict: 'block',
      rule: { id: 'no-webmail', name: null },
      normalizedUrl: 'https://mail.example.test/inbox',
      reason: 'rule "no-webmail" matched by domain: block',
    });
  });

  it('prints exactly the documented object for allow, block, warn and read-only', async () => {
    const p = file('policy.yaml', POLICY);
    expect(await testJson('https://Example.Test./', '--policy', p)).toEqual({
      verdict: 'allow',
      rule: null,
      normalizedUrl: 'https://example.test/',
      reason: 'no rule matched; default action: allow',
    });
    expect(await testJson('https://a.mail.example.test/x', '--policy', p)).toEqual({
      verdict: 'block',
      rule: { id: 'no-webmail', name: 'ウェブメール禁止' },
      normalizedUrl: 'https://a.mail.example.test/x',
      reason: 'rule "no-webmail" matched by domain: block',
    });
    expect(await testJson('http://news.example.test/today?x=1', '--policy', p)).toEqual({
      verdict: 'warn',
      rule: { id: 'news-warn', name: null },
      normalizedUrl: 'http://news.example.test/today?x=1',
      reason: 'rule "news-warn" matched by domain: warn',
    });
    expect(await testJson('https://wiki.example.test/page', '--policy', p)).toEqual({
      verdict: 'read-only',
      rule: { id: 'wiki-readonly', name: null },
      normalizedUrl: 'https://wiki.example.test/page',
      reason: 'rule "wiki-readonly" matched by host: read-only',
    });
  });

  it('scopes rules by --role and --source-ip', async () => {
    const p = file('policy.yaml', POLICY);
    const url = 'https://emr.example.test/';
    expect(await testJson(url, '--policy', p, '--role', 'nurse', '--source-ip', '10.1.2.3')).toMatchObject({ verdict: 'allow', rule: { id: 'emr-nurses' } });
    expect(await testJson(url, '--policy', p, '--role', 'nurse', '--source-ip', '10.2.0.1')).toMatchObject({ verdict: 'block', rule: { id: 'emr-others' } });
    expect(await testJson(url, '--policy', p, '--role', 'doctor', '--source-ip', '10.1.2.3')).toMatchObject({ verdict: 'block', rule: { id: 'emr-others' } });
    expect(await testJson(url, '--policy', p, '--role', 'nurse')).toMatchObject({ verdict: 'block', rule: { id: 'emr-others' } });
  });

  it('answers what browsing does: the egress proxy refuses localhost and ports that are not allowed, and no scheme means https', async () => {
    const p = file('policy.yaml', 'default: allow\nrules:\n  - id: everything\n    action: allow\n');
    // The policy alone allows these; the proxy (same functions as enforcement) refuses them.
    expect(await testJson('http://localhost/', '--policy', p)).toMatchObject({ verdict: 'block', policyVerdict: 'allow', rule: { id: 'everything' }, egress: { code: 'address' } });
    expect(await testJson('https://93.184.216.34:8444/', '--policy', p)).toMatchObject({ verdict: 'block', policyVerdict: 'allow', egress: { code: 'port' } });
    expect(await testJson('https://93.184.216.34/', '--policy', p)).toEqual({ verdict: 'allow', rule: { id: 'everything', name: null }, normalizedUrl: 'https://93.184.216.34/', reason: 'rule "everything" matches every URL: allow' });
    const bare = await run(['test', '93.184.216.34:8444/x', '--policy', p]);
    expect(bare.stdout.split('\n')[0]).toMatch(/^遮断 \/ block: https:\/\/93\.184\.216\.34:8444\/x — egress proxy \/ 接続先の確認: このポートへの接続は許可されていません/);
    expect(bare.stdout).toContain('tested as / 判定した URL: https://93.184.216.34:8444/x');
  });

  it('blocks a javascript: URL and an internal address by a system rule', async () => {
    const p = file('policy.yaml', 'default: allow\nrules:\n  - id: everything\n    action: allow\n');
    expect(await testJson('javascript:alert(1)', '--policy', p)).toMatchObject({ verdict: 'block', rule: { id: 'system:scheme' }, normalizedUrl: null });
    expect(await testJson('http://2130706433/', '--policy', p)).toMatchObject({ verdict: 'block', rule: { id: 'system:address' }, normalizedUrl: 'http://127.0.0.1/' });
  });

  it('refuses a bad file with exit 2, naming the line and the key', async () => {
    const p = file('bad.yaml', 'default: allow\nrules:\n  - id: x\n    match: { domian: mail.example.test }\n    action: block\n');
    const res = await run(['test', 'https://mail.example.test/', '--json', '--policy', p]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('line 4, rules[0].match.domian: unknown key "domian"');
    const missing = await run(['test', 'https://a.example/', '--policy', path.join(dataDir, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read');
  });

  it('rejects usage errors with exit 2', async () => {
    expect((await run(['test'])).code).toBe(2);
    expect((await run(['test', 'https://a.example/', '--source-ip', 'not-an-ip'])).code).toBe(2);
    expect((await run(['test', 'https://a.example/', '--bogus'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
  });

  it('prints a Japanese and English line without --json', async () => {
    const p = file('minimal.yaml', MINIMAL);
    const res = await run(['test', 'https://mail.example.test/inbox', '--policy', p]);
    expect(res.code).toBe(0);
    expect(res.stdout.split('\n')[0]).toBe('遮断 / block: https://mail.example.test/inbox — rule / ルール: no-webmail — rule "no-webmail" matched by domain: block');
  });
});

describe('kekkai policy with the data directory', () => {
  it('tests against the stored policy: allow on a fresh install, then the imported version', async () => {
    expect(await testJson('https://mail.example.test/inbox')).toMatchObject({ verdict: 'allow', rule: null });
    const imported = await run(['import', file('minimal.yaml', MINIMAL)]);
    expect(imported).toMatchObject({ code: 0, stdout: expect.stringContaining('saved policy version 2') });
    expect(await testJson('https://mail.example.test/inbox')).toMatchObject({ verdict: 'block', rule: { id: 'no-webmail' } });
  });

  it('import refuses a broken file and leaves the stored policy alone', async () => {
    await run(['import', file('minimal.yaml', MINIMAL)]);
    const res = await run(['import', file('bad.yaml', 'default: allow\nrules:\n  - id: a\n    action: deny\n')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/line 4, rules\[0\]\.action/);
    expect((await run(['export'])).stdout).toBe(MINIMAL);
    const history = await run(['history']);
    expect(history.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('exports, lists history, diffs and rolls back', async () => {
    await run(['import', file('a.yaml', MINIMAL)]);
    await run(['import', file('b.yaml', MINIMAL.replace('action: block', 'action: warn'))]);
    expect((await run(['export', '--version', '1'])).stdout).toBe(MINIMAL);
    expect((await run(['export', '--version', '9'])).code).toBe(2);
    const history = (await run(['history'])).stdout.trim().split('\n');
    expect(history).toHaveLength(2);
    expect(history[0]).toMatch(/^\s*2 \* \S+ {2}- {2}imported from b\.yaml$/);
    expect((await run(['diff', '1', '2'])).stdout).toContain('-    action: block\n+    action: warn\n');
    const rolled = await run(['rollback', '1']);
    expect(rolled).toMatchObject({ code: 0, stdout: expect.stringContaining('version 1 restored as version 3') });
    expect(await testJson('https://mail.example.test/inbox')).toMatchObject({ verdict: 'block' });
    expect((await run(['rollback', '42'])).code).toBe(2);
  });

  it('imports a hosts-file category and a UT1 directory, and test uses them', async () => {
    const hosts = file('webmail.hosts', '127.0.0.1 localhost\n0.0.0.0 Mail.Example.Test.\n0.0.0.0 webmail.example.jp\nnot a line\n');
    const res = await run(['categories', 'import', 'webmail', hosts, '--format', 'hosts']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('category webmail: 2 domains (+2 -0), 1 invalid lines skipped (first: 4)');
    file('ut1/adult/domains', 'bad.example.jp\n# comment\n');
    file('ut1/games/domains', 'games.example.jp\n');
    const ut1 = await run(['categories', 'import-ut1', path.join(dataDir, 'ut1')]);
    expect(ut1.stdout).toBe('category adult: 1 domains (+1 -0)\ncategory games: 1 domains (+1 -0)\n');
    const policy = file(
      'cat.yaml',
      'default: allow\nrules:\n  - id: webmail\n    match: { category: webmail }\n    action: warn\n  - id: adult\n    match: { category: adult }\n    action: block\n',
    );
    expect((await run(['import', policy])).code).toBe(0);
    expect(await testJson('https://mail.example.test/')).toMatchObject({ verdict: 'warn', rule: { id: 'webmail' } });
    expect(await testJson('https://www.bad.example.jp/')).toMatchObject({ verdict: 'block', rule: { id: 'adult' } });
    expect(await testJson('https://games.example.jp/')).toMatchObject({ verdict: 'allow', rule: null });
    // --policy FILE also sees the stored lists.
    expect(await testJson('https://www.bad.example.jp/', '--policy', policy)).toMatchObject({ verdict: 'block', rule: { id: 'adult' } });
    expect((await run(['categories', 'import', '../x', hosts])).code).toBe(2);
  });

  it('audits every change it makes: import, rollback and category imports, with the OS account as actor', async () => {
    await run(['import', file('a.yaml', MINIMAL)]);
    await run(['import', file('bad.yaml', 'default: maybe\n')]);
    await run(['rollback', '1']);
    await run(['categories', 'import', 'webmail', file('w.hosts', '0.0.0.0 mail.example.test\n'), '--format', 'hosts']);
    file('ut1/games/domains', 'games.example.jp\n');
    await run(['categories', 'import-ut1', path.join(dataDir, 'ut1')]);
    // Reading commands leave no record.
    await run(['history']);
    await testJson('https://mail.example.test/');
    const db = openDatabase(dataDir);
    const key = loadAuditKey({ dataDir, create: false })!.key;
    const records = [...new AuditLog(new SqliteAuditRepository(db), key).records({})];
    db.close();
    expect(records.map((r) => [r.event, r.userName, r.details.source, r.details.action])).toEqual([
      ['policy-change', `os:${os.userInfo().username}`, 'cli', 'import'],
      ['policy-change', `os:${os.userInfo().username}`, 'cli', 'rollback'],
      ['policy-change', `os:${os.userInfo().username}`, 'cli', 'category-import'],
      ['policy-change', `os:${os.userInfo().username}`, 'cli', 'category-import'],
    ]);
    expect(records[0]!.details).toMatchObject({ file: 'a.yaml', before: null, after: { version: 1 } });
    expect(records[1]!.details).toMatchObject({ to: 1, before: { version: 1 }, after: { version: 2 } });
    expect(records[3]!.details).toMatchObject({ category: 'games', list: 'ut1', after: { domains: 1 } });
  });

  it('does not create a database for test --policy', async () => {
    const p = file('minimal.yaml', MINIMAL);
    await testJson('https://a.example/', '--policy', p);
    const db = openDatabase(dataDir);
    try {
      expect(new SqlitePolicyRepository(db).list()).toEqual([]);
    } finally {
      db.close();
    }
  });
});
