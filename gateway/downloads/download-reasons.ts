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
  'output-too-large': {
    ja: '無害化後のファイルが元のファイルに比べて大きくなりすぎたため、ブロックしました。',
    en: 'The rebuilt file came out far larger than the original, so it was blocked.',
  },
  'session-output-quota': {
    ja: '受け取っていない無害化済みファイルが多すぎます。先にそれらを保存するか、しばらく待ってから再度ダウンロードしてください。',
    en: 'Too many sanitized files are waiting to be saved. Save them first, or wait a while, then download again.',
  },
  'gateway-output-quota': {
    ja: 'ゲートウェイの一時保存領域がいっぱいのため、ファイルを届けられませんでした。しばらく待ってから再度ダウンロードしてください。',
    en: 'The gateway has no room left for files waiting to be saved. Wait a while, then download again.',
  },
} as const satisfies Record<string, { ja: string; en: string }>;

/** A reason a download ends blocked: one of the sanitizer's codes or one of ours. */
export type DownloadReason = ReasonCode | keyof typeof DOWNLOAD_REASONS;

export function downloadReasonMessage(code: DownloadReason): { ja: string; en: string } {
  const all: Record<string, { ja: string; en: string }> = { ...REASONS, ...DOWNLOAD_REASONS };
  return { ...(all[code] ?? REASONS['internal-error']) };
}
