import { spawn } from 'node:child_process';
import { describeView, privateViewPrefix } from './private-view.js';

/**
 * Run a parser of hostile bytes (pdftoppm, LibreOffice, …) as a separate process with
 * a wall-clock limit, an address-space limit (prlimit --as), no core dumps, a CPU-time
 * limit, a minimal environment and — where the kernel allows it — no network (a fresh
 * network namespace via `unshare -n`, or `unshare -rn` for unprivileged users).
 *
 * Workers die with the gateway, even when it is killed with SIGKILL and cannot clean
 * up: `setpriv --pdeathsig KILL` kills the worker when the gateway dies, and where
 * the kernel allows it the worker is PID 1 of its own PID namespace
 * (`unshare --pid --fork --kill-child`), so its own children (LibreOffice's
 * soffice.bin under oosplash) die with it.
 */

/** Options for {@link runLimited}. */
export interface LimitedRunOptions {
  command: string;
  args: string[];
  /** Working directory; also HOME and TMPDIR of the child. */
  cwd: string;
  timeoutMs: number;
  memoryBytes: number;
  /** Largest file the child may write (RLIMIT_FSIZE). */
  maxFileBytes?: number;
  /**
   * Run where only `cwd` and read-only system files are visible (private-view.ts); this
   * also cuts the network. Falls back to network isolation where the host refuses it.
   */
  privateView?: boolean;
}

/** Outcome of {@link runLimited}; never throws. */
export type LimitedRunResult =
  | { ok: true; stdout: string; stderr: string; isolation: string }
  | { ok: false; kind: 'timeout' | 'failed' | 'spawn-error'; detail: string; stderr: string; isolation: string };

const MAX_CAPTURE = 1024 * 1024;

let isolationProbe: Promise<string[] | null> | undefined;

function probe(cmd: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}

const PID_NAMESPACE = ['--pid', '--fork', '--kill-child'];

/**
 * The command prefix that cuts the network (and, where possible, puts the worker in
 * its own PID namespace), or null when none works on this host.
 */
export function networkIsolationPrefix(): Promise<string[] | null> {
  isolationProbe ??= (async () => {
    for (const flags of [['-n', ...PID_NAMESPACE], ['-rn', ...PID_NAMESPACE], ['-n'], ['-rn']]) {
      if (await probe('unshare', [...flags, '--', 'true'])) return ['unshare', ...flags, '--'];
    }
    return null;
  })();
  return isolationProbe;
}

let deathSignalProbe: Promise<string[]> | undefined;

/** `setpriv --pdeathsig KILL --` where util-linux has it (2.33+), else nothing. */
function deathSignalPrefix(): Promise<string[]> {
  deathSignalProbe ??= probe('setpriv', ['--pdeathsig', 'KILL', '--', 'true']).then((ok) => (ok ? ['setpriv', '--pdeathsig', 'KILL', '--'] : []));
  return deathSignalProbe;
}

let prlimitProbe: Promise<boolean> | undefined;

/** Run a command under the limits above. */
export async function runLimited(opts: LimitedRunOptions): Promise<LimitedRunResult> {
  const view = opts.privateView ? await privateViewPrefix(opts.cwd) : null;
  const net = view ? null : await networkIsolationPrefix();
  prlimitProbe ??= probe('prlimit', ['--version']);
  const cpuSeconds = Math.max(1, Math.ceil(opts.timeoutMs / 1000));
  const limits = [`--as=${opts.memoryBytes}`, '--core=0', `--cpu=${cpuSeconds}`];
  if (opts.maxFileBytes) limits.push(`--fsize=${opts.maxFileBytes}`);
  // setpriv goes right before unshare: the process it marks is the one that stays
  // the gateway's child (unshare --fork waits for the worker it forks).
  const deathSignal = await deathSignalPrefix();
  const inner = [...deathSignal, ...(view ?? net ?? []), opts.command, ...opts.args];
  const argv = (await prlimitProbe)
    ? ['prlimit', ...limits, '--', ...inner]
    : ['sh', '-c', `ulimit -v ${Math.floor(opts.memoryBytes / 1024)}; ulimit -c 0; exec "$@"`, 'sh', ...inner];
  const netText = net ? net.slice(0, 2).join(' ') : 'no network namespace (unshare unavailable)';
  const isolation = `${view ? describeView(view) : opts.privateView ? `${describeView(null)}; ${netText}` : netText}; ${
    (await prlimitProbe) ? 'prlimit' : 'ulimit'
  } as=${Math.round(opts.memoryBytes / 1048576)}MiB; timeout ${opts.timeoutMs}ms${net?.includes('--pid') ? '; own PID namespace' : ''}${
    deathSignal.length ? '; dies with the gateway' : ''
  }`;
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: opts.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: opts.cwd, TMPDIR: opts.cwd, LANG: 'C.UTF-8' },
    });
    const killGroup = (): void => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, opts.timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < MAX_CAPTURE) stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < MAX_CAPTURE) stderr += d.toString('utf8');
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, kind: 'spawn-error', detail: err.message, stderr, isolation });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Children the parser left behind (LibreOffice's oosplash/soffice.bin) die with it.
      killGroup();
      if (timedOut) resolve({ ok: false, kind: 'timeout', detail: `killed after ${opts.timeoutMs}ms`, stderr, isolation });
      else if (code === 0) resolve({ ok: true, stdout, stderr, isolation });
      else resolve({ ok: false, kind: 'failed', detail: `exit ${code ?? signal}`, stderr: stderr.slice(0, 2000), isolation });
    });
  });
}
