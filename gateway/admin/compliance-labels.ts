/**
 * Plain-language labels and display values for the checklist evidence (issue 13): the
 * compliance page and its CSV show 「未使用のアカウント数」 rather than `unused`, はい/いいえ
 * rather than `true`, permission names rather than `policy:read`, and times in Japan time
 * (the CSV keeps ISO 8601 for times, so a spreadsheet can sort them).
 */
type Text = { ja: string; en: string };

/** The shape of a checklist item (compliance-service.ts's ComplianceItem), kept here to avoid an import cycle. */
interface ComplianceItem {
  id: string;
  title: Text;
  figures: Record<string, string | number | boolean | null>;
  ok: boolean;
}

export const FIGURE_LABELS: Record<string, Text> = {
  staff: { ja: '職員の権限', en: 'Staff rights' },
  admin: { ja: '管理者の権限', en: 'Administrator rights' },
  security: { ja: 'セキュリティ担当の権限', en: 'Security officer rights' },
  days: { ja: '未使用とみなす日数', en: 'Days counted as unused' },
  unused: { ja: '未使用のアカウント数', en: 'Unused accounts' },
  accounts: { ja: 'アカウント数', en: 'Accounts' },
  names: { ja: '未使用のアカウント', en: 'Unused account names' },
  records: { ja: '監査記録の件数', en: 'Audit records' },
  oldest: { ja: '最も古い記録の日時', en: 'Oldest record' },
  chainOk: { ja: '改ざんの有無（異常なし＝はい）', en: 'Tamper check intact' },
  firstBadSeq: { ja: '最初に異常があった記録番号', en: 'First bad record' },
  anchoredSeq: { ja: '末尾として記録された番号', en: 'Anchored record number' },
  problem: { ja: '異常の内容', en: 'Problem' },
  missingRecords: { ja: '失われた記録番号', en: 'Missing records' },
  state: { ja: '時刻同期の状態', en: 'Clock sync state' },
  source: { ja: '時刻源', en: 'Time source' },
  detail: { ja: '詳細', en: 'Detail' },
  checkedAt: { ja: '確認した日時', en: 'Checked at' },
  roles: { ja: '接続元を制限している役割', en: 'Roles with source limits' },
  privileged: { ja: '二要素認証が必要なアカウント数', en: 'Accounts needing a second factor' },
  withTotp: { ja: '二要素認証を設定済みのアカウント数', en: 'Accounts with a second factor' },
  without: { ja: '二要素認証が未設定のアカウント', en: 'Accounts without a second factor' },
  lastSuccess: { ja: '最後に成功した日時', en: 'Last success' },
  maxAgeHours: { ja: '許容する間隔（時間）', en: 'Maximum age (hours)' },
  lastAttempt: { ja: '最後に実行した日時', en: 'Last attempt' },
  lastAttemptOk: { ja: '最後の実行の成否（成功＝はい）', en: 'Last attempt succeeded' },
  lastError: { ja: '最後のエラー', en: 'Last error' },
  file: { ja: 'バックアップファイル', en: 'Backup file' },
  encrypted: { ja: '暗号化', en: 'Encrypted' },
  copiedTo: { ja: '別の保管先', en: 'Copied to' },
  kept: { ja: '保管している世代数', en: 'Generations kept' },
};

const PERMISSION_LABELS: Record<string, Text> = {
  'policy:read': { ja: 'ポリシーの閲覧', en: 'view policies' },
  'policy:write': { ja: 'ポリシーの変更', en: 'change policies' },
  'accounts:read': { ja: 'アカウントの閲覧', en: 'view accounts' },
  'accounts:write': { ja: 'アカウントの変更', en: 'change accounts' },
  'sessions:read': { ja: '利用中セッションの閲覧', en: 'view live sessions' },
  'sessions:terminate': { ja: 'セッションの強制終了', en: 'end sessions' },
  'settings:write': { ja: '運用設定の変更', en: 'change settings' },
  'directory:manage': { ja: 'ディレクトリ連携の管理', en: 'manage directory sign-in' },
  'quarantine:read': { ja: '隔離ファイルの閲覧', en: 'view quarantine' },
  'quarantine:act': { ja: '隔離ファイルの解放・削除', en: 'release or delete quarantined files' },
  'audit:read': { ja: '監査ログの閲覧', en: 'view the audit log' },
  'recordings:read': { ja: '操作録画の再生・書き出し', en: 'play and export session recordings' },
  'compliance:read': { ja: 'チェックリストの閲覧', en: 'view the checklist' },
};

const ROLE_LABELS: Record<string, Text> = { staff: { ja: '職員', en: 'staff' }, admin: { ja: '管理者', en: 'administrators' }, security: { ja: 'セキュリティ担当', en: 'security officers' } };

const STATE_LABELS: Record<string, Text> = {
  synchronized: { ja: '同期済み', en: 'synchronised' },
  unsynchronized: { ja: '同期していない', en: 'not synchronised' },
  unknown: { ja: '不明', en: 'unknown' },
  'not checked': { ja: '未確認', en: 'not checked' },
};

const CHAIN_PROBLEMS: Record<string, Text> = {
  'mac-mismatch': { ja: '記録が書き換えられたか偽造されています', en: 'a record was edited or forged' },
  'sequence-gap': { ja: '記録が削除されています', en: 'records were deleted' },
  'out-of-order': { ja: '記録の順序が乱れています', en: 'records are out of order' },
  malformed: { ja: '記録の形式が壊れています', en: 'a record is malformed' },
  truncated: { ja: '末尾の記録が削除されています', en: 'the newest records were cut off' },
  'head-mismatch': { ja: '末尾が削除され書き直されています', en: 'the end was cut and rewritten' },
  'anchor-missing': { ja: '末尾の記録ファイルがありません', en: 'the head anchor is missing' },
  'anchor-invalid': { ja: '末尾の記録ファイルが改ざんされています', en: 'the head anchor was altered' },
};

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const JST_MS = 9 * 3600_000;

/** `2026/12/02 09:14` in Japan time. */
export function jstMinute(iso: string): string {
  const d = new Date(new Date(iso).getTime() + JST_MS);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().slice(0, 16).replace(/-/g, '/').replace('T', ' ');
}

function both(f: (lang: 'ja' | 'en') => string): Text {
  return { ja: f('ja'), en: f('en') };
}

/** A figure's value for people: はい/いいえ, なし, Japan time, named permissions and states. */
export function displayValue(key: string, value: string | number | boolean | null): Text {
  if (value === null || value === '' || value === '-') return { ja: 'なし', en: 'none' };
  if (typeof value === 'boolean') return value ? { ja: 'はい', en: 'yes' } : { ja: 'いいえ', en: 'no' };
  if (typeof value === 'number') return { ja: value.toLocaleString('ja-JP'), en: value.toLocaleString('en-GB') };
  if (ISO_TIME.test(value)) return { ja: jstMinute(value), en: jstMinute(value) };
  if (key === 'staff' || key === 'admin' || key === 'security') {
    return both((l) => value.split(' ').map((p) => PERMISSION_LABELS[p]?.[l] ?? p).join(l === 'ja' ? '、' : ', '));
  }
  if (key === 'roles') return both((l) => value.split(' ').map((part) => { const [role, ranges] = part.split('='); return `${ROLE_LABELS[role ?? '']?.[l] ?? role}: ${ranges ?? ''}`; }).join(l === 'ja' ? '、' : '; '));
  if (key === 'state' || key === 'detail') return STATE_LABELS[value] ?? { ja: value, en: value };
  if (key === 'problem') return CHAIN_PROBLEMS[value] ?? { ja: value, en: value };
  return { ja: value, en: value };
}

export interface PresentedFigure {
  key: string;
  label: Text;
  value: string | number | boolean | null;
  display: Text;
  /** The value is data (names, paths, a system's own error text), not words to translate. */
  data: boolean;
}

/** Figures whose text is data: account names, files, places, messages from other programs. */
const DATA_FIGURES = new Set(['names', 'without', 'accounts', 'file', 'copiedTo', 'lastError', 'source', 'missingRecords']);

function isData(key: string, value: string | number | boolean | null, display: Text): boolean {
  if (typeof value !== 'string' || display.ja !== value) return false;
  return DATA_FIGURES.has(key) || key === 'detail';
}

/** An item as the API sends it: the raw `figures` (scripts rely on them) plus `details` for people. */
export interface PresentedItem extends ComplianceItem {
  details: PresentedFigure[];
}

export function presentItem(item: ComplianceItem): PresentedItem {
  return {
    ...item,
    details: Object.entries(item.figures).map(([key, value]) => {
      const display = displayValue(key, value);
      return { key, label: FIGURE_LABELS[key] ?? { ja: key, en: key }, value, display, data: isData(key, value, display) };
    }),
  };
}
