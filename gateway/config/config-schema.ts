/**
 * The one schema for every kekkai setting. Values come from an optional YAML file
 * (KEKKAI_CONFIG or --config) and from KEKKAI_* environment variables (which win);
 * see load-config.ts and docs/configuration.md.
 */
import { z } from 'zod';
import { parseCidr } from '../../policies/index.js';
import { egressAllowProblems } from './egress-allow-check.js';

const port = z.coerce.number().int().min(0).max(65535);
const bool = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(s)) return false;
  return v;
}, z.boolean());
const cidrList = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
  z.array(z.string().regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, 'expected a CIDR such as 10.0.0.0/8')),
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
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(8443),
    dataDir: z.string().min(1).default('./data'),
    chromiumPath: z.string().min(1).default('/usr/bin/chromium'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    tls: z
      .object({ cert: z.string().min(1).optional(), key: z.string().min(1).optional() })
      .strict()
      .default({})
      .refine((t) => Boolean(t.cert) === Boolean(t.key), 'KEKKAI_TLS_CERT and KEKKAI_TLS_KEY must be given together'),
    /** Plain HTTP: only for tests and behind a TLS-terminating proxy. */
    insecureHttp: bool.default(false),
    /** Public https origin when a reverse proxy or port mapping sits in front; Origin checks compare with it. */
    publicUrl: publicUrl.optional(),
    /** Reverse proxies (CIDRs) whose X-Forwarded-For names the client; empty = the TCP peer is the client. */
    trustedProxies: proxyList.default([]),
    /** Initial admin password for the first start; otherwise one is generated and printed once. */
    adminPassword: z.string().min(13).max(200).optional(),
    session: z
      .object({
        idleTimeoutSeconds: z.coerce.number().int().min(30).max(86_400).default(600),
        maxTabs: z.coerce.number().int().min(1).max(50).default(10),
        warmPool: z.coerce.number().int().min(0).max(20).default(1),
        maxSessions: z.coerce.number().int().min(1).max(1000).default(50),
        /**
         * Browser worker processes, each with its own Chromium (docs/workers.md); one
         * crashing ends only its own sessions. 0 runs one Chromium inside the gateway
         * process (tests, development). Default: one per core, at most 8, at most one
         * per 1.5 GiB of memory.
         */
        workers: z.coerce.number().int().min(0).max(64).optional(),
        /** Lifetime of a sign-in, whatever the activity. */
        maxAgeHours: z.coerce.number().int().min(1).max(24 * 7).default(12),
      })
      .strict()
      .default({}),
    stream: z
      .object({
        jpegQuality: z.coerce.number().int().min(30).max(100).default(80),
        /**
         * Highest devicePixelRatio frames are rendered at. Headless Chromium's
         * screencast only yields high-DPI frames when launched with this factor,
         * and it renders every page at it: 2 costs ~30 % input latency on 100 %
         * displays (docs/PERFORMANCE.md), so 1 is the default; set 2 for high-DPI fleets.
         */
        maxDeviceScaleFactor: z.coerce.number().min(1).max(3).default(1),
      })
      .strict()
      .default({}),
    clipboard: z
      .object({ toClient: bool.default(true), fromClient: bool.default(true) })
      .default({}),
    upload: z
      .object({
        enabled: bool.default(false),
        maxBytes: z.coerce.number().int().min(1).max(1024 * 1024 * 1024).default(20 * 1024 * 1024),
      })
      .strict()
      .default({}),
    metrics: z.object({ allow: cidrList.default(['127.0.0.1/32', '::1/128']) }).strict().default({}),
    security: z
      .object({
        /** A quarantined original is released only after a second security user approves. */
        releaseNeedsSecondApproval: bool.default(false),
      })
      .strict()
      .default({}),
    /** clamd address: a Unix socket path or host:port. */
    clamd: z.string().min(1).default('/run/clamav/clamd.ctl'),
    download: z
      .object({
        maxBytes: z.coerce.number().int().min(1).max(4 * 1024 * 1024 * 1024).default(200 * 1024 * 1024),
        /** YAML file policy (types, actions, limits, DPI); default: sanitizer's DEFAULT_FILE_POLICY. */
        filePolicyFile: z.string().min(1).optional(),
        /** Print to PDF (through the sanitizer) from the toolbar or Ctrl+P. */
        print: bool.default(true),
        /**
         * Quarantine key (base64 of 32 bytes) from the environment instead of the key
         * file <dataDir>/keys/quarantine.key; backups then do not contain it.
         */
        quarantineKey: z
          .string()
          .refine((v) => Buffer.from(v, 'base64').length === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(v), 'expected base64 of exactly 32 bytes')
          .optional(),
        /** Days an original stays in the quarantine; older ones are deleted (audited) by a daily job. */
        quarantineRetentionDays: z.coerce.number().int().min(1).max(3650).default(90),
        /** Bytes of sanitized files waiting on disk to be fetched, per session and per gateway. */
        maxPendingBytesPerSession: z.coerce.number().int().min(1024 * 1024).max(64 * 1024 ** 3).default(1024 ** 3),
        maxPendingBytes: z.coerce.number().int().min(1024 * 1024).max(1024 ** 4).default(8 * 1024 ** 3),
      })
      .strict()
      .default({}),
    audit: z
      .object({
        /** HMAC key of the audit chain; kept outside the database (default <dataDir>/keys/audit.key). */
        keyFile: z.string().min(1).optional(),
        syslog: z
          .object({
            host: z.string().min(1).optional(),
            port: port.default(514),
            protocol: z.enum(['tcp', 'udp']).default('tcp'),
            facility: z.coerce.number().int().min(0).max(23).default(13),
            hostname: z.string().min(1).max(255).optional(),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
    egress: z
      .object({
        allowPrivate: cidrList.default([]),
        allowedPorts: z
          .preprocess(
            (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
            z.array(z.coerce.number().int().min(1).max(65535)),
          )
          .default([80, 443]),
        /** Allow-list entries may cover loopback, 0.0.0.0/8, metadata or the gateway's own address. */
        allowLoopback: bool.default(false),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const problem of egressAllowProblems(c.egress.allowPrivate, c.host, c.egress.allowLoopback)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['egress', 'allowPrivate'], message: problem });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/**
 * Environment variables and the setting each one sets. The names other tools rely
 * on (KEKKAI_HOST, KEKKAI_PORT, KEKKAI_DATA_DIR, KEKKAI_CHROMIUM_PATH,
 * KEKKAI_TLS_CERT, KEKKAI_TLS_KEY) must not change.
 */
export const ENV_SETTINGS: ReadonlyArray<{ env: string; path: string; secret?: boolean; doc: string }> = [
  { env: 'KEKKAI_HOST', path: 'host', doc: 'Address to listen on (0.0.0.0 for all interfaces).' },
  { env: 'KEKKAI_PORT', path: 'port', doc: 'Port to listen on; 0 picks a free port.' },
  { env: 'KEKKAI_DATA_DIR', path: 'dataDir', doc: 'Directory for the database, keys and certificates.' },
  { env: 'KEKKAI_CHROMIUM_PATH', path: 'chromiumPath', doc: 'Chromium executable.' },
  { env: 'KEKKAI_LOG_LEVEL', path: 'logLevel', doc: 'fatal, error, warn, info, debug, trace or silent.' },
  { env: 'KEKKAI_TLS_CERT', path: 'tls.cert', doc: 'PEM certificate file (with KEKKAI_TLS_KEY).' },
  { env: 'KEKKAI_TLS_KEY', path: 'tls.key', doc: 'PEM private key file (with KEKKAI_TLS_CERT).' },
  { env: 'KEKKAI_INSECURE_HTTP', path: 'insecureHttp', doc: 'Serve plain HTTP (tests, TLS-terminating proxy only).' },
  { env: 'KEKKAI_PUBLIC_URL', path: 'publicUrl', doc: 'Public https origin of the gateway behind a reverse proxy or port mapping; WebSocket and CSRF Origin checks compare with it.' },
  { env: 'KEKKAI_TRUSTED_PROXIES', path: 'trustedProxies', doc: 'Comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed (default none).' },
  { env: 'KEKKAI_ADMIN_PASSWORD', path: 'adminPassword', secret: true, doc: 'Password of the first admin account, used only at first start.' },
  { env: 'KEKKAI_IDLE_TIMEOUT', path: 'session.idleTimeoutSeconds', doc: 'Seconds a disconnected or idle browser session is kept.' },
  { env: 'KEKKAI_MAX_TABS', path: 'session.maxTabs', doc: 'Tabs per session.' },
  { env: 'KEKKAI_WARM_POOL', path: 'session.warmPool', doc: 'Browser contexts kept ready for new sessions.' },
  { env: 'KEKKAI_MAX_SESSIONS', path: 'session.maxSessions', doc: 'Concurrent browser sessions on this gateway.' },
  { env: 'KEKKAI_WORKERS', path: 'session.workers', doc: 'Browser worker processes (0: Chromium inside the gateway process).' },
  { env: 'KEKKAI_SESSION_MAX_AGE_HOURS', path: 'session.maxAgeHours', doc: 'Hours a sign-in lasts at most.' },
  { env: 'KEKKAI_JPEG_QUALITY', path: 'stream.jpegQuality', doc: 'JPEG quality of streamed frames (30–100).' },
  { env: 'KEKKAI_MAX_DEVICE_SCALE_FACTOR', path: 'stream.maxDeviceScaleFactor', doc: 'Highest client devicePixelRatio rendered natively (1–3, default 1); 2 gives sharp text on high-DPI screens at more CPU.' },
  { env: 'KEKKAI_CLIPBOARD_TO_CLIENT', path: 'clipboard.toClient', doc: 'Allow copying remote text to the local clipboard.' },
  { env: 'KEKKAI_CLIPBOARD_FROM_CLIENT', path: 'clipboard.fromClient', doc: 'Allow pasting local text into the remote page.' },
  { env: 'KEKKAI_UPLOAD_ENABLED', path: 'upload.enabled', doc: 'Allow file uploads to remote pages (off by default).' },
  { env: 'KEKKAI_UPLOAD_MAX_BYTES', path: 'upload.maxBytes', doc: 'Largest upload in bytes.' },
  { env: 'KEKKAI_METRICS_ALLOW', path: 'metrics.allow', doc: 'Comma-separated CIDRs allowed to read /metrics (default loopback only).' },
  { env: 'KEKKAI_RELEASE_NEEDS_SECOND_APPROVAL', path: 'security.releaseNeedsSecondApproval', doc: 'Releasing a quarantined original needs a second security user to approve.' },
  { env: 'KEKKAI_CLAMD', path: 'clamd', doc: 'clamd address: Unix socket path (default /run/clamav/clamd.ctl) or host:port.' },
  { env: 'KEKKAI_DOWNLOAD_MAX_BYTES', path: 'download.maxBytes', doc: 'Largest download accepted; larger ones are canceled and blocked.' },
  { env: 'KEKKAI_FILE_POLICY', path: 'download.filePolicyFile', doc: 'YAML file policy for downloads (types, actions, limits, DPI).' },
  { env: 'KEKKAI_QUARANTINE_KEY', path: 'download.quarantineKey', secret: true, doc: 'Quarantine encryption key, base64 of 32 bytes (default: key file <dataDir>/keys/quarantine.key).' },
  { env: 'KEKKAI_PRINT_ENABLED', path: 'download.print', doc: 'Allow printing remote pages to PDF (sanitized like downloads).' },
  { env: 'KEKKAI_QUARANTINE_RETENTION_DAYS', path: 'download.quarantineRetentionDays', doc: 'Days quarantined originals are kept (1–3650, default 90); older ones are deleted daily, with an audit record.' },
  { env: 'KEKKAI_DOWNLOAD_PENDING_MAX_BYTES_PER_SESSION', path: 'download.maxPendingBytesPerSession', doc: 'Bytes of sanitized files waiting to be fetched, per session (default 1 GiB); beyond it a download is blocked session-output-quota.' },
  { env: 'KEKKAI_DOWNLOAD_PENDING_MAX_BYTES', path: 'download.maxPendingBytes', doc: 'Bytes of sanitized files waiting to be fetched on the gateway (default 8 GiB); beyond it a download is blocked gateway-output-quota.' },
  { env: 'KEKKAI_AUDIT_KEY_FILE', path: 'audit.keyFile', doc: 'HMAC key file of the audit chain (default <dataDir>/keys/audit.key); keep a copy offline.' },
  { env: 'KEKKAI_AUDIT_SYSLOG_HOST', path: 'audit.syslog.host', doc: 'Syslog collector for audit records (RFC 5424); empty = no forwarding.' },
  { env: 'KEKKAI_AUDIT_SYSLOG_PORT', path: 'audit.syslog.port', doc: 'Syslog collector port.' },
  { env: 'KEKKAI_AUDIT_SYSLOG_PROTOCOL', path: 'audit.syslog.protocol', doc: 'tcp (octet-counted, RFC 6587) or udp.' },
  { env: 'KEKKAI_AUDIT_SYSLOG_FACILITY', path: 'audit.syslog.facility', doc: 'Syslog facility number (0–23, default 13 = log audit).' },
  { env: 'KEKKAI_AUDIT_SYSLOG_HOSTNAME', path: 'audit.syslog.hostname', doc: 'HOSTNAME field of forwarded records (default: the machine name).' },
  { env: 'KEKKAI_EGRESS_ALLOW_PRIVATE', path: 'egress.allowPrivate', doc: 'Comma-separated CIDRs of private ranges the remote browser may reach (intranet sites).' },
  { env: 'KEKKAI_EGRESS_ALLOWED_PORTS', path: 'egress.allowedPorts', doc: 'Comma-separated destination ports the remote browser may reach.' },
  { env: 'KEKKAI_EGRESS_ALLOW_LOOPBACK', path: 'egress.allowLoopback', doc: 'Accept KEKKAI_EGRESS_ALLOW_PRIVATE entries covering loopback, 0.0.0.0/8, the metadata address or the gateway itself.' },
];
