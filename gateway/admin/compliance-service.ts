/**
 * Evidence for the Ministry of Health checklist items kekkai covers, as live
 * figures, and their CSV export (UTF-8 with BOM so Excel opens it).
 */
import type { AuditLog } from '../audit/audit-log.js';
import { PERMISSIONS } from '../auth/permissions.js';
import { ROLES, type Store } from '../store/repositories.js';
import { roleSourceRanges } from '../auth/source-ranges.js';
import { TOTP_REQUIRED_ROLES } from '../auth/auth-service.js';
import { csvDocument } from '../export/csv-writer.js';
import type { TimeSync } from '../ops/time-sync.js';
import { formatAuditTime } from '../audit/audit-event.js';
import type { BackupStatus } from '../ops/backup-status.js';
import { AccountService, DEFAULT_UNUSED_DAYS } from './account-service.js';
import { displayValue, FIGURE_LABELS } from './compliance-labels.js';

export interface ComplianceItem {
  id: 'role-rights' | 'unused-accounts' | 'access-logs' | 'time-source' | 'source-restriction' | 'second-factor' | 'backups';
  title: { ja: string; en: string };
  figures: Record<string, string | number | boolean | null>;
  ok: boolean;
}

/** What the compliance page knows of scheduled backups: the latest status and how old the last success may be. */
export interface BackupEvidence {
  status: BackupStatus | null;
  maxAgeHours: number;
}

/**
 * Backups taken on schedule, recently, encrypted and copied apart from the server
 * (`kekkai backup --scheduled`, docs/operations.md). From `<dataDir>/backup-status.json`.
 */
export function backupItem(evidence: BackupEvidence, now: Date): ComplianceItem {
  const s = evidence.status;
  const lastSuccess = s?.lastSuccessAt ? new Date(s.lastSuccessAt) : null;
  const recent = lastSuccess !== null && now.getTime() - lastSuccess.getTime() <= evidence.maxAgeHours * 3600_000;
  return {
    id: 'backups',
    title: { ja: 'バックアップ（定期・暗号化・別保管）', en: 'Backups (scheduled, encrypted, kept apart)' },
    figures: {
      lastSuccess: lastSuccess ? formatAuditTime(lastSuccess) : null,
      maxAgeHours: evidence.maxAgeHours,
      lastAttempt: s ? formatAuditTime(new Date(s.lastAttemptAt)) : null,
      lastAttemptOk: s?.ok ?? null,
      lastError: s?.error ?? null,
      file: s?.file ?? null,
      encrypted: s?.encrypted ?? null,
      copiedTo: s?.copiedTo ?? null,
      kept: s?.kept ?? null,
    },
    ok: Boolean(s?.ok && recent && s.encrypted && s.copiedTo),
  };
}

export function complianceReport(store: Store, audit: Pick<AuditLog, 'count' | 'records' | 'verify'>, now = new Date(), timeSync: TimeSync | null = null, backups?: BackupEvidence): ComplianceItem[] {
  const accounts = new AccountService(store, () => now);
  const all = accounts.list();
  const unused = accounts.unused(DEFAULT_UNUSED_DAYS);
  const verify = audit.verify();
  let oldest: string | null = null;
  for (const record of audit.records({})) {
    oldest = record.time;
    break;
  }
  const ranges = roleSourceRanges(store.settings);
  const restrictedRoles = ROLES.filter((r) => ranges[r].length > 0);
  const restrictedAccounts = all.filter((a) => a.allowedSources.length > 0).map((a) => a.name);
  const privileged = all.filter((a) => TOTP_REQUIRED_ROLES.includes(a.role) && !a.disabled);
  const withTotp = privileged.filter((a) => a.totpEnabled);
  const rights = Object.fromEntries(ROLES.map((role) => [role, Object.entries(PERMISSIONS).filter(([, roles]) => (roles as readonly string[]).includes(role)).map(([p]) => p).join(' ') || '-']));
  return [
    { id: 'role-rights', title: { ja: '役割・職務に応じたアクセス権限', en: 'Access rights per role and duty' }, figures: rights, ok: true },
    {
      id: 'unused-accounts',
      title: { ja: '不要・未使用アカウントの管理', en: 'No unused or departed accounts' },
      figures: { days: DEFAULT_UNUSED_DAYS, unused: unused.length, accounts: all.length, names: unused.map((a) => a.name).join(' ') },
      ok: unused.length === 0,
    },
    {
      id: 'access-logs',
      title: { ja: 'アクセスログの管理', en: 'Access logs kept and protected' },
      figures: {
        records: audit.count(),
        oldest,
        chainOk: verify.ok,
        firstBadSeq: verify.ok ? null : verify.firstBadSeq,
        // The chain's end against the head anchor kept outside the database (docs/audit.md).
        anchoredSeq: verify.ok ? (verify.anchoredSeq ?? null) : null,
        problem: verify.ok ? null : verify.reason,
        missingRecords: !verify.ok && verify.reason === 'truncated' ? `${verify.firstBadSeq}–${verify.missingTo}` : null,
      },
      ok: verify.ok,
    },
    {
      // Log times are evidence only while the clock follows a time source (ops/time-sync.ts).
      id: 'time-source',
      title: { ja: '時刻の同期（NTP）', en: 'Clock synchronised (NTP)' },
      figures: { state: timeSync?.state ?? 'unknown', source: timeSync?.source ?? null, detail: timeSync?.detail ?? 'not checked', checkedAt: timeSync?.checkedAt ?? null },
      ok: timeSync?.state === 'synchronized',
    },
    {
      id: 'source-restriction',
      title: { ja: '接続元の制限', en: 'Restricted connection sources' },
      figures: { roles: restrictedRoles.map((r) => `${r}=${ranges[r].join(',')}`).join(' ') || '-', accounts: restrictedAccounts.join(' ') || '-' },
      ok: restrictedRoles.length > 0 || restrictedAccounts.length > 0,
    },
    {
      id: 'second-factor',
      title: { ja: '二要素認証', en: 'Second factor' },
      figures: { privileged: privileged.length, withTotp: withTotp.length, without: privileged.filter((a) => !a.totpEnabled).map((a) => a.name).join(' ') || '-' },
      ok: withTotp.length === privileged.length,
    },
    ...(backups ? [backupItem(backups, now)] : []),
  ];
}

/** The compliance page's data, over the account store and the audit log. */
export class ComplianceService {
  constructor(
    private readonly store: Store,
    private readonly audit: Pick<AuditLog, 'count' | 'records' | 'verify'>,
    private readonly timeSync: () => TimeSync | null = () => null,
    /** Read at every report (the backup command writes it from another process). */
    private readonly backups?: () => BackupEvidence,
  ) {}

  report(now = new Date()): ComplianceItem[] {
    return complianceReport(this.store, this.audit, now, this.timeSync(), this.backups?.());
  }
}

/**
 * The figures as CSV, UTF-8 with a BOM so Excel opens it: one row per checklist item,
 * Japanese headers, one column per detail (blank where an item has no such detail).
 * Times stay ISO 8601 with their offset; other values read as on the page.
 */
export function complianceCsv(items: readonly ComplianceItem[]): string {
  const keys: string[] = [];
  for (const item of items) for (const key of Object.keys(item.figures)) if (!keys.includes(key)) keys.push(key);
  const header = ['項目', '状態', ...keys.map((k) => FIGURE_LABELS[k]?.ja ?? k)];
  const rows = items.map((item) => [
    item.title.ja,
    item.ok ? '対応済み' : '要確認',
    ...keys.map((k) => {
      if (!(k in item.figures)) return '';
      const value = item.figures[k] ?? null;
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? value : displayValue(k, value).ja;
    }),
  ]);
  return csvDocument([header, ...rows]);
}
