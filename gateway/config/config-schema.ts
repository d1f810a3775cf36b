/**
 * The one schema for every kekkai setting. Values come from an optional YAML file
 * (KEKKAI_CONFIG or --config) and from KEKKAI_* environment variables (which win);
 * see load-config.ts and docs/configuration.md.
 */
import { z } from 'zod';
import { parseCidr } from '../../policies/index.js';
import { bool } from './boolean-setting.js';
import { ExternalSignInSettings, LdapSettings } from './directory-config.js';
import { OidcSettings, SamlSettings } from './federation-config.js';
import { KerberosSettings } from './kerberos-config.js';
import { egressAllowProblems } from './egress-allow-check.js';
import { envSettingsOf, fromEnv, type EnvSetting } from './env-settings.js';

const port = z.coerce.number().int().min(0).max(65535);
const cidrList = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
  z.array(z.string().regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, 'expected a CIDR such as 10.0.0.0/8')),
);

const commaList = <T extends z.ZodTypeAny>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v), z.array(item));
/** A host (`www.mhlw.go.jp`) or every host under a domain (`*.example.jp`), lower case. */
const hostPattern = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'expected a host name such as webmail.example.jp or *.example.jp');

/** `host:port` (IPv6 in brackets); port 0 picks a free one (tests). */
const listenAddress = z.string().transform((v, ctx) => {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(v.trim());
  const port = match ? Number(match[3]) : -1;
  if (!match || port > 65535) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'expected host:port, e.g. 0.0.0.0:8444 or [::]:8444' });
    return z.NEVER;
  }
  return { host: match[1] ?? match[2]!, port };
});
const nameList = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
  z.array(z.string().regex(/^[A-Za-z0-9.:-]{1,253}$/, 'expected a host name or IP address')).max(32),
);

/**
 * The address browsers use for the gateway, e.g. https://kekkai.hospital.example:8443.
 * Only an https origin: the session cookie is Secure, so browsers never send it over http.
 * Kept as the normalized origin (default port dropped) for the Origin checks.
 */
const publicUrl = z.string().transform((v, ctx) => {
  let url: URL | null = null;
  try {
    url = new URL(v.trim());
  } catch {
    url = null;
  }
  const bare = url && url.protocol === 'https:' && !url.username && !url.password && url.pathname === '/' && !url.search && !url.hash;
  if (!url || !bare) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'expected an https:// origin without path, e.g. https://kekkai.hospital.example:8443' });
    return z.NEVER;
  }
  return url.origin;
});

/** An http(s) address without credentials that new tabs open (the URL policy still judges it). */
const startPage = z.string().transform((v, ctx) => {
  let url: URL | null = null;
  try {
    url = new URL(v.trim());
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.href.length > 2048) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'expected an http:// or https:// address without credentials, e.g. https://portal.hospital.example/' });
    return z.NEVER;
  }
  return url.href;
});

/** Reverse proxies whose X-Forwarded-For is believed; never "everyone". */
const proxyList = cidrList.superRefine((list, ctx) => {
  for (const entry of list) {
    const block = parseCidr(entry);
    if (!block) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${JSON.stringify(entry)} is not a CIDR block (e.g. 10.0.0.5/32)` });
    else if (block.prefix < (block.version === 4 ? 8 : 32)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${JSON.stringify(entry)} is too wide: anyone in it could forge their source address; list the proxies' own addresses` });
    }
  }
});

export const ConfigSchema = z
  .object({
    host: fromEnv(z.string().min(1).default('127.0.0.1'), 'KEKKAI_HOST', 'Address to listen on (0.0.0.0 for all interfaces).'),
    port: fromEnv(port.default(8443), 'KEKKAI_PORT', 'Port to listen on; 0 picks a free port.'),
    dataDir: fromEnv(z.string().min(1).default('./data'), 'KEKKAI_DATA_DIR', 'Directory for the database, keys and certificates.'),
    chromiumPath: fromEnv(z.string().min(1).default('/usr/bin/chromium'), 'KEKKAI_CHROMIUM_PATH', 'Chromium executable.'),
    logLevel: fromEnv(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), 'KEKKAI_LOG_LEVEL', 'fatal, error, warn, info, debug, trace or silent.'),
    tls: z
      .object({
        cert: fromEnv(z.string().min(1).optional(), 'KEKKAI_TLS_CERT', 'PEM certificate file (with KEKKAI_TLS_KEY).'),
        key: fromEnv(z.string().min(1).optional(), 'KEKKAI_TLS_KEY', 'PEM private key file (with KEKKAI_TLS_CERT).'),
      })
      .strict()
      .default({})
      .refine((t) => Boolean(t.cert) === Boolean(t.key), 'KEKKAI_TLS_CERT and KEKKAI_TLS_KEY must be given together'),
    /** Plain HTTP: only for tests and behind a TLS-terminating proxy. */
    insecureHttp: fromEnv(bool.default(false), 'KEKKAI_INSECURE_HTTP', 'Serve plain HTTP (tests, TLS-terminating proxy only).'),
    /** Public https origin when a reverse proxy or port mapping sits in front; Origin checks compare with it. */
    publicUrl: fromEnv(publicUrl.optional(), 'KEKKAI_PUBLIC_URL', 'Public https origin of the gateway behind a reverse proxy or port mapping; WebSocket and CSRF Origin checks compare with it.'),
    /** Reverse proxies (CIDRs) whose X-Forwarded-For names the client; empty = the TCP peer is the client. */
    trustedProxies: fromEnv(proxyList.default([]), 'KEKKAI_TRUSTED_PROXIES', 'Comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed (default none).'),
    /** Initial admin password for the first start; otherwise one is generated and printed once. */
    adminPassword: fromEnv(z.string().min(13).max(200).optional(), 'KEKKAI_ADMIN_PASSWORD', 'Password of the first admin account, used only at first start.', { secret: true }),
    session: z
      .object({
        idleTimeoutSeconds: fromEnv(z.coerce.number().int().min(30).max(86_400).default(600), 'KEKKAI_IDLE_TIMEOUT', 'Seconds a disconnected or idle browser session is kept.'),
        maxTabs: fromEnv(z.coerce.number().int().min(1).max(50).default(10), 'KEKKAI_MAX_TABS', 'Tabs per session.'),
        warmPool: fromEnv(z.coerce.number().int().min(0).max(20).default(1), 'KEKKAI_WARM_POOL', 'Browser contexts kept ready for new sessions.'),
        maxSessions: fromEnv(z.coerce.number().int().min(1).max(1000).default(50), 'KEKKAI_MAX_SESSIONS', 'Concurrent browser sessions on this gateway.'),
        /**
         * Browser worker processes, each with its own Chromium (docs/workers.md); one
         * crashing ends only its own sessions. 0 runs one Chromium inside the gateway
         * process (tests, development). Default: one per core, at most 8, at most one
         * per 1.5 GiB of memory.
         */
        workers: fromEnv(z.coerce.number().int().min(0).max(64).optional(), 'KEKKAI_WORKERS', 'Browser worker processes (0: Chromium inside the gateway process).'),
        /**
         * JavaScript heap cap of each renderer (V8 old space, MiB): a page that eats
         * memory kills only its own renderer (the tab shows the crash notice) long
         * before it starves the other sessions on its Chromium.
         */
        rendererMemoryMb: fromEnv(z.coerce.number().int().min(256).max(8192).default(1024), 'KEKKAI_RENDERER_MEMORY_MB', 'JavaScript heap cap per page renderer in MiB (256–8192); a page that eats memory crashes only its own tab.'),
        /**
         * Memory cap of each browser worker with its Chromium (cgroup memory.max, MiB;
         * docs/workers.md). Unset: 80 % of the machine's memory shared by the workers, at
         * least 1536 MiB each; 0: no cap. Needs a writable cgroup, otherwise only the
         * renderer heap cap applies.
         */
        workerMemoryMb: fromEnv(z.coerce
          .number()
          .int()
          .refine((v) => v === 0 || (v >= 512 && v <= 1_048_576), 'expected 0 (no cap) or 512–1048576 MiB')
          .optional(), 'KEKKAI_WORKER_MEMORY_MB', 'Memory cap per browser worker in MiB (0: none; default 80 % of memory over the workers, at least 1536); needs a writable cgroup.'),
        /** CPU weight of each browser worker relative to the control plane's 100 (cgroup cpu.weight). */
        workerCpuWeight: fromEnv(z.coerce.number().int().min(1).max(10_000).default(100), 'KEKKAI_WORKER_CPU_WEIGHT', 'CPU weight of each browser worker against the control plane\'s 100 (1–10000, default 100); needs a writable cgroup.'),
        /** What a new session's first tab and each new tab open; unset: a blank page. */
        startPage: fromEnv(startPage.optional(), 'KEKKAI_START_PAGE', 'Address a new session\'s first tab and each new tab open, e.g. the hospital\'s portal of links (http or https; default a blank page); the URL policy applies to it.'),
        /**
         * Run local worker processes (and so Chromium) as this user when the control
         * plane runs as root, so Chromium keeps its sandbox (docs/workers.md, "Workers as
         * another user"). A user name or uid:gid; ignored (with a warning) when not root.
         */
        workerUser: fromEnv(z
          .string()
          .trim()
          .regex(/^(?:[a-z_][a-z0-9_-]{0,31}|\d{1,10}:\d{1,10})$/, 'expected a user name (e.g. nobody) or uid:gid (e.g. 65534:65534)')
          .optional(), 'KEKKAI_WORKER_USER', 'Run local browser workers (and their Chromium, sandbox on) as this user (name or uid:gid) when kekkai runs as root; ignored otherwise.'),
        /** Work directory of workers run as another user: outside the data directory, which they must not reach. */
        workerDir: fromEnv(z.string().min(1).optional(), 'KEKKAI_WORKER_DIR', 'Work directory of browser workers run as KEKKAI_WORKER_USER (default <dataDir>-workers; never inside the data directory).'),
        /** Lifetime of a sign-in, whatever the activity. */
        maxAgeHours: fromEnv(z.coerce.number().int().min(1).max(24 * 7).default(12), 'KEKKAI_SESSION_MAX_AGE_HOURS', 'Hours a sign-in lasts at most.'),
      })
      .strict()
      .default({}),
    /**
     * The on-screen watermark (docs/leak-guard.md#watermark): user, time and terminal
     * address drawn over the viewer so that a screenshot or a phone photo carries them.
     */
    watermark: z
      .object({
        enabled: fromEnv(bool.default(false), 'KEKKAI_WATERMARK', 'Draw a watermark with the user name, time and terminal address over the remote page (default off).'),
        text: fromEnv(z.string().trim().min(1).max(200).default('{user}  {time}  {address}'), 'KEKKAI_WATERMARK_TEXT', 'Watermark text; {user}, {time} (Japan time, to the minute) and {address} (the terminal\'s address) are filled in.'),
        opacity: fromEnv(z.coerce.number().min(0.04).max(0.6).default(0.14), 'KEKKAI_WATERMARK_OPACITY', 'Watermark opacity (0.04–0.6, default 0.14).'),
        density: fromEnv(z.enum(['low', 'normal', 'high']).default('normal'), 'KEKKAI_WATERMARK_DENSITY', 'How close the watermark repeats: low, normal (default) or high.'),
        roles: fromEnv(commaList(z.enum(['staff', 'admin', 'security'])).default(['staff', 'admin', 'security']), 'KEKKAI_WATERMARK_ROLES', 'Comma-separated roles that see the watermark (default staff,admin,security).'),
        sites: fromEnv(commaList(hostPattern).default([]), 'KEKKAI_WATERMARK_SITES', 'Comma-separated hosts (www.example.jp, *.example.jp) on which the watermark shows; empty (default) = on every page.'),
      })
      .strict()
      .default({}),
    /** Session recording for incident review (docs/recording.md). */
    recording: z
      .object({
        enabled: fromEnv(bool.default(false), 'KEKKAI_RECORDING', 'Record browser sessions (what the user saw, navigations and events) for the security team (default off).'),
        roles: fromEnv(commaList(z.enum(['staff', 'admin', 'security'])).default(['staff', 'admin', 'security']), 'KEKKAI_RECORDING_ROLES', 'Comma-separated roles whose sessions are recorded (default staff,admin,security).'),
        sites: fromEnv(commaList(hostPattern).default([]), 'KEKKAI_RECORDING_SITES', 'Comma-separated hosts (www.example.jp, *.example.jp) recorded; elsewhere the recording pauses. Empty (default) = every page.'),
        retentionDays: fromEnv(z.coerce.number().int().min(1).max(3650).default(90), 'KEKKAI_RECORDING_RETENTION_DAYS', 'Days recordings are kept (1–3650, default 90).'),
        maxFps: fromEnv(z.coerce.number().min(0.5).max(30).default(4), 'KEKKAI_RECORDING_MAX_FPS', 'Most frames per second a recording keeps (0.5–30, default 4); the last frame of a change is always kept.'),
        banner: fromEnv(z.string().trim().min(1).max(300).default('この画面の操作は、情報セキュリティのため記録されています。'), 'KEKKAI_RECORDING_BANNER', 'Text of the banner that tells recorded users so.'),
      })
      .strict()
      .default({}),
    stream: z
      .object({
        jpegQuality: fromEnv(z.coerce.number().int().min(30).max(100).default(80), 'KEKKAI_JPEG_QUALITY', 'JPEG quality (30–100) of key frames; moving parts use at most 55, and the picture is made lossless once still (docs/streaming.md).'),
        /**
         * Highest devicePixelRatio frames are rendered at. Headless Chromium's
         * screencast only yields high-DPI frames when launched with this factor,
         * and it renders every page at it: 2 costs ~30 % input latency on 100 %
         * displays (docs/PERFORMANCE.md), so 1 is the default; set 2 for high-DPI fleets.
         */
        maxDeviceScaleFactor: fromEnv(z.coerce.number().min(1).max(3).default(1), 'KEKKAI_MAX_DEVICE_SCALE_FACTOR', 'Highest client devicePixelRatio rendered natively (1–3, default 1); 2 gives sharp text on high-DPI screens at more CPU.'),
      })
      .strict()
      .default({}),
    clipboard: z
      .object({
        toClient: fromEnv(bool.default(true), 'KEKKAI_CLIPBOARD_TO_CLIENT', 'Allow copying remote text to the local clipboard.'),
        fromClient: fromEnv(bool.default(true), 'KEKKAI_CLIPBOARD_FROM_CLIENT', 'Allow pasting local text into the remote page.'),
      })
      .default({}),
    upload: z
      .object({
        enabled: fromEnv(bool.default(false), 'KEKKAI_UPLOAD_ENABLED', 'Allow file uploads to remote pages (off by default).'),
        maxBytes: fromEnv(z.coerce.number().int().min(1).max(1024 * 1024 * 1024).default(20 * 1024 * 1024), 'KEKKAI_UPLOAD_MAX_BYTES', 'Largest upload in bytes.'),
      })
      .strict()
      .default({}),
    metrics: z
      .object({
        allow: fromEnv(cidrList.default(['127.0.0.1/32', '::1/128']), 'KEKKAI_METRICS_ALLOW', 'Comma-separated CIDRs allowed to read /metrics (default loopback only).'),
      })
      .strict()
      .default({}),
    security: z
      .object({
        /** A quarantined original is released only after a second security user approves. */
        releaseNeedsSecondApproval: fromEnv(bool.default(false), 'KEKKAI_RELEASE_NEEDS_SECOND_APPROVAL', 'Releasing a quarantined original needs a second security user to approve.'),
      })
      .strict()
      .default({}),
    /** clamd address: a Unix socket path or host:port. */
    clamd: fromEnv(z.string().min(1).default('/run/clamav/clamd.ctl'), 'KEKKAI_CLAMD', 'clamd address: Unix socket path (default /run/clamav/clamd.ctl) or host:port.'),
    download: z
      .object({
        maxBytes: fromEnv(z.coerce.number().int().min(1).max(4 * 1024 * 1024 * 1024).default(200 * 1024 * 1024), 'KEKKAI_DOWNLOAD_MAX_BYTES', 'Largest download accepted; larger ones are canceled and blocked.'),
        /** YAML file policy (types, actions, limits, DPI); default: sanitizer's DEFAULT_FILE_POLICY. */
        filePolicyFile: fromEnv(z.string().min(1).optional(), 'KEKKAI_FILE_POLICY', 'YAML file policy for downloads (types, actions, limits, DPI).'),
        /** Renderer of PDF pages (docs/sanitizer.md): PDFium in worker threads with a text layer, or poppler processes (images only). */
        pdfRenderer: fromEnv(z.enum(['pdfium', 'poppler']).default('pdfium'), 'KEKKAI_PDF_RENDERER', 'PDF page renderer: pdfium (WebAssembly worker threads, searchable text layer; default) or poppler (pdftoppm processes, images only).'),
        /** Print to PDF (through the sanitizer) from the toolbar or Ctrl+P. */
        print: fromEnv(bool.default(true), 'KEKKAI_PRINT_ENABLED', 'Allow printing remote pages to PDF (sanitized like downloads).'),
        /**
         * Quarantine key (base64 of 32 bytes) from the environment instead of the key
         * file <dataDir>/keys/quarantine.key; backups then do not contain it.
         */
        quarantineKey: fromEnv(z
          .string()
          .refine((v) => Buffer.from(v, 'base64').length === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(v), 'expected base64 of exactly 32 bytes')
          .optional(), 'KEKKAI_QUARANTINE_KEY', 'Quarantine encryption key, base64 of 32 bytes (default: key file <dataDir>/keys/quarantine.key).', { secret: true }),
        /** Days an original stays in the quarantine; older ones are deleted (audited) by a daily job. */
        quarantineRetentionDays: fromEnv(z.coerce.number().int().min(1).max(3650).default(90), 'KEKKAI_QUARANTINE_RETENTION_DAYS', 'Days quarantined originals are kept (1–3650, default 90); older ones are deleted daily, with an audit record.'),
        /** Bytes of sanitized files waiting on disk to be fetched, per session and per gateway. */
        maxPendingBytesPerSession: fromEnv(z.coerce.number().int().min(1024 * 1024).max(64 * 1024 ** 3).default(1024 ** 3), 'KEKKAI_DOWNLOAD_PENDING_MAX_BYTES_PER_SESSION', 'Bytes of sanitized files waiting to be fetched, per session (default 1 GiB); beyond it a download is blocked session-output-quota.'),
        maxPendingBytes: fromEnv(z.coerce.number().int().min(1024 * 1024).max(1024 ** 4).default(8 * 1024 ** 3), 'KEKKAI_DOWNLOAD_PENDING_MAX_BYTES', 'Bytes of sanitized files waiting to be fetched on the gateway (default 8 GiB); beyond it a download is blocked gateway-output-quota.'),
      })
      .strict()
      .default({}),
    audit: z
      .object({
        /** HMAC key of the audit chain; kept outside the database (default <dataDir>/keys/audit.key). */
        keyFile: fromEnv(z.string().min(1).optional(), 'KEKKAI_AUDIT_KEY_FILE', 'HMAC key file of the audit chain (default <dataDir>/keys/audit.key); keep a copy offline.'),
        syslog: z
          .object({
            host: fromEnv(z.string().min(1).optional(), 'KEKKAI_AUDIT_SYSLOG_HOST', 'Syslog collector for audit records (RFC 5424); empty = no forwarding.'),
            port: fromEnv(port.default(514), 'KEKKAI_AUDIT_SYSLOG_PORT', 'Syslog collector port.'),
            protocol: fromEnv(z.enum(['tcp', 'udp']).default('tcp'), 'KEKKAI_AUDIT_SYSLOG_PROTOCOL', 'tcp (octet-counted, RFC 6587) or udp.'),
            facility: fromEnv(z.coerce.number().int().min(0).max(23).default(13), 'KEKKAI_AUDIT_SYSLOG_FACILITY', 'Syslog facility number (0–23, default 13 = log audit).'),
            hostname: fromEnv(z.string().min(1).max(255).optional(), 'KEKKAI_AUDIT_SYSLOG_HOSTNAME', 'HOSTNAME field of forwarded records (default: the machine name).'),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
    /** Scheduled backups (`kekkai backup --scheduled`, deploy/systemd/kekkai-backup.timer; docs/operations.md). */
    backup: z
      .object({
        dir: fromEnv(z.string().min(1).optional(), 'KEKKAI_BACKUP_DIR', 'Directory of scheduled backups (kekkai backup --scheduled); outside the data directory.'),
        keepDaily: fromEnv(z.coerce.number().int().min(1).max(366).default(7), 'KEKKAI_BACKUP_KEEP_DAILY', 'Days whose newest scheduled backup is kept (1–366, default 7).'),
        keepWeekly: fromEnv(z.coerce.number().int().min(0).max(520).default(4), 'KEKKAI_BACKUP_KEEP_WEEKLY', 'Weeks whose newest scheduled backup is kept besides the daily ones (0–520, default 4).'),
        withQuarantine: fromEnv(bool.default(false), 'KEKKAI_BACKUP_WITH_QUARANTINE', 'Scheduled backups include the quarantined originals.'),
        encryptTo: fromEnv(z.string().trim().min(1).optional(), 'KEKKAI_BACKUP_ENCRYPT_TO', 'age recipient (age1…) or absolute path of a recipients file: scheduled backups are encrypted for it; the private key stays off the server.'),
        copyTo: fromEnv(z.string().trim().min(1).optional(), 'KEKKAI_BACKUP_COPY_TO', 'Second location of scheduled backups: an absolute directory (a mounted NAS share) or an rsync destination (host:path).'),
        maxAgeHours: fromEnv(z.coerce.number().int().min(1).max(24 * 31).default(26), 'KEKKAI_BACKUP_MAX_AGE_HOURS', 'The compliance page flags backups when the last successful one is older than this (hours, default 26).'),
      })
      .strict()
      .default({}),
    /** Browser workers on other machines (docs/workers.md): off unless a listen address is given. */
    remoteWorkers: z
      .object({
        listen: fromEnv(listenAddress.optional(), 'KEKKAI_WORKER_LISTEN', 'host:port of the mutual-TLS listener remote browser workers join (e.g. 0.0.0.0:8444); unset: no remote workers.'),
        hostnames: fromEnv(nameList.default([]), 'KEKKAI_WORKER_HOSTNAMES', 'Comma-separated names and addresses workers use to reach the listener (in its certificate; default: this machine\'s name, localhost, 127.0.0.1).'),
        maxSessionsPerWorker: fromEnv(z.coerce.number().int().min(1).max(1000).default(25), 'KEKKAI_REMOTE_WORKER_MAX_SESSIONS', 'Sessions one remote worker is given at most (1–1000, default 25), whatever capacity it reports.'),
        caDir: fromEnv(z.string().min(1).optional(), 'KEKKAI_WORKER_CA_DIR', 'Directory of the worker CA (ca.crt, ca.key; default <dataDir>/worker-ca, made at first start).'),
      })
      .strict()
      .default({}),
    /** Directory sign-in, LDAP / Active Directory (docs/directory-sign-in.md). */
    ldap: LdapSettings,
    /** Federated sign-in: OpenID Connect and SAML 2.0 (docs/federated-sign-in.md). */
    oidc: OidcSettings,
    saml: SamlSettings,
    /** Kerberos single sign-on, SPNEGO Negotiate (docs/kerberos-sign-in.md). */
    kerberos: KerberosSettings,
    /** Rules shared by every external identity source. */
    externalSignIn: ExternalSignInSettings,
    egress: z
      .object({
        allowPrivate: fromEnv(cidrList.default([]), 'KEKKAI_EGRESS_ALLOW_PRIVATE', 'Comma-separated CIDRs of private ranges the remote browser may reach (intranet sites).'),
        allowedPorts: fromEnv(z
          .preprocess(
            (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
            z.array(z.coerce.number().int().min(1).max(65535)),
          )
          .default([80, 443]), 'KEKKAI_EGRESS_ALLOWED_PORTS', 'Comma-separated destination ports the remote browser may reach.'),
        /** Allow-list entries may cover loopback, 0.0.0.0/8, metadata or the gateway's own address. */
        allowLoopback: fromEnv(bool.default(false), 'KEKKAI_EGRESS_ALLOW_LOOPBACK', 'Accept KEKKAI_EGRESS_ALLOW_PRIVATE entries covering loopback, 0.0.0.0/8, the metadata address or the gateway itself.'),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const problem of egressAllowProblems(c.egress.allowPrivate, c.host, c.egress.allowLoopback)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['egress', 'allowPrivate'], message: problem });
    }
    // Kerberos proves who a person is; their role, department and job come from the directory.
    if (c.kerberos.keytab && !c.ldap.url) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['kerberos', 'keytab'], message: 'KEKKAI_KERBEROS_KEYTAB needs a directory (KEKKAI_LDAP_URL): roles, departments and jobs of ticket holders come from it' });
    }
    // The audience of SAML assertions must be fixed, never derived from a request's Host.
    if (c.saml.idpSsoUrl && !c.saml.spEntityId && !c.publicUrl) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['saml', 'spEntityId'], message: 'set KEKKAI_SAML_SP_ENTITY_ID (or KEKKAI_PUBLIC_URL, which gives <url>/auth/saml/metadata) with KEKKAI_SAML_IDP_SSO_URL' });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/**
 * Environment variables and the setting each one sets, read off the schema
 * (`fromEnv` on each leaf; env-settings.ts). The names other tools rely on
 * (KEKKAI_HOST, KEKKAI_PORT, KEKKAI_DATA_DIR, KEKKAI_CHROMIUM_PATH, KEKKAI_TLS_CERT,
 * KEKKAI_TLS_KEY) must not change.
 */
export const ENV_SETTINGS: readonly EnvSetting[] = envSettingsOf(ConfigSchema).settings;
