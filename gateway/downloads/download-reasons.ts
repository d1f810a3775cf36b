/**
 * Reason codes the download path adds to the sanitizer's own (sanitizer/reasons.ts).
 * Same contract: stable strings, stored in the quarantine index, never renamed.
 */
import { REASONS, type ReasonCode } from '../../sanitizer/index.js';

export const DOWNLOAD_REASONS = {
  'download-canceled': {
    ja: 'ダウンロードが中断されたため、ファイルは届けられません。',
    en: 'The download was canceled or failed, so the file was not delivered.',
  },
  'download-interrupted': {
    ja: 'ゲートウェイの再起動によって処理が中断されたため、安全のためブロックしました。',
    en: 'Processing was interrupted by a gateway restart, so the file was blocked to be safe.',
  },
} as const satisfies Record<string, { ja: string; en: string }>;

/** A reason a download ends blocked: one of the sanitizer's codes or one of ours. */
export type DownloadReason = ReasonCode | keyof typeof DOWNLOAD_REASONS;

export function downloadReasonMessage(code: DownloadReason): { ja: string; en: string } {
  const all: Record<string, { ja: string; en: string }> = { ...REASONS, ...DOWNLOAD_REASONS };
  return { ...(all[code] ?? REASONS['internal-error']) };
}
