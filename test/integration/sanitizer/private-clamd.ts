import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ClamdScanner } from '../../../sanitizer/clamd-scanner.js';

/** The fixture signature directory (EICAR's MD5 in .hdb form). */
export const FIXTURE_DB = resolve(import.meta.dirname, '../../fixtures/clamav');

/** A clamd on a private Unix socket, for one test file. */
export interface PrivateClamd {
  socket: string;
  /** Stop clamd (idempotent) and remove its directory. */
  stop(): Promise<void>;
}

/**
 * Start clamd with its own clamd.conf in a temp dir: Unix socket there, the fixture
 * signature database, foreground, alerts on exceeded limits and encrypted content.
 */
export async function startPrivateClamd(databaseDir = FIXTURE_DB, opts: { streamMaxLength?: string } = {}): Promise<PrivateClamd> {
  const dir = await mkdtemp(join(tmpdir(), 'kekkai-clamd-'));
  const socket = join(dir, 'clamd.sock');
  await writeFile(
    join(dir, 'clamd.conf'),
    [
      `LocalSocket ${socket}`,
      'LocalSocketMode 600',
      `DatabaseDirectory ${databaseDir}`,
      'Foreground yes',
      `LogFile ${join(dir, 'clamd.log')}`,
      `TemporaryDirectory ${dir}`,
      'AlertExceedsMax yes',
      'AlertEncrypted yes',
      `StreamMaxLength ${opts.streamMaxLength ?? '200M'}`,
      'MaxScanSize 400M',
      'MaxFileSize 200M',
      'MaxRecursion 10',
      'MaxFiles 10000',
      'SelfCheck 0',
      '',
    ].join('\n'),
  );
  // clamd dies with the test process (setpriv's parent-death signal survives its exec of
  // clamd): a test file that never reaches stop() must not leave it running.
  const child: ChildProcess = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'clamd', '-c', join(dir, 'clamd.conf')], { stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => (exited = true));
  const scanner = new ClamdScanner({ address: socket, timeoutMs: 1000 });
  const deadline = Date.now() + 30_000;
  while (!(await scanner.ping())) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`private clamd did not start (see ${join(dir, 'clamd.log')})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    socket,
    async stop() {
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
