/**
 * `kekkai user add NAME --role ROLE [--department D] [--job J] [--expires YYYY-MM-DD]`:
 * adds an account with a checked password and the same fields as the admin console. The
 * account and its `account-change` audit record (actor: the OS account running the
 * command, source `cli`) are written in one transaction: no account without a record.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { currentOsAccount } from '../actor.js';
import { accountView } from '../admin/account-service.js';
import { openAuditLog } from '../audit/audit-setup.js';
import { recordAccountChange } from '../auth/account-audit.js';
import { checkPasswordRule, hashPassword } from '../auth/passwords.js';
import type { Config } from '../config/config-schema.js';
import { ROLES, type Role, type UserRecord } from '../store/repositories.js';
import { openDatabase } from '../database.js';
import { createSqliteStore } from '../store/sqlite-repositories.js';

const NAME_RULE = /^[\p{L}\p{N}._@-]{1,64}$/u;
const USAGE = 'Usage: kekkai user add NAME --role staff|admin|security [--department TEXT] [--job TEXT] [--expires YYYY-MM-DD]\n  (NAME: letters, digits, . _ @ -, up to 64; department and job up to 100 characters; expires: the last day, Japan time)\n';
/** Control and bidi-override characters never belong in a department or job title. */
const UNSAFE_TEXT = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** The console's account fields from the options, or what is wrong with them (Japanese and English). */
export function profileOf(values: { department?: string | boolean; job?: string | boolean; expires?: string | boolean }): { department: string; jobTitle: string; expiresOn: string | null } | string {
  const department = typeof values.department === 'string' ? values.department.trim() : '';
  const jobTitle = typeof values.job === 'string' ? values.job.trim() : '';
  for (const [label, text] of [['--department', department], ['--job', jobTitle]] as const) {
    if (text.length > 100 || UNSAFE_TEXT.test(text)) return `${label}: up to 100 characters, no control characters / ${label} は制御文字を含まない 100 文字以内で指定してください`;
  }
  const expires = typeof values.expires === 'string' ? values.expires : null;
  if (expires !== null) {
    const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(expires);
    const date = day ? new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]))) : null;
    if (!date || date.toISOString().slice(0, 10) !== expires) return `--expires: a date such as 2027-03-31 / --expires は 2027-03-31 のような日付で指定してください`;
  }
  return { department, jobTitle, expiresOn: expires };
}

export async function runUserAdd(args: string[], config: Readonly<Config>): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { role: { type: 'string' }, department: { type: 'string' }, job: { type: 'string' }, expires: { type: 'string' } }, allowPositionals: true });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const name = positionals[0];
  const role = values.role as Role | undefined;
  const profile = profileOf(values);
  if (typeof profile === 'string') {
    process.stderr.write(`${profile}\n`);
    return 2;
  }
  if (!name || positionals.length !== 1 || !NAME_RULE.test(name)) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (!role || !ROLES.includes(role)) {
    process.stderr.write(`--role must be one of: ${ROLES.join(', ')}\n`);
    return 2;
  }
  const password = await readPassword(`Password for ${name}: `);
  const problem = checkPasswordRule(password);
  if (problem) {
    process.stderr.write(
      'Password refused: at least 13 characters mixing letters, digits and symbols. / パスワードは英字・数字・記号を含む 13 文字以上にしてください。\n',
    );
    return 2;
  }
  const db = openDatabase(config.dataDir);
  const store = createSqliteStore(db);
  try {
    // Opened first: without a usable audit key nothing is changed.
    const log = openAuditLog(db, config, (msg) => process.stderr.write(`warning: ${msg}\n`));
    try {
      if (store.users.findByName(name)) {
        process.stderr.write(`User ${name} already exists. / ユーザー ${name} は既に存在します。\n`);
        return 1;
      }
      const passwordHash = await hashPassword(password);
      const os = currentOsAccount();
      const user = db.transaction((): UserRecord => {
        const inserted = store.users.create({ name, role, passwordHash, mustChangePassword: false });
        store.users.update(inserted.id, profile);
        const created = store.users.findById(inserted.id)!;
        recordAccountChange(log.audit, { source: 'cli', os }, { action: 'create', account: created.name, accountId: created.id, before: null, after: accountView(created) });
        return created;
      }).immediate();
      process.stdout.write(`Added ${role} account ${user.name} (id ${user.id}).\n`);
      return 0;
    } finally {
      await log.close();
    }
  } finally {
    store.close();
  }
}

/** Reads a password from a hidden prompt on a terminal, else the first line of stdin. */
async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const output = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stdout.write(prompt);
  output._writeToOutput = () => undefined;
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stdout.write('\n');
  return answer;
}
