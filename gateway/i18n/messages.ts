/**
 * User-facing messages the gateway sends (notices, errors, session endings), in
 * Japanese and English. The client shows the one matching its UI language.
 * Keys are the stable codes clients and tests rely on.
 */
import type { LocalizedText } from '../../protocol/index.js';

export const MESSAGES = {
  'tab-limit': {
    ja: 'タブは最大 {max} 個までです。不要なタブを閉じてください。',
    en: 'You can open at most {max} tabs. Please close a tab you no longer need.',
  },
  'invalid-url': {
    ja: 'このアドレスは開けません: {url}',
    en: 'This address cannot be opened: {url}',
  },
  'clipboard-to-client-disabled': {
    ja: 'リモートページからのコピーは管理者により無効にされています。',
    en: 'Copying from remote pages is disabled by your administrator.',
  },
  'clipboard-from-client-disabled': {
    ja: 'リモートページへの貼り付けは管理者により無効にされています。',
    en: 'Pasting into remote pages is disabled by your administrator.',
  },
  'read-only': {
    ja: 'このページは閲覧専用です（入力・貼り付け・アップロードはできません）。',
    en: 'This page is read-only: typing, pasting and uploads are not allowed.',
  },
  'print-disabled': {
    ja: '印刷は管理者により無効にされています。',
    en: 'Printing is disabled by your administrator.',
  },
  'download-disabled': {
    ja: 'このページからのダウンロードは管理者により無効にされています。',
    en: 'Downloads from this page are disabled by your administrator.',
  },
  'upload-disabled': {
    ja: 'ファイルのアップロードは管理者により無効にされています。',
    en: 'File uploads are disabled by your administrator.',
  },
  'upload-too-large': {
    ja: 'ファイルが大きすぎます（上限 {max} バイト）。',
    en: 'The file is too large (limit {max} bytes).',
  },
  'bad-message': {
    ja: '不正なメッセージを受け取りました。',
    en: 'The gateway received a malformed message.',
  },
  'not-ready': {
    ja: 'セッションの準備ができていません。',
    en: 'The session is not ready yet.',
  },
  'internal-error': {
    ja: '内部エラーが発生しました。もう一度お試しください。',
    en: 'An internal error occurred. Please try again.',
  },
  'session-limit': {
    ja: 'ゲートウェイの同時セッション数が上限に達しています。しばらくしてから再度お試しください。',
    en: 'The gateway has reached its session limit. Please try again later.',
  },
  'ended-by-user': { ja: 'セッションを終了しました。', en: 'Your session has ended.' },
  idle: { ja: '一定時間操作がなかったため、セッションを終了しました。', en: 'Your session ended after a period of inactivity.' },
  replaced: { ja: 'このセッションは別のウィンドウで開かれました。', en: 'This session was opened in another window.' },
  terminated: { ja: '管理者がセッションを終了しました。', en: 'An administrator ended your session.' },
  shutdown: { ja: 'ゲートウェイが停止します。', en: 'The gateway is shutting down.' },
  'browser-crashed': { ja: 'リモートブラウザが停止しました。再度ログインしてください。', en: 'The remote browser stopped. Please sign in again.' },
  'invalid-credentials': { ja: 'ユーザー名またはパスワードが正しくありません。', en: 'The user name or password is incorrect.' },
  locked: {
    ja: 'ログインの失敗が続いたため、一時的にロックされています。15 分後に再度お試しください。',
    en: 'Too many failed sign-ins. Please try again in 15 minutes.',
  },
  disabled: { ja: 'このアカウントは無効です。管理者に連絡してください。', en: 'This account is disabled. Please contact your administrator.' },
  unauthenticated: { ja: 'ログインしてください。', en: 'Please sign in.' },
  forbidden: { ja: 'この操作は許可されていません。', en: 'This action is not allowed.' },
  'csrf-failed': { ja: '要求を確認できませんでした。ページを再読み込みしてください。', en: 'The request could not be verified. Please reload the page.' },
  'bad-request': { ja: '要求の形式が正しくありません。', en: 'The request is malformed.' },
  'not-found': { ja: '見つかりません。', en: 'Not found.' },
  'wrong-password': { ja: '現在のパスワードが正しくありません。', en: 'The current password is incorrect.' },
  'password-rule': {
    ja: 'パスワードは英字・数字・記号を含む 13 文字以上にしてください。',
    en: 'Use at least 13 characters mixing letters, digits and symbols.',
  },
  'password-reused': { ja: '新しいパスワードは現在のものと異なる必要があります。', en: 'The new password must differ from the current one.' },
  'password-change-required': {
    ja: '続行する前にパスワードを変更してください。',
    en: 'Please change your password before continuing.',
  },
  'download-not-found': {
    ja: 'このダウンロードリンクは無効です（使用済み、期限切れ、または別のセッションのものです）。もう一度ダウンロードしてください。',
    en: 'This download link is not valid (already used, expired, or from another session). Please download the file again.',
  },
} as const satisfies Record<string, LocalizedText>;

export type MessageCode = keyof typeof MESSAGES;

/** The message for a code with {placeholders} filled in. */
export function message(code: MessageCode, params: Record<string, string | number> = {}): LocalizedText {
  const fill = (s: string): string => s.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
  return { ja: fill(MESSAGES[code].ja), en: fill(MESSAGES[code].en) };
}
