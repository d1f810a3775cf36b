/**
 * `kekkai policy …`: test a URL, validate/import/export policy YAML, list and roll back
 * versions, import category lists. Exit codes: 0 done (any verdict), 1 failure, 2 usage
 * or input error (bad file, unknown version).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { evaluate, formatIssues, importUt1Directory, isIpLiteral, parseCategoryList, type ListFormat, type Policy, type PolicyIssue, type Verdict } from '../../policies/index.js';
import { describeRefusal, previewAddress } from '../egress/egress-preview.js';
import { unifiedDiff } from '../policy-store/policy-diff.js';
import { parsePolicyDocument } from '../policy-store/policy-document.js';
import { PolicyService, testPolicy, withStoreCategories, type PolicyExplanation } from '../policy-store/policy-service.js';
import { CategoryNameError, SqlitePolicyRepository } from '../policy-store/sqlite-policy-repository.js';
import { openDatabase, type SqliteDb } from '../database.js';
import { auditOrigin, currentOsAccount } from '../actor.js';
import { openAuditLog, type AuditSetupConfig } from '../audit/audit-setup.js';

/** The settings this command reads. */
export type PolicyCommandConfig = AuditSetupConfig & {
  egress?: { allowPrivate?: readonly string[] | undefined; allowedPorts?: readonly number[] | undefined } | undefined;
  /** The gateway's listening port: the egress proxy refuses it. */
  port?: number | undefined;
};

const USAGE = `Usage:
  kekkai policy test URL [--policy FILE] [--role ROLE] [--source-ip IP] [--json]
  kekkai policy validate FILE
  kekkai policy import FILE [--comment TEXT]
  kekkai policy export [--version N]
  kekkai policy history
  kekkai policy diff FROM TO
  kekkai policy rollback N
  kekkai policy categories import NAME FILE [--format hosts|plain|auto]
  kekkai policy categories import-ut1 DIR
`;

class UsageError extends Error {}

const VERDICT_JA: Record<Verdict['verdict'], string> = { allow: '許可', block: '遮断', warn: '警告', 'read-only': '閲覧のみ' };

const out = (text: string): void => void process.stdout.write(text);
const err = (text: string): void => void process.stderr.write(text);

export async function runPolicy(args: string[], config: Readonly<PolicyCommandConfig>): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'test':
        return await runTest(rest, config);
      case 'validate':
        return runValidate(rest, config);
      case 'import':
        return await withAuditedDb(config, (db, audit) => runImport(rest, db, audit));
      case 'export':
        return withDb(config, (db) => runExport(rest, db));
      case 'history':
        return withDb(config, (db) => runHistory(rest, db));
      case 'diff':
        return withDb(config, (db) => runDiff(rest, db));
      case 'rollback':
        return await withAuditedDb(config, (db, audit) => runRollback(rest, db, audit));
      case 'categories':
        return await runCategories(rest, config);
    }
    throw new UsageError(sub ? `unknown policy command "${sub}"` : 'missing policy command');
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (e instanceof UsageError || e instanceof CategoryNameError || code?.startsWith('ERR_PARSE_ARGS_')) {
      err(`kekkai policy: ${(e as Error).message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

function withDb(config: Readonly<PolicyCommandConfig>, fn: (db: SqliteDb) => number): number {
  const db = openDatabase(config.dataDir);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** The newest stored version, without creating one on a fresh database. */
function latestVersion(repo: SqlitePolicyRepository): { version: number; yaml: string } | null {
  const newest = repo.list()[0];
  return newest ? (repo.get(newest.version) ?? null) : null;
}

/** Records a policy change made from the command line (actor: the OS account, source cli). */
type PolicyAudit = (details: Record<string, unknown>) => void;

/**
 * A database for a command that changes policies or categories, with its audit log
 * opened first: without a usable audit key nothing is changed, like `kekkai user add`.
 */
async function withAuditedDb(config: Readonly<PolicyCommandConfig>, fn: (db: SqliteDb, audit: PolicyAudit) => number | Promise<number>): Promise<number> {
  const db = openDatabase(config.dataDir);
  try {
    const log = openAuditLog(db, config, (msg) => err(`warning: ${msg}\n`));
    try {
      const { who, details: origin } = auditOrigin({ source: 'cli', os: currentOsAccount() });
      return await fn(db, (details) => log.audit.record({ ...who, event: 'policy-change', outcome: 'success', details: { ...origin, ...details } }));
    } finally {
      await log.close();
    }
  } finally {
    db.close();
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

function positiveInt(text: string | undefined, what: string): number {
  if (!text || !/^[1-9]\d{0,15}$/.test(text)) throw new UsageError(`${what} must be a version number, got ${JSON.stringify(text ?? '')}`);
  return Number(text);
}

function reportIssues(file: string, issues: readonly PolicyIssue[]): number {
  err(`${file}: the policy is not valid; nothing was changed. / ポリシーに誤りがあります。変更していません。\n${formatIssues(issues)}\n`);
  return 2;
}

/** Names of the categories imported into the store, without creating a database. */
function storeCategoryNames(config: Readonly<PolicyCommandConfig>): { names: Set<string>; repo: SqlitePolicyRepository | null; db: SqliteDb | null } {
  if (!existsSync(path.join(config.dataDir, 'kekkai.db'))) return { names: new Set(), repo: null, db: null };
  const db = openDatabase(config.dataDir);
  const repo = new SqlitePolicyRepository(db);
  return { names: new Set(repo.categories().map((c) => c.name)), repo, db };
}

async function runTest(args: string[], config: Readonly<PolicyCommandConfig>): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { policy: { type: 'string' }, role: { type: 'string' }, 'source-ip': { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
  });
  const url = positionals[0];
  if (url === undefined || positionals.length !== 1) throw new UsageError('policy test takes exactly one URL');
  const sourceIp = values['source-ip'];
  if (sourceIp !== undefined && !isIpLiteral(sourceIp)) throw new UsageError(`--source-ip must be an IP address, got ${JSON.stringify(sourceIp)}`);
  if (values.role !== undefined && values.role.trim() === '') throw new UsageError('--role must not be empty');
  const ctx = { role: values.role ?? null, sourceIp: sourceIp ?? null, now: new Date(), allowPrivate: config.egress?.allowPrivate ?? [] };

  let source: string;
  let policy: Policy;
  if (values.policy !== undefined) {
    const text = readText(values.policy);
    const store = storeCategoryNames(config);
    try {
      const parsed = parsePolicyDocument(text, store.names);
      if (!parsed.ok) return reportIssues(values.policy, parsed.issues);
      policy = store.repo ? withStoreCategories(parsed.policy, store.repo) : parsed.policy;
    } finally {
      store.db?.close();
    }
    source = values.policy;
  } else {
    const db = openDatabase(config.dataDir);
    try {
      const snapshot = new PolicyService(new SqlitePolicyRepository(db)).snapshot();
      policy = snapshot.policy;
      source = `version ${snapshot.version}`;
    } finally {
      db.close();
    }
  }
  // What browsing does with the entry: the navigation guard's verdict, then the egress
  // proxy's checks with the name resolved (egress/url-decision.ts), as in the admin console.
  const egress = { allowPrivate: config.egress?.allowPrivate ?? [], allowedPorts: config.egress?.allowedPorts ?? [80, 443] };
  const preview = await previewAddress(url, { role: ctx.role, sourceIp: ctx.sourceIp }, { policy: { evaluate: (u, c) => evaluate(policy, u, c) }, egress, ownPorts: config.port ? [config.port] : [] });
  const result: PolicyExplanation = testPolicy(policy, preview.testedUrl, ctx);
  const { verdict, egress: refusal } = preview.decision;
  const refused = preview.decision.refusedBy === 'egress' && refusal ? refusal : null;
  if (values.json) {
    const base = { verdict: preview.decision.outcome, rule: verdict.rule, normalizedUrl: verdict.normalizedUrl, reason: refused ? refused.reason : verdict.reason };
    out(`${JSON.stringify(refused ? { ...base, policyVerdict: verdict.verdict, egress: { code: refused.code, addresses: refused.addresses } } : base)}\n`);
    return 0;
  }
  if (refused) {
    const why = describeRefusal(refused, hostOf(preview.testedUrl), egress.allowedPorts);
    out(`${VERDICT_JA.block} / block: ${verdict.normalizedUrl ?? preview.testedUrl} — egress proxy / 接続先の確認: ${why.ja} / ${why.en}\n`);
    out(`  policy alone / URL ポリシーのみ: ${describeVerdict(verdict)}\n`);
  } else out(`${describeVerdict(verdict)}\n`);
  if (preview.assumedScheme) out(`  tested as / 判定した URL: ${preview.testedUrl} (no scheme: https:// assumed / スキームがないため https:// として判定)\n`);

  for (const later of result.laterMatches) {
    const by = later.shadowedBy.map((s) => s.rule.id).join(', ');
    out(`  also matches / 次のルールにも一致: ${later.rule.id}${by ? ` (shadowed by / 先行ルールで無効: ${by})` : ''}\n`);
  }
  if (result.cidrNeedsProxy) out('  note / 注意: cidr rules need resolved addresses; only the egress proxy applies them to host names. / cidr ルールは名前解決後のプロキシでのみ適用されます。\n');
  out(`  policy / ポリシー: ${source}\n`);
  return 0;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

function describeVerdict(v: Verdict): string {
  const rule = v.rule ? `${v.rule.id}${v.rule.name ? ` (${v.rule.name})` : ''}` : 'none, default action / なし（既定の動作）';
  return `${VERDICT_JA[v.verdict]} / ${v.verdict}: ${v.normalizedUrl ?? '(invalid URL / 不正な URL)'} — rule / ルール: ${rule} — ${v.reason}`;
}

function runValidate(args: string[], config: Readonly<PolicyCommandConfig>): number {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
  const file = positionals[0];
  if (!file || positionals.length !== 1) throw new UsageError('policy validate takes one FILE');
  const store = storeCategoryNames(config);
  store.db?.close();
  const parsed = parsePolicyDocument(readText(file), store.names);
  if (!parsed.ok) return reportIssues(file, parsed.issues);
  out(`${file}: valid, ${parsed.policy.rules.length} rules / 有効なポリシーです（ルール ${parsed.policy.rules.length} 件）\n`);
  return 0;
}

function runImport(args: string[], db: SqliteDb, audit: PolicyAudit): number {
  const { values, positionals } = parseArgs({ args, options: { comment: { type: 'string' } }, allowPositionals: true });
  const file = positionals[0];
  if (!file || positionals.length !== 1) throw new UsageError('policy import takes one FILE');
  const repo = new SqlitePolicyRepository(db);
  const before = latestVersion(repo);
  const saved = repo.save(readText(file), { comment: values.comment ?? `imported from ${path.basename(file)}` });
  if (!saved.ok) return reportIssues(file, saved.issues);
  audit({ action: 'import', file: path.basename(file), before: before ? { version: before.version, yaml: before.yaml } : null, after: { version: saved.version.version, yaml: saved.version.yaml } });
  out(`saved policy version ${saved.version.version} / ポリシーを版 ${saved.version.version} として保存しました\n`);
  return 0;
}

function runExport(args: string[], db: SqliteDb): number {
  const { values } = parseArgs({ args, options: { version: { type: 'string' } } });
  const repo = new SqlitePolicyRepository(db);
  const record = values.version !== undefined ? repo.get(positiveInt(values.version, '--version')) : new PolicyService(repo).currentRecord();
  if (!record) throw new UsageError(`policy version ${values.version} does not exist`);
  out(record.yaml.endsWith('\n') ? record.yaml : `${record.yaml}\n`);
  return 0;
}

function runHistory(args: string[], db: SqliteDb): number {
  parseArgs({ args, options: {} });
  const versions = new SqlitePolicyRepository(db).list();
  if (versions.length === 0) out('no policy saved yet; the default (allow) applies / ポリシー未保存（既定: 許可）\n');
  versions.forEach((v, i) => {
    const who = v.authorName ?? (v.authorUserId !== null ? `user ${v.authorUserId}` : '-');
    out(`${String(v.version).padStart(5)}${i === 0 ? ' *' : '  '} ${v.createdAt}  ${who}  ${v.comment ?? ''}\n`);
  });
  return 0;
}

function runDiff(args: string[], db: SqliteDb): number {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
  if (positionals.length !== 2) throw new UsageError('policy diff takes FROM and TO versions');
  const repo = new SqlitePolicyRepository(db);
  const from = repo.get(positiveInt(positionals[0], 'FROM'));
  const to = repo.get(positiveInt(positionals[1], 'TO'));
  if (!from || !to) throw new UsageError(`policy version ${positionals[0]} or ${positionals[1]} does not exist`);
  out(unifiedDiff(from.yaml, to.yaml));
  return 0;
}

function runRollback(args: string[], db: SqliteDb, audit: PolicyAudit): number {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError('policy rollback takes one version number');
  const version = positiveInt(positionals[0], 'N');
  const repo = new SqlitePolicyRepository(db);
  const before = latestVersion(repo);
  const saved = repo.rollback(version);
  if (!saved.ok) {
    err(`kekkai policy rollback: ${formatIssues(saved.issues)}\n`);
    return 2;
  }
  audit({ action: 'rollback', to: version, before: before ? { version: before.version, yaml: before.yaml } : null, after: { version: saved.version.version, yaml: saved.version.yaml } });
  out(`version ${version} restored as version ${saved.version.version} / 版 ${version} を版 ${saved.version.version} として復元しました\n`);
  return 0;
}

async function runCategories(args: string[], config: Readonly<PolicyCommandConfig>): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'import') {
    const { values, positionals } = parseArgs({ args: rest, options: { format: { type: 'string' } }, allowPositionals: true });
    const [name, file] = positionals;
    if (!name || !file || positionals.length !== 2) throw new UsageError('categories import takes NAME and FILE');
    const format = (values.format ?? 'auto') as ListFormat;
    if (!['hosts', 'plain', 'auto'].includes(format)) throw new UsageError('--format must be hosts, plain or auto');
    const text = readText(file);
    return withAuditedDb(config, (db, audit) => {
      const list = parseCategoryList(text, format);
      const repo = new SqlitePolicyRepository(db);
      const before = repo.categories().find((c) => c.name === name);
      const r = repo.importCategory(name, list.domains, path.basename(file));
      audit({ action: 'category-import', category: r.name, before: before ? { domains: before.domainCount } : null, after: { domains: r.domains, added: r.added, removed: r.removed } });
      const lines = list.invalid > 0 ? `, ${list.invalid} invalid lines skipped (first: ${list.invalidLines.join(', ')})` : '';
      out(`category ${r.name}: ${r.domains} domains (+${r.added} -${r.removed})${lines}\n`);
      return 0;
    });
  }
  if (sub === 'import-ut1') {
    const { positionals } = parseArgs({ args: rest, options: {}, allowPositionals: true });
    const dir = positionals[0];
    if (!dir || positionals.length !== 1) throw new UsageError('categories import-ut1 takes one DIR');
    let imported;
    try {
      imported = await importUt1Directory(dir);
    } catch (e) {
      throw new UsageError(`cannot read ${dir}: ${(e as Error).message}`);
    }
    const names = Object.keys(imported.categories);
    if (names.length === 0) throw new UsageError(`${dir} holds no <category>/domains files`);
    return withAuditedDb(config, (db, audit) => {
      const repo = new SqlitePolicyRepository(db);
      for (const name of names) {
        const before = repo.categories().find((c) => c.name === name);
        const r = repo.importCategory(name, imported.categories[name] ?? [], `ut1:${path.basename(path.resolve(dir))}`);
        audit({ action: 'category-import', category: r.name, list: 'ut1', before: before ? { domains: before.domainCount } : null, after: { domains: r.domains, added: r.added, removed: r.removed } });
        const invalid = imported.invalid[name] ?? 0;
        out(`category ${r.name}: ${r.domains} domains (+${r.added} -${r.removed})${invalid > 0 ? `, ${invalid} invalid lines skipped` : ''}\n`);
      }
      return 0;
    });
  }
  throw new UsageError(sub ? `unknown categories command "${sub}"` : 'missing categories command');
}
