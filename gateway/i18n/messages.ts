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
  'client-outdated': {
    ja: 'ゲートウェイが更新されました。ページを再読み込みしてください。',
    en: 'The gateway has been updated. Please reload the page.',
  },
  'not-ready': {
    ja: 'セッションの準備ができていません。',
    en: 'The session is not ready yet.',
  },
  // Viewer input limits (issue 9): a flood or a hung page drops input instead of queueing it.
  'input-dropped': {
    ja: 'ページが応答しないか操作が多すぎるため、一部の入力（マウス・キー・貼り付け）を破棄しました。',
    en: 'Some input (mouse, keys, paste) was discarded because the page is not responding or too much input arrived at once.',
  },
  'rate-limited': {
    ja: '短時間に送られた操作が多すぎるため、一部を破棄しました。',
    en: 'Too many messages were sent in a short time; some were discarded.',
  },
  'rate-limit-closed': {
    ja: '短時間に大量の操作が送られ続けたため、接続を切断しました。',
    en: 'The connection was closed because far too many messages kept arriving.',
  },
  'internal-error': {
    ja: '内部エラーが発生しました。もう一度お試しください。',
    en: 'An internal error occurred. Please try again.',
  },
  'no-worker': {
    ja: 'ゲートウェイの保守中のため、新しいセッションを開始できません。しばらくしてから再度お試しください。',
    en: 'The gateway is under maintenance and cannot start a new session. Please try again later.',
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
  'browser-crashed': {
    ja: 'リモートブラウザが異常終了したため、このセッションは終了しました。「新しいセッションを開始」で続けられます（開いていたページは復元されません）。',
    en: 'The remote browser stopped unexpectedly and this session ended. Choose "Start a new session" to continue (open pages are not restored).',
  },
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
  'account-expired': { ja: 'このアカウントは有効期限が切れています。管理者に連絡してください。', en: 'This account has expired. Please contact your administrator.' },
  'source-not-allowed': {
    ja: 'この端末（接続元アドレス）からはログインできません。管理者に連絡してください。',
    en: 'Signing in from this computer (source address) is not allowed. Please contact your administrator.',
  },
  'invalid-code': { ja: '確認コードが正しくありません。', en: 'The verification code is incorrect.' },
  'sign-in-expired': { ja: 'ログインの手続きが期限切れです。最初からやり直してください。', en: 'The sign-in attempt has expired. Please start again.' },
  'password-rule-totp': {
    ja: 'パスワードは英字・数字・記号を含む 8 文字以上にしてください（二要素認証が有効なため）。',
    en: 'Use at least 8 characters mixing letters, digits and symbols (second factor is on).',
  },
  'policy-invalid': { ja: 'ポリシーに誤りがあるため保存しませんでした: {issues}', en: 'The policy was not saved because it has errors: {issues}' },
  'file-policy-invalid': { ja: 'ファイルポリシーに誤りがあるため保存しませんでした: {issues}', en: 'The file policy was not saved because it has errors: {issues}' },
  'user-exists': { ja: '同じ名前のアカウントが既にあります。', en: 'An account with this name already exists.' },
  'invalid-cidr': { ja: '接続元アドレスの範囲は 10.0.0.0/8 のように指定してください。', en: 'Give source ranges as CIDRs such as 10.0.0.0/8.' },
  'cannot-change-self': { ja: '自分自身のアカウントはこの操作で変更できません。', en: 'You cannot do this to your own account.' },
  // Security console (quarantine review, releases, audit search).
  'justification-required': { ja: '理由を入力してください。', en: 'Please write a justification.' },
  'justification-too-long': { ja: '理由は 1000 文字以内で入力してください。', en: 'The justification must be at most 1000 characters.' },
  'quarantine-not-found': { ja: '隔離ファイルが見つかりません（削除済みの可能性があります）。', en: 'The quarantined file was not found (it may have been deleted).' },
  'quarantine-unreadable': {
    ja: '隔離ファイルを読み出せません（改ざんまたは破損の可能性があります）。',
    en: 'The quarantined file cannot be read (it may be tampered with or corrupt).',
  },
  'release-no-recipient': { ja: 'このファイルには受け取るユーザーが記録されていません。', en: 'No user is recorded for this file, so it cannot be released.' },
  'release-already-open': { ja: 'このファイルには処理中の解放申請があります。', en: 'A release of this file is already pending or waiting to be collected.' },
  'release-not-pending': { ja: 'この解放申請は承認待ちではありません。', en: 'This release request is no longer waiting for approval.' },
  'release-infected': {
    ja: '現在の定義でウイルス「{signature}」が検出されたため、原本は解放できません。解放の手段はありません（削除するか、解析用 ZIP で調査してください）。',
    en: 'The current signatures detect "{signature}" in this original, so it cannot be released. There is no override (delete it, or take the analysis ZIP to investigate).',
  },
  'release-scan-limit': {
    ja: 'ファイルがウイルス検査の上限を超えていて検査できないため、原本は解放できません。',
    en: 'The original exceeds the virus scanner\'s limits and could not be scanned, so it cannot be released.',
  },
  'release-unscannable': {
    ja: 'この原本は暗号化されているか、アーカイブの上限を超えているため、ウイルス検査で中身を確認できません。解放の手段はありません（解析用 ZIP で調査してください）。',
    en: 'This original is encrypted or exceeds the archive limits, so a virus scan cannot see inside it. It cannot be released (take the analysis ZIP to investigate).',
  },
  'release-scan-unavailable': {
    ja: 'ウイルス検査エンジンが応答しないため、原本は解放できません。検査エンジンの復旧後にもう一度お試しください。',
    en: 'The virus scanner did not answer, so the original cannot be released. Try again once the scanner is back.',
  },
  'self-approval': { ja: '自分が申請した解放は承認できません。別のセキュリティ担当者が承認してください。', en: 'You cannot approve your own release request; another security user must approve it.' },
  'released-not-found': {
    ja: 'このリンクは無効です（使用済み、期限切れ、または別のユーザーのものです）。',
    en: 'This link is not valid (already used, expired, or meant for another user).',
  },
  'quarantine-released': {
    ja: 'セキュリティ担当者が「{name}」の原本の受け取りを許可しました。',
    en: 'The security team released the original of “{name}” to you.',
  },
  'release-request-not-blocked': {
    ja: '解放を申請できるのは、ブロックされたダウンロードだけです。',
    en: 'A release can only be requested for a blocked download.',
  },
  'release-request-ambiguous': {
    ja: 'この参照番号に当たるファイルが複数あります。ヘルプデスクに参照番号を伝えてご相談ください。',
    en: 'More than one file has this reference number. Please contact the help desk with the reference number.',
  },
  'release-request-rejected': {
    ja: 'セキュリティ担当者が「{name}」の解放申請を却下しました。理由: {reason}',
    en: 'The security team rejected your release request for “{name}”. Reason: {reason}',
  },
  // Directory sign-in (docs/directory-sign-in.md).
  'directory-unavailable': {
    ja: 'ディレクトリ（Active Directory / LDAP）に接続できないため、ログインできません。しばらくしてから再度お試しください。続く場合は管理者に連絡してください。',
    en: 'The directory (Active Directory / LDAP) cannot be reached, so you cannot sign in now. Please try again shortly, and contact your administrator if it persists.',
  },
  'directory-disabled': {
    ja: 'このアカウントはディレクトリ（Active Directory / LDAP）で無効にされています。管理者に連絡してください。',
    en: 'This account is disabled in the directory (Active Directory / LDAP). Please contact your administrator.',
  },
  'no-mapped-group': {
    ja: 'kekkai の利用が許可されたグループに所属していないため、ログインできません。利用が必要な場合は管理者に連絡してください。',
    en: 'You are not in a group that may use kekkai, so you cannot sign in. Please contact your administrator if you need access.',
  },
  'name-conflict': {
    ja: '同じ名前のローカルアカウントが kekkai にあるため、ディレクトリのアカウントではログインできません。管理者に連絡してください。',
    en: 'kekkai has a local account with the same name, so your directory account cannot sign in. Please contact your administrator.',
  },
  'external-name-invalid': {
    ja: 'ディレクトリのユーザー名に kekkai で使えない文字が含まれているため、ログインできません。管理者に連絡してください。',
    en: 'Your directory user name contains characters kekkai does not accept, so you cannot sign in. Please contact your administrator.',
  },
  'managed-externally': {
    ja: 'このアカウントはディレクトリで管理されています。パスワードや役割はディレクトリ側で変更してください。',
    en: 'This account is managed by the directory; change its password or role there.',
  },
  'role-mapping-invalid': { ja: '役割の対応表に誤りがあるため保存しませんでした。各行の表示を確認してください。', en: 'The role mapping was not saved because it has errors; see the messages next to the rows.' },
  'role-mapping-group-empty': { ja: 'グループを入力してください。', en: 'Enter a group.' },
  'role-mapping-group-dn': {
    ja: 'グループは識別名（DN）で入力してください（例: CN=kekkai-staff,OU=Groups,DC=hospital,DC=local）。',
    en: 'Enter the group as a distinguished name (DN), e.g. CN=kekkai-staff,OU=Groups,DC=hospital,DC=local.',
  },
  'role-mapping-group-long': { ja: 'グループ名が長すぎます（1024 文字まで）。', en: 'The group is too long (at most 1024 characters).' },
  'role-mapping-role': { ja: '役割は staff・admin・security のいずれかを選んでください。', en: 'Choose staff, admin or security as the role.' },
  'role-mapping-duplicate': { ja: '同じグループが上の行にもあります（上の行が優先されるため、この行は使われません）。', en: 'The same group is in a row above (the row above wins, so this one would never apply).' },
  'role-mapping-too-many': { ja: '対応表は 100 行までです。', en: 'The role mapping can have at most 100 rows.' },
  'directory-not-configured': {
    ja: 'ディレクトリ連携が設定されていません（KEKKAI_LDAP_URL など。docs/directory-sign-in.md を参照）。',
    en: 'Directory sign-in is not configured (KEKKAI_LDAP_URL and friends; see docs/directory-sign-in.md).',
  },
  'directory-user-not-found': { ja: 'ディレクトリにこのユーザーは見つかりません（検索条件に合う人が 0 人か 2 人以上）。', en: 'The directory has no such user (no entry, or more than one, matches).' },
  'directory-problem-unreachable': { ja: 'ディレクトリサーバーに接続できません（アドレス・ポート・ファイアウォールを確認してください）。', en: 'The directory server cannot be reached (check address, port and firewall).' },
  'directory-problem-tls': {
    ja: 'ディレクトリサーバーの証明書を検証できません（KEKKAI_LDAP_CA_FILE の CA と、証明書のホスト名を確認してください）。',
    en: 'The directory server\'s certificate could not be verified (check the CA in KEKKAI_LDAP_CA_FILE and the host name in the certificate).',
  },
  'directory-problem-timeout': { ja: 'ディレクトリサーバーが時間内に応答しません。', en: 'The directory server did not answer in time.' },
  'directory-problem-service-bind': {
    ja: 'サービスアカウントでログインできません（KEKKAI_LDAP_BIND_DN とパスワードを確認してください）。',
    en: 'The service account was refused (check KEKKAI_LDAP_BIND_DN and its password).',
  },
  'directory-problem-protocol': { ja: 'ディレクトリサーバーが予期しない応答を返しました（ログを確認してください）。', en: 'The directory server gave an unexpected answer (see the log).' },
  'directory-connected': { ja: '接続とサービスアカウントのログインに成功しました（{url}、{ms} ミリ秒）。', en: 'Connected and signed in with the service account ({url}, {ms} ms).' },
  // Federated sign-in, OIDC and SAML (docs/federated-sign-in.md).
  'federation-unavailable': {
    ja: '認証サービス（シングルサインオン）に接続できないため、ログインできません。しばらくしてから再度お試しください。続く場合は管理者に連絡してください。',
    en: 'The sign-in service (single sign-on) cannot be reached, so you cannot sign in now. Please try again shortly, and contact your administrator if it persists.',
  },
  'federation-invalid-response': {
    ja: '認証サービスからの応答を検証できなかったため、ログインを中止しました。もう一度ログインボタンからやり直してください。続く場合は管理者に連絡してください。',
    en: 'The answer of the sign-in service could not be verified, so sign-in was stopped. Please start again from the sign-in button, and contact your administrator if it persists.',
  },
  'federation-provider-error': {
    ja: '認証サービスでログインが完了しませんでした（キャンセルされたか、拒否されました）。もう一度お試しください。',
    en: 'Sign-in was not completed at the sign-in service (cancelled or refused). Please try again.',
  },
  'federation-expired': {
    ja: 'ログインの手続きが見つからないか、時間切れです。もう一度ログインボタンからやり直してください。',
    en: 'The sign-in was not found or took too long. Please start again from the sign-in button.',
  },
  'federation-missing-claim': {
    ja: '認証サービスからユーザー名が届かなかったため、ログインできません。管理者に連絡してください（属性・クレームの設定を確認）。',
    en: 'The sign-in service did not send a user name, so you cannot sign in. Please contact your administrator (check the claim or attribute settings).',
  },
  'federation-not-configured': { ja: 'このシングルサインオンは設定されていません。', en: 'This single sign-on is not configured.' },
  // Kerberos single sign-on (docs/kerberos-sign-in.md). The login page shows none of them for kerberos-no-ticket.
  'kerberos-no-ticket': {
    ja: 'このパソコンからは Windows のログオン情報（Kerberos チケット）が届きませんでした。ユーザー名とパスワードでログインしてください。',
    en: 'This computer did not offer its Windows sign-in (Kerberos ticket). Please sign in with your user name and password.',
  },
  'kerberos-bad-header': {
    ja: 'ブラウザーから届いた Windows ログオン情報の形式が正しくありません。ユーザー名とパスワードでログインしてください。',
    en: 'The browser sent Windows sign-in data in a form kekkai does not accept. Please sign in with your user name and password.',
  },
  'kerberos-invalid-token': {
    ja: 'Windows のログオン情報（Kerberos チケット）を確認できませんでした。ユーザー名とパスワードでログインしてください。続く場合は管理者に連絡してください（パソコンの時刻のずれ、サーバーの登録を確認）。',
    en: 'Your Windows sign-in (Kerberos ticket) could not be verified. Please sign in with your user name and password, and contact your administrator if it persists (check the computer\'s clock and the server\'s registration).',
  },
  'kerberos-unavailable': {
    ja: 'Windows ログオン情報によるログインが現在使えません。ユーザー名とパスワードでログインしてください。続く場合は管理者に連絡してください。',
    en: 'Signing in with your Windows sign-in is not available right now. Please sign in with your user name and password, and contact your administrator if it persists.',
  },
  'kerberos-principal-invalid': {
    ja: 'このパソコンのログオン名ではログインできません（個人のアカウントでログオンしてください）。ユーザー名とパスワードでログインしてください。',
    en: 'The Windows sign-in of this computer cannot be used (sign in to Windows with your personal account). Please sign in with your user name and password.',
  },
  'kerberos-realm-not-allowed': {
    ja: 'このパソコンのドメイン（Kerberos レルム）からのログインは許可されていません。ユーザー名とパスワードでログインしてください。',
    en: 'Signing in from this computer\'s domain (Kerberos realm) is not allowed. Please sign in with your user name and password.',
  },
  'kerberos-not-in-directory': {
    ja: 'Windows のログオン名がディレクトリに見つからないため、ログインできません。管理者に連絡してください。',
    en: 'Your Windows sign-in name was not found in the directory, so you cannot sign in. Please contact your administrator.',
  },
  'kerberos-not-configured': { ja: 'Windows ログオン情報によるログイン（Kerberos）は設定されていません。', en: 'Signing in with the Windows sign-in (Kerberos) is not configured.' },
  'invalid-query': { ja: '検索条件（日時・件数など）が正しくありません。', en: 'A search condition (date, page size…) is not valid.' },
  'leak-blocked': {
    ja: '患者情報・個人情報（{rules}）が含まれているため、送信を止めました。この内容はインターネット上のページに入力・貼り付け・アップロードできません。記録は情報セキュリティ担当者が確認します。',
    en: 'Stopped: the text contains patient or personal data ({rules}). It cannot be typed, pasted or uploaded into a web page. The security team can see this record.',
  },
  'leak-typed-blocked': {
    ja: '患者情報・個人情報（{rules}）が入力されたため、その部分を入力欄から消去しました。インターネット上のページには入力できません。記録は情報セキュリティ担当者が確認します。',
    en: 'Patient or personal data ({rules}) was typed, so it was erased from the field: it cannot be entered into a web page. The security team can see this record.',
  },
  'leak-warning': {
    ja: '患者情報・個人情報（{rules}）が含まれている可能性があります。送信が業務上必要な場合は理由を入力してください（記録されます）。',
    en: 'This may contain patient or personal data ({rules}). If sending it is needed for your work, give a reason (it is recorded).',
  },
  'recording-not-found': { ja: '録画が見つかりません（保存期間を過ぎて削除された可能性があります）。', en: 'The recording was not found (it may have passed its retention and been deleted).' },
  'reason-required': { ja: '理由を入力してください。', en: 'Please give a reason.' },
  'leak-policy-invalid': {
    ja: '情報漏えい対策のルールに誤りがあります。各項目の説明を確認してください。',
    en: 'The leak-guard rules have errors; see the notes at each field.',
  },
  'leak-unreadable': {
    ja: 'ファイルの中身を検査できなかったため、アップロードを止めました（壊れているか、暗号化されています）。',
    en: 'Upload stopped: the file\'s contents could not be checked (it is damaged or encrypted).',
  },
} as const satisfies Record<string, LocalizedText>;

export type MessageCode = keyof typeof MESSAGES;

/** The message for a code with {placeholders} filled in. */
export function message(code: MessageCode, params: Record<string, string | number> = {}): LocalizedText {
  const fill = (s: string): string => s.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
  return { ja: fill(MESSAGES[code].ja), en: fill(MESSAGES[code].en) };
}
