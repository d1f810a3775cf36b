/**
 * Stable reason codes for blocked files, with the message shown to staff (ja) and
 * to admins/logs (en). The codes are part of the public contract: the gateway stores
 * them in the quarantine index and the CLI prints them, so never rename one.
 */
export const REASONS = {
  'deceptive-name': {
    ja: 'ファイル名に偽装に使われる文字（右から左への書字方向制御など）が含まれています。',
    en: 'The file name contains characters used to disguise it (bidi override, zero-width or control characters).',
  },
  'type-mismatch': {
    ja: 'ファイルの拡張子と実際の形式が一致しません。',
    en: "The file name's extension does not match the file's real type.",
  },
  'type-not-allowed': {
    ja: 'この種類のファイルはダウンロードできません。',
    en: 'This type of file is not allowed.',
  },
  'blocked-by-policy': {
    ja: 'この種類のファイルはポリシーによりブロックされています。',
    en: 'The file policy blocks this type of file.',
  },
  'macro-document': {
    ja: 'マクロを含む文書はダウンロードできません。',
    en: 'Documents with macros are not allowed.',
  },
  'too-large': {
    ja: 'ファイルサイズが上限を超えています。',
    en: 'The file is larger than the policy allows.',
  },
  'too-many-pages': {
    ja: 'ページ数が上限を超えています。',
    en: 'The document has more pages than the policy allows.',
  },
  'too-many-pixels': {
    ja: '画像の画素数が上限を超えています。',
    en: 'The image has more pixels than the policy allows.',
  },
  'spreadsheet-too-large': {
    ja: '表計算ファイルのシート数・行数・列数・セル数などが上限を超えています。',
    en: 'The spreadsheet has more sheets, rows, columns, cells or text than the policy allows.',
  },
  'too-many-members': {
    ja: '圧縮ファイル内のファイル数が上限を超えています。',
    en: 'The archive contains more files than the policy allows.',
  },
  'archive-too-deep': {
    ja: '圧縮ファイルの入れ子が深すぎます。',
    en: 'The archive is nested deeper than the policy allows.',
  },
  'expansion-ratio': {
    ja: '圧縮ファイルの展開後のサイズが異常に大きくなります（ZIP爆弾の疑い）。',
    en: 'The archive expands far more than the policy allows (possible zip bomb).',
  },
  encrypted: {
    ja: '暗号化またはパスワード保護されたファイルは検査できないためブロックしました。',
    en: 'Encrypted or password-protected content cannot be inspected and is blocked.',
  },
  malformed: {
    ja: 'ファイルが壊れているか、途中で切れています。',
    en: 'The file is corrupt or truncated.',
  },
  infected: {
    ja: 'ウイルスまたは不正なプログラムが検出されました。',
    en: 'Malware was detected.',
  },
  'scan-limit-exceeded': {
    ja: 'ウイルス検査の上限（サイズ・入れ子など）を超えたため検査できませんでした。',
    en: 'The file exceeds the antivirus scan limits and could not be fully scanned.',
  },
  'scanner-unavailable': {
    ja: 'ウイルス検査を実行できなかったため、安全のためブロックしました。',
    en: 'The antivirus scan could not run, so the file was blocked to be safe.',
  },
  'converter-unavailable': {
    ja: 'Office文書をPDFに変換する仕組みが利用できないため、ブロックしました。',
    en: 'The Office-to-PDF converter is not available, so the document was blocked.',
  },
  'conversion-failed': {
    ja: 'ファイルの無害化（再構成）に失敗しました。',
    en: 'The file could not be rebuilt (sanitization failed).',
  },
  timeout: {
    ja: 'ファイルの処理が時間内に終わりませんでした。',
    en: 'Processing the file took longer than the time limit.',
  },
  'recheck-failed': {
    ja: '無害化後のファイルの最終確認に失敗しました。',
    en: 'The rebuilt file failed the final check.',
  },
  'internal-error': {
    ja: '内部エラーのため、安全のためブロックしました。',
    en: 'An internal error occurred, so the file was blocked to be safe.',
  },
} as const satisfies Record<string, { ja: string; en: string }>;

/** One of the stable reason codes in {@link REASONS}. */
export type ReasonCode = keyof typeof REASONS;

/** All reason codes, e.g. for a schema enum or the admin console's filter. */
export const REASON_CODES = Object.keys(REASONS) as ReasonCode[];

/** Localised message for a reason code. */
export function reasonMessage(code: ReasonCode): { ja: string; en: string } {
  return { ...REASONS[code] };
}
