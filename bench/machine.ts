/** Facts about the machine a benchmark ran on, recorded beside the figures. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  totalMemoryGiB: number;
  node: string;
  chromium: string;
  loadAverageAtStart: number[];
  kernel: string;
}

export function machineFacts(chromiumPath: string): MachineFacts {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) cpuModel = line.split(':').slice(1).join(':').trim();
  } catch {
    /* not Linux: keep os.cpus() */
  }
  let chromium = 'unknown';
  try {
    chromium = execFileSync(chromiumPath, ['--version'], { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    /* recorded as unknown */
  }
  return {
    cpuModel,
    cores: os.availableParallelism(),
    totalMemoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    chromium,
    loadAverageAtStart: os.loadavg().map((v) => Number(v.toFixed(2))),
    kernel: `${os.type()} ${os.release()}`,
  };
}
