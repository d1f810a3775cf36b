/** Admin console strings, Japanese (default) and English; the language comes from <html lang>. */
import { lang } from '../i18n.js';

const STRINGS = {
  ja: {
    title: 'kekkai 管理コンソール', policy: 'URL ポリシー', filePolicy: 'ファイルポリシー', accounts: 'アカウントと役割', sessions: '利用中のセッション',
    settings: '運用設定', compliance: 'チェックリスト対応状況', forbidden: 'この画面を使う権限がありません。', save: '保存', saved: '保存しました。',
    rules: 'ルール（上から順に評価）', ruleId: 'ルール ID', ruleName: '名前', matchKind: '条件の種類', matchValue: '条件の値（カンマ区切り）', action: '動作',
    enabled: '有効', addRule: 'ルールを追加', updateRule: 'ルールを更新', edit: '編集', remove: '削除', up: '上へ', down: '下へ', defaultAction: '既定の動作',
    comment: '変更の説明', testUrl: 'URL をテスト', testUrlLabel: 'テストする URL', testRole: '役割', test: 'テスト', verdict: '判定', matchedRule: '一致したルール',
    defaultDecided: '（既定の動作）', shadowedBy: '新しいルールより先に一致するルール', none: 'なし', yamlImport: 'YAML の読み込み', yamlExport: 'YAML を書き出す',
    importYaml: 'YAML を保存', categories: 'カテゴリリストの読み込み', categoryName: 'カテゴリ名', categoryFile: 'リストファイル（1 行に 1 ドメイン）', importList: '読み込む',
    history: '版の履歴', version: '版', author: '作成者', when: '日時', diff: '差分', rollback: 'この版に戻す', current: '現在',
    fileYaml: 'ファイルポリシー（YAML: allowedGroups, office, macroOffice, maxBytes, pdfDpi など）', effective: '適用中の値',
    name: 'ユーザー名', role: '役割', department: '部署', jobTitle: '職種', expiresOn: '有効期限', sources: '接続元アドレス範囲（CIDR、カンマ区切り、空欄は役割の設定）',
    disabled: '無効', totp: '二要素', lastLogin: '最終ログイン', actions: '操作', create: 'アカウントを作成', oneTimePassword: '初回パスワード（次回ログイン時に変更）',
    disable: '無効にする', enable: '有効にする', resetPassword: 'パスワード再設定', resetTotp: '二要素を再設定', revoke: 'ログインを無効化', deleteAccount: '削除',
    confirmDelete: 'このアカウントを削除しますか？監査記録の名前は残ります。', unused: '未使用アカウント', unusedDays: '日数', showUnused: '表示', disableAll: 'すべて無効にする',
    user: 'ユーザー', sourceIp: '接続元', url: '表示中の URL', since: '開始', terminate: '終了させる', noSessions: '利用中のセッションはありません。',
    workers: 'ブラウザワーカー', worker: 'ワーカー', workerState: '状態', workerReady: '稼働中', workerDraining: '新規割り当て停止中', workerRestarting: '再起動中', workerSessions: 'セッション数', workerDrain: '新規割り当てを停止', workerResume: '割り当てを再開', workersInProcess: 'ブラウザはゲートウェイのプロセス内で動いています（KEKKAI_WORKERS=0）。', workerLocal: 'このサーバー', workerRemote: '別サーバー', remoteWorkers: '別サーバーのブラウザワーカー', remoteWorkersOff: '別サーバーのワーカーは受け付けていません（KEKKAI_WORKER_LISTEN 未設定）。', remoteWorkersNone: 'まだ参加したワーカーはありません。「kekkai worker token create」で参加用トークンを作成してください。', remoteWorkersPort: '受付ポート', workerJoined: '参加日時', workerLastSeen: '最終接続', workerJoinId: '参加トークン ID', assumedHttps: 'スキームがないため https:// として判定しました', policyVerdict: 'URL ポリシーの判定', egressCheck: '接続先の確認（ポート・内部アドレス）', workerRevoke: '証明書を失効', workerRevoked: '失効済み', workerRevokeConfirm: 'このワーカーの証明書を失効させます。接続中なら切断され、その利用者のセッションは終了します。よろしいですか？',
    contact: 'ブロックページの連絡先', idleTimeout: '無操作タイムアウト（秒）', maxTabs: 'タブの上限', roleSources: '役割ごとの接続元アドレス範囲（CIDR、カンマ区切り、空欄は制限なし）',
    item: '項目', figures: '数値', status: '状態', ok: '適合', attention: '要確認', exportCsv: 'CSV を書き出す', refresh: '更新', yes: 'はい', no: 'いいえ', failed: '失敗しました。',
    signOut: 'ログアウト', browse: 'ブラウザへ',
    directory: 'ディレクトリ連携（Active Directory / LDAP）', dirNotConfigured: 'ディレクトリ連携は設定されていません。設定ファイルまたは環境変数（KEKKAI_LDAP_URL など）で設定すると、職員はディレクトリのパスワードでログインできます。対応表は先に用意できます。',
    dirStatic: '接続設定（設定ファイル・環境変数で変更します）', dirServers: 'サーバー', dirMode: '方式', dirBaseDn: '利用者を探す場所（ベース DN）', dirGroupBaseDn: 'グループを探す場所', dirBindDn: 'サービスアカウント',
    dirUserFilter: '利用者の条件', dirLoginAttr: 'ログイン名の属性', dirDeptAttr: '部署の属性', dirTitleAttr: '職種の属性', dirDisabledFilter: '無効とみなす条件', dirSync: '同期の間隔（分、0 は自動同期なし）', dirTls: '暗号化',
    roleMapping: 'グループと役割の対応表（上の行から順に判定し、最初に一致した行の役割になります。どの行にも一致しない人はログインできません）', group: 'グループ（DN）', addRow: '行を追加', saveMapping: '対応表を保存',
    testConnection: '接続テスト', testUser: 'ユーザーを試す', testUserName: 'ログイン名（パスワードは不要）', dirResultRole: '役割', dirResultRefused: 'ログインできません', dirGroups: '所属グループ（入れ子を含む）', dirDn: 'ディレクトリ上の場所（DN）', displayName: '表示名', matched: '一致した行',
    syncNow: '今すぐ同期', lastSync: '前回の同期', syncOk: '成功', syncFailed: '失敗', syncChecked: '確認したアカウント', syncDisabled: '無効にした', syncEnabled: '有効に戻した', never: 'まだ実行していません',
    federation: 'シングルサインオン（OIDC / SAML）', fedOidc: 'OpenID Connect（Entra ID、Keycloak など）', fedSaml: 'SAML 2.0', fedNotConfigured: '設定されていません。設定ファイルまたは環境変数（{keys}）で設定すると、ログイン画面にボタンが表示されます。対応表は先に用意できます。',
    fedRegister: '認証サービスに登録する値', fedClaim: 'クレーム・属性', fedValue: '値', fedGroup: 'グループ・ロールの値',
    source: '認証元', local: 'ローカル', directoryDisabled: 'ディレクトリにより無効化されたアカウント', reason: '理由', notInDirectory: 'ディレクトリにない', disabledInDirectory: 'ディレクトリで無効', noMappedGroup: '対応するグループに所属していない',
  },
  en: {
    title: 'kekkai admin console', policy: 'URL policy', filePolicy: 'File policy', accounts: 'Accounts and roles', sessions: 'Live sessions',
    settings: 'Operator settings', compliance: 'Checklist evidence', forbidden: 'You are not allowed to use this page.', save: 'Save', saved: 'Saved.',
    rules: 'Rules (evaluated top to bottom)', ruleId: 'Rule ID', ruleName: 'Name', matchKind: 'Match on', matchValue: 'Match values (comma-separated)', action: 'Action',
    enabled: 'Enabled', addRule: 'Add rule', updateRule: 'Update rule', edit: 'Edit', remove: 'Remove', up: 'Up', down: 'Down', defaultAction: 'Default action',
    comment: 'Change note', testUrl: 'Test a URL', testUrlLabel: 'URL to test', testRole: 'Role', test: 'Test', verdict: 'Verdict', matchedRule: 'Matching rule',
    defaultDecided: '(default action)', shadowedBy: 'Rules that match before the new rule', none: 'none', yamlImport: 'Import YAML', yamlExport: 'Export YAML',
    importYaml: 'Save YAML', categories: 'Import a category list', categoryName: 'Category name', categoryFile: 'List file (one domain per line)', importList: 'Import',
    history: 'Version history', version: 'Version', author: 'Author', when: 'When', diff: 'Diff', rollback: 'Roll back to this version', current: 'current',
    fileYaml: 'File policy (YAML: allowedGroups, office, macroOffice, maxBytes, pdfDpi, …)', effective: 'Effective values',
    name: 'User name', role: 'Role', department: 'Department', jobTitle: 'Job title', expiresOn: 'Expires on', sources: 'Source ranges (CIDR, comma-separated; empty = role setting)',
    disabled: 'Disabled', totp: 'Second factor', lastLogin: 'Last sign-in', actions: 'Actions', create: 'Create account', oneTimePassword: 'One-time password (changed at next sign-in)',
    disable: 'Disable', enable: 'Enable', resetPassword: 'Reset password', resetTotp: 'Reset second factor', revoke: 'Revoke sign-ins', deleteAccount: 'Delete',
    confirmDelete: 'Delete this account? Audit records keep its name.', unused: 'Unused accounts', unusedDays: 'Days', showUnused: 'Show', disableAll: 'Disable all',
    user: 'User', sourceIp: 'Source address', url: 'Current URL', since: 'Since', terminate: 'Terminate', noSessions: 'No live sessions.',
    workers: 'Browser workers', worker: 'Worker', workerState: 'State', workerReady: 'Running', workerDraining: 'Draining (no new sessions)', workerRestarting: 'Restarting', workerSessions: 'Sessions', workerDrain: 'Stop new sessions', workerResume: 'Resume', workersInProcess: 'The browser runs inside the gateway process (KEKKAI_WORKERS=0).', workerLocal: 'this server', workerRemote: 'remote', remoteWorkers: 'Browser workers on other servers', remoteWorkersOff: 'Workers on other servers are not accepted (KEKKAI_WORKER_LISTEN is not set).', remoteWorkersNone: 'No worker has joined yet. Make a join token with "kekkai worker token create".', remoteWorkersPort: 'Listener port', workerJoined: 'Joined', workerLastSeen: 'Last connected', workerJoinId: 'Join token id', assumedHttps: 'No scheme given: tested as https://', policyVerdict: 'URL policy verdict', egressCheck: 'Destination check (ports, internal addresses)', workerRevoke: 'Revoke certificate', workerRevoked: 'Revoked', workerRevokeConfirm: 'Revoke this worker\'s certificate? If connected it is cut off and its users\' sessions end.',
    contact: 'Block-page contact line', idleTimeout: 'Idle timeout (seconds)', maxTabs: 'Tab cap', roleSources: 'Source ranges per role (CIDR, comma-separated; empty = any)',
    item: 'Item', figures: 'Figures', status: 'Status', ok: 'OK', attention: 'Check', exportCsv: 'Export CSV', refresh: 'Refresh', yes: 'yes', no: 'no', failed: 'Failed.',
    signOut: 'Sign out', browse: 'Browser',
    directory: 'Directory sign-in (Active Directory / LDAP)', dirNotConfigured: 'Directory sign-in is not configured. Set it in the configuration file or environment (KEKKAI_LDAP_URL and others) and staff sign in with their directory password. The role mapping can be prepared now.',
    dirStatic: 'Connection (set in the configuration file or environment)', dirServers: 'Servers', dirMode: 'Mode', dirBaseDn: 'Where users are searched (base DN)', dirGroupBaseDn: 'Where groups are searched', dirBindDn: 'Service account',
    dirUserFilter: 'User filter', dirLoginAttr: 'Sign-in name attribute', dirDeptAttr: 'Department attribute', dirTitleAttr: 'Job title attribute', dirDisabledFilter: 'Counted as disabled when', dirSync: 'Sync interval (minutes, 0 = no scheduled sync)', dirTls: 'Encryption',
    roleMapping: 'Groups and roles (checked top to bottom; the first matching row gives the role; people matching no row cannot sign in)', group: 'Group (DN)', addRow: 'Add row', saveMapping: 'Save mapping',
    testConnection: 'Test connection', testUser: 'Test a user', testUserName: 'Sign-in name (no password needed)', dirResultRole: 'Role', dirResultRefused: 'Cannot sign in', dirGroups: 'Groups (nested included)', dirDn: 'Place in the directory (DN)', displayName: 'Display name', matched: 'Matching row',
    syncNow: 'Sync now', lastSync: 'Last sync', syncOk: 'succeeded', syncFailed: 'failed', syncChecked: 'accounts checked', syncDisabled: 'disabled', syncEnabled: 'enabled again', never: 'not run yet',
    federation: 'Single sign-on (OIDC / SAML)', fedOidc: 'OpenID Connect (Entra ID, Keycloak, …)', fedSaml: 'SAML 2.0', fedNotConfigured: 'Not configured. Set it in the configuration file or environment ({keys}) and the login page shows a button. The role mapping can be prepared now.',
    fedRegister: 'Values to register at the provider', fedClaim: 'Claim or attribute', fedValue: 'Value', fedGroup: 'Group or role value',
    source: 'Source', local: 'local', directoryDisabled: 'Accounts disabled by the directory', reason: 'Reason', notInDirectory: 'not in the directory', disabledInDirectory: 'disabled in the directory', noMappedGroup: 'in no mapped group',
  },
} as const;

export type AdminKey = keyof (typeof STRINGS)['ja'];

export function tr(key: AdminKey): string {
  return STRINGS[lang][key];
}
