/**
 * `kekkai audit anchor --reset --reason TEXT`: an operator's acknowledgement that the
 * audit log's end no longer matches its head anchor (records lost with a power cut,
 * a restored older database, or an investigated tampering), after which verification
 * starts again from the log's current end. The reset is itself an `audit-anchor`
 * record naming the OS account, the reason and the previous anchor; it is refused
 * while the chain itself is broken (a reset does not hide edited records).
 */
import { parseArgs } from 'node:util';
import { auditOrigin, currentOsAccount } from '../actor.js';
import { describeVerifyResult, verifyChain, type ExpectedHead } from '../audit/audit-chain.js';
import { anchorPath, readAnchor } from '../audit/audit-anchor.js';
import { AuditKeyError, loadAuditKey } from '../audit/audit-key.js';
import { openAuditLog, type AuditSetupConfig } from '../audit/audit-setup.js';
import { SqliteAuditRepository } from '../audit/sqlite-audit-repository.js';
import { openDatabase } from '../database.js';

const USAGE = 'Usage: kekkai audit anchor --reset --reason TEXT\n';

export async function runAnchor(args: string[], config: Readonly<AuditSetupConfig>): Promise<number> {
  const { values } = parseArgs({ args, options: { reset: { type: 'boolean' }, reason: { type: 'string' } } });
  const reason = values.reason?.trim() ?? '';
  if (!values.reset || !reason || reason.length > 500) {
    process.stderr.write(`${USAGE}--reason says why (up to 500 characters); it goes into the audit log.\n`);
    return 2;
  }
  const key = loadAuditKey({ dataDir: config.dataDir, keyFile: config.audit?.keyFile, create: false });
  if (!key) throw new AuditKeyError(`no audit key in ${config.dataDir}/keys/audit.key`);
  const db = openDatabase(config.dataDir);
  try {
    const repo = new SqliteAuditRepository(db);
    const previous = readAnchor(anchorPath(config.dataDir), key.key);
    const chain = verifyChain(repo.iterate(), key.key);
    if (!chain.ok) {
      process.stderr.write(`${describeVerifyResult(chain)}\nThe chain itself is broken: a new head anchor would not change that. / 記録自体が改ざんされているため、ヘッドアンカーの再設定はできません。\n`);
      return 1;
    }
    const withAnchor = verifyChain(repo.iterate(), key.key, [previous]);
    if (withAnchor.ok) {
      process.stdout.write('The head anchor matches the log: nothing to reset. / ヘッドアンカーは監査ログと一致しています。再設定は不要です。\n');
      return 0;
    }
    const log = openAuditLog(db, config, (msg) => process.stderr.write(`warning: ${msg}\n`), { checkAnchor: false });
    try {
      const { who, details } = auditOrigin({ source: 'cli', os: currentOsAccount() });
      const record = log.audit.record({
        ...who,
        event: 'audit-anchor',
        outcome: 'success',
        details: { action: 'reset', ...details, reason, finding: withAnchor.reason, lastSeqBefore: chain.lastSeq ?? 0, previous: describeAnchor(previous, withAnchor.missingTo) },
      });
      log.anchor.reset(record);
      process.stdout.write(`head anchor reset at seq ${record.seq} (was: ${withAnchor.reason}). / ヘッドアンカーを記録 ${record.seq} で再設定しました。\n`);
      return 0;
    } finally {
      await log.close();
    }
  } finally {
    db.close();
  }
}

function describeAnchor(anchor: ExpectedHead, missingTo: number | undefined): Record<string, unknown> {
  if (anchor.state === 'ok') return { state: 'ok', seq: anchor.seq, writtenAt: anchor.writtenAt ?? null, ...(missingTo ? { missingTo } : {}) };
  if (anchor.state === 'invalid') return { state: 'invalid', problem: anchor.problem };
  return { state: 'missing' };
}
