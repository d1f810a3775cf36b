/**
 * `kekkai worker …` (docs/workers.md): run a browser worker (local, started by `kekkai
 * serve`; or remote, joining a control plane), make the worker CA and join tokens,
 * list and revoke workers, and drain or check a remote worker from its own machine.
 * Exit codes: 0 done, 1 failure (status: not connected), 2 usage, 77 refused, 78 setup.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from '../config/config-schema.js';
import { openDatabase } from '../database.js';
import { openAuditLog } from '../audit/audit-setup.js';
import { auditOrigin, currentOsAccount } from '../actor.js';
import { createJoinToken, joinTokenId, JoinTokenFile } from '../workers/join-token.js';
import { createWorkerCa, loadWorkerCa } from '../workers/worker-ca.js';
import { SqliteWorkerRegistry } from '../workers/worker-registry.js';
import { workerCaDir } from '../workers/remote-workers.js';
import { isFresh, readWorkerState, requestDrain, stateFiles } from '../worker/worker-state.js';

const USAGE = `Usage:
  kekkai worker --control wss://HOST:PORT [--token-file FILE] [--state-dir DIR] [--capacity N]
                                         run a browser worker that joins that control plane
  kekkai worker ca init --dir DIR        make the worker CA (ca.crt, ca.key) ahead of time
  kekkai worker token create [--out FILE] [--ttl-hours H] [--control URL] [--ca-dir DIR]
  kekkai worker token revoke FILE|ID     refuse a join token before it expires
  kekkai worker list [--json]            workers that joined this control plane
  kekkai worker revoke NAME              refuse a worker's certificate from now on
  kekkai worker drain [--state-dir DIR] [--undo] [--wait] [--timeout SECONDS]
  kekkai worker status [--state-dir DIR] [--json]
`;

const DEFAULT_STATE_DIR = './worker-state';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export async function runWorkerCommand(args: string[], config: () => Readonly<Config>): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case '--local': {
      const { runLocalWorker } = await import('../worker/local-worker.js');
      // The control plane passes its log level (an unknown word means info).
      return runLocalWorker(LOG_LEVELS.includes(rest[0] ?? '') ? rest[0]! : 'info');
    }
    case 'ca':
      return rest[0] === 'init' ? caInit(rest.slice(1)) : usage();
    case 'token':
      if (rest[0] === 'create') return tokenCreate(rest.slice(1), config);
      if (rest[0] === 'revoke') return tokenRevoke(rest.slice(1), config);
      return usage();
    case 'list':
      return list(rest, config);
    case 'revoke':
      return revoke(rest, config);
    case 'drain':
      return drain(rest);
    case 'status':
      return status(rest);
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return 0;
    default:
      return run(args, config);
  }
}

function usage(message?: string): number {
  process.stderr.write(`${message ? `${message}\n\n` : ''}${USAGE}`);
  return 2;
}

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>): Record<string, string | boolean | undefined> | null {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    usage((err as Error).message);
    return null;
  }
}

async function run(args: string[], config: () => Readonly<Config>): Promise<number> {
  const values = parse(args, { control: { type: 'string' }, 'token-file': { type: 'string' }, 'state-dir': { type: 'string' }, capacity: { type: 'string' } });
  if (!values) return 2;
  const control = (values.control as string | undefined) ?? process.env.KEKKAI_CONTROL_URL;
  if (!control) return usage('--control (or KEKKAI_CONTROL_URL) is required');
  const capacity = Number((values.capacity as string | undefined) ?? process.env.KEKKAI_WORKER_CAPACITY ?? config().session.maxSessions);
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > 10_000) return usage('--capacity must be a whole number of sessions (1–10000)');
  const { runRemoteWorker } = await import('../worker/remote-worker.js');
  const settings = config();
  return runRemoteWorker({
    control,
    tokenFile: (values['token-file'] as string | undefined) ?? process.env.KEKKAI_JOIN_TOKEN_FILE ?? null,
    stateDir: stateDir(values),
    chromiumPath: settings.chromiumPath,
    capacity,
    logLevel: settings.logLevel,
  });
}

function stateDir(values: Record<string, unknown>): string {
  return (values['state-dir'] as string | undefined) ?? process.env.KEKKAI_WORKER_STATE_DIR ?? DEFAULT_STATE_DIR;
}

async function caInit(args: string[]): Promise<number> {
  const values = parse(args, { dir: { type: 'string' } });
  if (!values) return 2;
  if (!values.dir) return usage('--dir is required');
  try {
    await createWorkerCa(values.dir as string);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      process.stderr.write(`${values.dir as string} already holds a worker CA; it is kept (workers that joined rely on it)\n`);
      return 1;
    }
    throw err;
  }
  const ca = await loadWorkerCa(values.dir as string, { create: false });
  process.stdout.write(`worker CA made in ${values.dir as string} (SHA-256 ${ca.fingerprint}); keep ca.key secret\n`);
  return 0;
}

async function tokenCreate(args: string[], config: () => Readonly<Config>): Promise<number> {
  const values = parse(args, { out: { type: 'string' }, 'ttl-hours': { type: 'string' }, control: { type: 'string' }, 'ca-dir': { type: 'string' } });
  if (!values) return 2;
  const ttlHours = Number((values['ttl-hours'] as string | undefined) ?? 24);
  const caDir = (values['ca-dir'] as string | undefined) ?? workerCaDir(config());
  const ca = await loadWorkerCa(caDir, { create: !values['ca-dir'] });
  let token;
  try {
    token = createJoinToken(ca, { ttlHours, ...(values.control ? { control: values.control as string } : {}) });
  } catch (err) {
    return usage((err as Error).message);
  }
  const { id, ...file } = token;
  const text = `${JSON.stringify(file, null, 2)}\n`;
  if (values.out) {
    await writeFile(values.out as string, text, { mode: 0o600 });
    process.stderr.write(`join token ${id} written to ${values.out as string}, valid until ${file.expires}; treat it as a secret\n`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}

/** The OS account running the command, as audit records of the command line name it. */
function cliActor(): { who: { userName?: string }; details: Record<string, unknown> } {
  return auditOrigin({ source: 'cli', os: currentOsAccount() });
}

async function withRegistry<T>(config: Readonly<Config>, fn: (registry: SqliteWorkerRegistry, audit: ReturnType<typeof openAuditLog>['audit']) => T): Promise<T> {
  const db = openDatabase(config.dataDir);
  try {
    // Opened first: without a usable audit key nothing is changed.
    const log = openAuditLog(db, config, (msg) => process.stderr.write(`warning: ${msg}\n`));
    try {
      return fn(new SqliteWorkerRegistry(db), log.audit);
    } finally {
      await log.close();
    }
  } finally {
    db.close();
  }
}

async function tokenRevoke(args: string[], config: () => Readonly<Config>): Promise<number> {
  const [target] = args;
  if (!target || args.length !== 1) return usage('token revoke takes a token file or a token id');
  let id: string | null = /^[A-Za-z0-9_-]{16}$/.test(target) ? target : null;
  if (!id) {
    try {
      const { readFile } = await import('node:fs/promises');
      id = joinTokenId(JoinTokenFile.parse(JSON.parse(await readFile(target, 'utf8'))).token);
    } catch {
      id = null;
    }
  }
  if (!id) return usage(`${target} is neither a join token id nor a join token file`);
  const joinId = id;
  const workers = await withRegistry(config(), (registry, audit) => {
    const revokedWorkers = registry.revokeToken(joinId, new Date());
    const { who, details } = cliActor();
    audit.record({ ...who, event: 'worker-join-revoked', outcome: 'success', details: { ...details, joinId, revokedWorkers } });
    return revokedWorkers;
  });
  // A stolen token may already have joined a worker: those go with it.
  process.stdout.write(`join token ${joinId} revoked, with the ${workers} worker(s) that joined with it\n`);
  return 0;
}

async function list(args: string[], config: () => Readonly<Config>): Promise<number> {
  const values = parse(args, { json: { type: 'boolean' } });
  if (!values) return 2;
  const workers = await withRegistry(config(), (registry) => registry.list());
  if (values.json) {
    process.stdout.write(`${JSON.stringify(workers, null, 2)}\n`);
    return 0;
  }
  if (workers.length === 0) process.stdout.write('no remote worker has joined\n');
  for (const w of workers) {
    process.stdout.write(`${w.name}\tjoined ${w.joinedAt} from ${w.joinedFrom}\tlast seen ${w.lastSeenAt ?? '-'}\t${w.revokedAt ? `revoked ${w.revokedAt}` : 'active'}\n`);
  }
  return 0;
}

async function revoke(args: string[], config: () => Readonly<Config>): Promise<number> {
  const [name] = args;
  if (!name || args.length !== 1 || !/^worker-[0-9a-f]{12}$/.test(name)) return usage('revoke takes a worker name such as worker-0123456789ab (see "kekkai worker list")');
  const done = await withRegistry(config(), (registry, audit) => {
    if (!registry.revoke(name, new Date())) return false;
    const { who, details } = cliActor();
    audit.record({ ...who, event: 'worker-revoked', outcome: 'success', details: { ...details, worker: name } });
    return true;
  });
  if (!done) {
    process.stderr.write(`no worker named ${name}\n`);
    return 1;
  }
  process.stdout.write(`${name} revoked; a running control plane cuts its connection within seconds\n`);
  return 0;
}

async function drain(args: string[]): Promise<number> {
  const values = parse(args, { 'state-dir': { type: 'string' }, undo: { type: 'boolean' }, wait: { type: 'boolean' }, timeout: { type: 'string' } });
  if (!values) return 2;
  const files = stateFiles(stateDir(values));
  await requestDrain(files, !values.undo);
  if (values.undo) {
    process.stdout.write('drain undone: the worker takes new sessions again\n');
    return 0;
  }
  process.stdout.write('draining: the worker takes no new sessions; its sessions go on\n');
  if (!values.wait) return 0;
  const timeoutMs = Number((values.timeout as string | undefined) ?? 3600) * 1000;
  const deadline = Date.now() + (Number.isFinite(timeoutMs) ? timeoutMs : 3_600_000);
  for (;;) {
    const { status: current } = await readWorkerState(files);
    if (!isFresh(current) || current.sessions === 0) {
      process.stdout.write(isFresh(current) ? 'no sessions left\n' : 'the worker is not running\n');
      return 0;
    }
    if (Date.now() > deadline) {
      process.stderr.write(`still ${current.sessions} session(s) after the timeout\n`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function status(args: string[]): Promise<number> {
  const values = parse(args, { 'state-dir': { type: 'string' }, json: { type: 'boolean' } });
  if (!values) return 2;
  const { status: current, drainRequested } = await readWorkerState(stateFiles(stateDir(values)));
  const running = isFresh(current);
  if (values.json) process.stdout.write(`${JSON.stringify({ running, drainRequested, ...(current ?? {}) })}\n`);
  else if (!running) process.stdout.write('not running\n');
  else process.stdout.write(`${current.connected ? 'connected' : 'not connected'} to ${current.control}; ${current.sessions} session(s)${current.draining ? '; draining' : ''}\n`);
  return running && current.connected ? 0 : 1;
}
