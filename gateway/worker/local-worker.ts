/**
 * `kekkai worker --local`: a browser worker started by `kekkai serve` (never by hand).
 * It talks to its control plane only over the IPC channel it was started with, so
 * no port is opened and no credential is needed; it stops when that channel closes
 * (the control plane ended or died) and takes its Chromium with it.
 */
import pino from 'pino';
import type { FromWorker } from '../../protocol/worker-messages.js';
import { loggerOptions } from '../logging.js';
import { WorkerRuntime } from './worker-runtime.js';

export async function runLocalWorker(logLevel: string): Promise<number> {
  if (!process.send || !process.connected) {
    process.stderr.write('kekkai worker --local is started by "kekkai serve" and needs its IPC channel.\n');
    return 2;
  }
  const logger = pino(loggerOptions(logLevel) as pino.LoggerOptions).child({ component: 'worker', pid: process.pid });
  return new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number): void => {
      if (done) return;
      done = true;
      resolve(code);
      // The CLI returns the code; make sure nothing (Chromium's pipe, timers) keeps us alive.
      setImmediate(() => process.exit(code));
    };
    const runtime = new WorkerRuntime(
      {
        send: (msg: FromWorker) => {
          if (process.connected) process.send!(msg);
        },
        onMessage: (listener) => process.on('message', listener),
      },
      logger,
      finish,
    );
    // The control plane is gone: nobody can use this worker's sessions any more.
    process.once('disconnect', () => void runtime.stop().finally(() => finish(0)));
    process.once('SIGTERM', () => void runtime.stop().finally(() => finish(0)));
  });
}
