/**
 * The systemd files checked by this machine's systemd tools, where installed. They
 * write temporary copies and run commands, so they are integration tests; the
 * unit's content is checked in test/unit/deploy/systemd.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';

const UNIT = 'deploy/systemd/kekkai.service';
const SYSUSERS = 'deploy/systemd/kekkai.sysusers.conf';
const unitText = readFileSync(UNIT, 'utf8');

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

describe('deploy/systemd/kekkai.service', () => {
  // Checks directive names and values with this machine's systemd (unknown keys and
  // unparsable values are warnings that verify prints but does not fail on, so any
  // output fails the test). It does not start the service: it cannot tell whether
  // Chromium's sandbox works under these options. ExecStart is pointed at this node
  // binary in a temporary copy because verify requires the executable to exist.
  it.skipIf(!hasCommand('systemd-analyze'))('passes systemd-analyze verify without warnings', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-unit-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const copy = path.join(dir, 'kekkai.service');
    writeFileSync(copy, unitText.replace('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `));
    const result = spawnSync('systemd-analyze', ['verify', '--man=no', copy], { encoding: 'utf8' });
    expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('deploy/systemd/kekkai-backup.service and .timer', () => {
  // The pair together (the timer names the service); ExecStart pointed at this node as above.
  it.skipIf(!hasCommand('systemd-analyze'))('pass systemd-analyze verify without warnings, and the timer fires daily', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-unit-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const service = readFileSync('deploy/systemd/kekkai-backup.service', 'utf8').replace('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `);
    writeFileSync(path.join(dir, 'kekkai-backup.service'), service);
    writeFileSync(path.join(dir, 'kekkai-backup.timer'), readFileSync('deploy/systemd/kekkai-backup.timer', 'utf8'));
    const result = spawnSync('systemd-analyze', ['verify', '--man=no', path.join(dir, 'kekkai-backup.timer'), path.join(dir, 'kekkai-backup.service')], { encoding: 'utf8' });
    expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
    expect(result.status).toBe(0);
    const calendar = spawnSync('systemd-analyze', ['calendar', '--iterations=2', '*-*-* 02:30:00'], { encoding: 'utf8' });
    const [first, second] = [...calendar.stdout.matchAll(/\d{4}-\d{2}-\d{2} 02:30:00/g)].map((m) => Date.parse(`${m[0].replace(' ', 'T')}Z`));
    expect(second! - first!).toBe(86_400_000);
  });
});

describe('deploy/systemd/kekkai.sysusers.conf', () => {
  it.skipIf(!hasCommand('systemd-sysusers'))('is accepted by systemd-sysusers (dry run on an empty root)', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'kekkai-sysusers-'));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(path.join(root, 'etc'));
    writeFileSync(path.join(root, 'etc', 'passwd'), '');
    writeFileSync(path.join(root, 'etc', 'group'), '');
    const result = spawnSync('systemd-sysusers', [`--root=${root}`, '--dry-run', path.resolve(SYSUSERS)], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(`${result.stdout}${result.stderr}`).toMatch(/Creating user '?kekkai'?/);
  });
});
