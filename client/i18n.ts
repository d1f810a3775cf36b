/**
 * UI strings in Japanese (default) and English. The server picks the language
 * (?lang=en or the browser's preference) and writes it to <html lang>.
 */
const STRINGS = {
  ja: {
    appTitle: 'kekkai 安全ブラウザ',
    userName: 'ユーザー名',
    password: 'パスワード',
    logIn: 'ログイン',
    loginFailed: 'ログインできませんでした。',
    address: 'アドレス',
    back: '戻る',
    forward: '進む',
    reload: '再読み込み',
    stop: '中止',
    endSession: 'セッション終了',
    endSessionConfirm: 'セッションを終了すると、開いているタブはすべて閉じられます。終了しますか？',
    newTab: '新しいタブ',
    closeTab: 'タブを閉じる',
    tabs: 'タブ',
    remotePage: 'リモートページ',
    loading: '読み込み中',
    ok: 'OK',
    cancel: 'キャンセル',
    leavePage: 'このページを離れますか？変更内容は保存されない可能性があります。',
    suppressDialogs: 'このページからのダイアログを今後表示しない',
    connecting: '接続しています…',
    reconnecting: '接続が切れました。再接続しています…',
    signInAgain: '再度ログイン',
    chooseFile: 'アップロードするファイルを選択',
    upload: 'アップロード',
    untitled: '新しいタブ',
    copied: 'クリップボードにコピーしました',
    protocolError: 'ゲートウェイから不正なデータを受け取りました。',
    print: '印刷（PDF）',
    changePassword: 'パスワードの変更',
    currentPassword: '現在のパスワード',
    newPassword: '新しいパスワード',
    confirmPassword: '新しいパスワード（確認）',
    passwordRule: '英字・数字・記号を含む 13 文字以上にしてください。',
    passwordMismatch: '確認用のパスワードが一致しません。',
  },
  en: {
    appTitle: 'kekkai secure browser',
    userName: 'User name',
    password: 'Password',
    logIn: 'Log in',
    loginFailed: 'Sign-in failed.',
    address: 'Address',
    back: 'Back',
    forward: 'Forward',
    reload: 'Reload',
    stop: 'Stop',
    endSession: 'End session',
    endSessionConfirm: 'Ending the session closes all open tabs. End it now?',
    newTab: 'New tab',
    closeTab: 'Close tab',
    tabs: 'Tabs',
    remotePage: 'Remote page',
    loading: 'Loading',
    ok: 'OK',
    cancel: 'Cancel',
    leavePage: 'Leave this page? Changes you made may not be saved.',
    suppressDialogs: 'Do not show more dialogs from this page',
    connecting: 'Connecting…',
    reconnecting: 'Connection lost. Reconnecting…',
    signInAgain: 'Sign in again',
    chooseFile: 'Choose a file to upload',
    upload: 'Upload',
    untitled: 'New tab',
    copied: 'Copied to the clipboard',
    protocolError: 'The gateway sent malformed data.',
    print: 'Print (PDF)',
    changePassword: 'Change password',
    currentPassword: 'Current password',
    newPassword: 'New password',
    confirmPassword: 'Confirm new password',
    passwordRule: 'Use at least 13 characters mixing letters, digits and symbols.',
    passwordMismatch: 'The new passwords do not match.',
  },
} as const;

export type Lang = keyof typeof STRINGS;
export type StringKey = keyof (typeof STRINGS)['ja'];

export const lang: Lang = document.documentElement.lang === 'en' ? 'en' : 'ja';

export function t(key: StringKey): string {
  return STRINGS[lang][key];
}

/** Picks the UI language's half of a bilingual server message. */
export function localized(message: { ja: string; en: string }): string {
  return message[lang];
}
