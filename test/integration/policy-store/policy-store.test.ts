/** The policy store on real SQLite: versions, refusal of broken documents, rollback, diff, categories. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { PolicyService } from '../../../gateway/policy-store/policy-service.js';
import { CategoryNameError, SqlitePolicyRepository } from '../../../gateway/policy-store/sqlite-policy-repository.js';
import { openDatabase, type SqliteDb } from '../../../gateway/database.js';

const MINIMAL = 'default: allow\nrules:\n  - id: no-webmail\n    match: { domain: mail.example.test }\n    action: block\n';
const WARN_NEWS = 'default: allow\nrules:\n  - id: news\n    match: { domain: news.example.test }\n    action: warn\n';

let dataDir: string;
let db: SqliteDb;
let repo: SqlitePolicyRepository;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-policy-store-'));
  db = openDatabase(dataDir);
  repo = new SqlitePolicyRepository(db);
});
afterEach(() => {
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('SqlitePolicyRepository versions', () => {
  it('saves versions, lists them newest first and returns each text unchanged', () => {
    const a = repo.save(MINIMAL, { authorName: 'admin1', authorUserId: 7, comment: 'first' });
    const b = repo.save(WARN_NEWS, { comment: 'second' });
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(b.version.version).toBe(a.version.version + 1);
    expect(repo.current()?.yaml).toBe(WARN_NEWS);
    expect(repo.list().map((v) => [v.version, v.comment, v.authorName])).toEqual([
      [b.version.version, 'second', null],
      [a.version.version, 'first', 'admin1'],
    ]);
    expect(repo.get(a.version.version)).toMatchObject({ yaml: MINIMAL, authorUserId: 7 });
  });

  it('refuses a broken document with the issues and changes nothing', () => {
    repo.save(MINIMAL);
    const before = repo.stamp();
    const bad = repo.save('default: allow\nrules:\n  - id: x\n    match: { domian: a.example }\n    action: block\n');
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.issues).toEqual([expect.objectContaining({ path: 'rules[0].match.domian', line: 4 })]);
    expect(repo.list()).toHaveLength(1);
    expect(repo.current()?.yaml).toBe(MINIMAL);
    expect(repo.stamp()).toBe(before);
    expect(repo.save(': : not yaml [').ok).toBe(false);
    expect(repo.list()).toHaveLength(1);
  });

  it('rolls back by saving a copy of an old version as the newest', () => {
    const v1 = repo.save(MINIMAL);
    repo.save(WARN_NEWS);
    if (!v1.ok) throw new Error('save failed');
    const rolled = repo.rollback(v1.version.version);
    expect(rolled.ok).toBe(true);
    if (!rolled.ok) return;
    expect(rolled.version.version).toBe(3);
    expect(rolled.version.comment).toBe('rollback to version 1');
    expect(repo.current()?.yaml).toBe(MINIMAL);
    expect(repo.list()).toHaveLength(3);
    const missing = repo.rollback(99);
    expect(missing.ok).toBe(false);
    expect(repo.list()).toHaveLength(3);
  });

  it('diffs two versions line by line', () => {
    repo.save(MINIMAL);
    repo.save(MINIMAL.replace('action: block', 'action: warn'));
    expect(repo.diff(1, 2)?.filter((d) => d.op !== ' ')).toEqual([
      { op: '-', text: '    action: block' },
      { op: '+', text: '    action: warn' },
    ]);
    expect(repo.diff(1, 5)).toBeUndefined();
  });

  it('works on a database opened again (tables created idempotently)', () => {
    repo.save(MINIMAL);
    db.close();
    db = openDatabase(dataDir);
    repo = new SqlitePolicyRepository(db);
    expect(repo.current()?.yaml).toBe(MINIMAL);
  });
});

describe('category lists', () => {
  it('replaces a category in one go and reports counts', () => {
    expect(repo.importCategory('webmail', ['mail.example.test', 'webmail.example.jp'])).toEqual({ name: 'webmail', domains: 2, added: 2, removed: 0 });
    expect(repo.importCategory('webmail', ['webmail.example.jp', 'post.example.jp', 'post.example.jp'])).toEqual({ name: 'webmail', domains: 2, added: 1, removed: 1 });
    expect(repo.categoryDomains(['webmail', 'nope'])).toEqual({ webmail: expect.arrayContaining(['webmail.example.jp', 'post.example.jp']) });
    expect(repo.categoriesOf('a.post.example.jp')).toEqual(['webmail']);
    expect(repo.categoriesOf('mail.example.test')).toEqual([]);
    expect(repo.categories()).toEqual([expect.objectContaining({ name: 'webmail', domainCount: 2 })]);
    expect(() => repo.importCategory('../etc', ['a.example'])).toThrow(CategoryNameError);
  });

  it('lets a policy name a stored category and evaluation uses its domains', () => {
    const yaml = 'default: allow\nrules:\n  - id: adult\n    match: { category: adult }\n    action: block\n';
    expect(repo.save(yaml).ok).toBe(false); // not imported yet: unknown category
    repo.importCategory('adult', ['bad.example.jp']);
    expect(repo.save(yaml).ok).toBe(true);
    const service = new PolicyService(repo, { refreshIntervalMs: 0 });
    expect(service.evaluate('https://www.bad.example.jp/x').verdict).toBe('block');
    expect(service.evaluate('https://good.example.jp/').verdict).toBe('allow');
    // A re-import reaches the service without a restart.
    repo.importCategory('adult', ['other.example.jp']);
    expect(service.evaluate('https://www.bad.example.jp/x').verdict).toBe('allow');
    expect(service.evaluate('https://other.example.jp/').rule?.id).toBe('adult');
  });
});

describe('PolicyService', () => {
  it('starts a fresh install with an allow-all default policy', () => {
    const service = new PolicyService(repo);
    expect(repo.list()).toHaveLength(1);
    expect(service.current().policy).toMatchObject({ default: 'allow', rules: [] });
    expect(service.evaluate('https://example.jp/').verdict).toBe('allow');
    expect(service.evaluate('http://127.0.0.1/').rule?.id).toBe('system:address');
    new PolicyService(repo);
    expect(repo.list()).toHaveLength(1);
  });

  it('refreshes the cached policy on save and keeps it after a refused save', () => {
    const service = new PolicyService(repo, { refreshIntervalMs: 60_000 });
    const first = service.current();
    expect(service.current()).toBe(first);
    expect(service.save(MINIMAL).ok).toBe(true);
    expect(service.evaluate('https://mail.example.test/inbox').verdict).toBe('block');
    const second = service.current();
    expect(service.save('default: maybe\n').ok).toBe(false);
    expect(service.current()).toBe(second);
    expect(service.rollback(1).ok).toBe(true);
    expect(service.evaluate('https://mail.example.test/inbox').verdict).toBe('allow');
  });

  it('notices a version saved through another connection after the refresh interval', () => {
    let now = 0;
    const service = new PolicyService(repo, { refreshIntervalMs: 1000 });
    const otherDb = openDatabase(dataDir);
    onTestFinished(() => void otherDb.close());
    const other = new SqlitePolicyRepository(otherDb);
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      expect(service.evaluate('https://mail.example.test/').verdict).toBe('allow');
      other.save(MINIMAL);
      now = 500;
      expect(service.evaluate('https://mail.example.test/').verdict).toBe('allow');
      now = 1500;
      expect(service.evaluate('https://mail.example.test/').verdict).toBe('block');
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('test() names later rules that also match and the rules that shadow them', () => {
    const service = new PolicyService(repo);
    service.save(
      [
        'default: allow',
        'rules:',
        '  - id: all-example',
        '    match: { domain: example.jp }',
        '    action: warn',
        '  - id: www-example',
        '    match: { host: www.example.jp }',
        '    action: block',
        '  - id: intranet',
        '    match: { cidr: 10.0.0.0/8 }',
        '    action: allow',
      ].join('\n'),
    );
    const result = service.test('https://www.example.jp/');
    expect(result.verdict).toMatchObject({ verdict: 'warn', rule: { id: 'all-example' } });
    expect(result.laterMatches).toEqual([{ rule: { id: 'www-example', name: null }, shadowedBy: [expect.objectContaining({ rule: { id: 'all-example', name: null } })] }]);
    expect(result.cidrNeedsProxy).toBe(true);
    expect(result.version).toBe(2);
  });
});
