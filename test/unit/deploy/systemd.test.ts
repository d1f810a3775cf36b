import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';

const UNIT = 'deploy/systemd/kekkai.service';
const SYSUSERS = 'deploy/systemd/kekkai.sysusers.conf';
const unitText = readFileSync(UNIT, 'utf8');

/** [Section] → key → values, in file order (systemd keys may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq < 0) throw new Error(`unexpected line: ${line}`);
    const key = line.slice(0, eq);
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1)]);
  }
  return sections;
}

const service = parseUnit(unitText).get('Service')!;
const one = (key: string): string | undefined => service.get(key)?.at(-1);

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

describe('deploy/systemd/kekkai.service', () => {
  it('runs node on the installed build as a non-root user', () => {
    expect(one('User')).toBeDefined();
    expect(one('User')).not.toMatch(/^(root|0)$/);
    expect(one('ExecStart')).toBe('/usr/bin/node /opt/kekkai/bin/kekkai.js serve');
    expect(one('WorkingDirectory')).toBe('/opt/kekkai');
    expect(service.get('Environment')).toContain('KEKKAI_DATA_DIR=/var/lib/kekkai');
    expect(one('EnvironmentFile')).toBe('-/etc/kekkai/kekkai.env');
  });

  it('has the hardening options, with the data directory as the only writable path', () => {
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('ProtectHome')).toBe('yes');
    expect(one('PrivateTmp')).toBe('yes');
    expect(one('ReadWritePaths')).toBe('/var/lib/kekkai');
    expect(one('CapabilityBoundingSet')).toBe('');
  });

  it('leaves out the options that break Chromium (sandbox namespaces, V8 JIT)', () => {
    expect(service.has('RestrictNamespaces')).toBe(false);
    expect(service.has('MemoryDenyWriteExecute')).toBe(false);
    expect(service.has('SystemCallFilter')).toBe(false);
    expect(unitText).not.toMatch(/no-sandbox/);
  });

  it('restarts after a failure but not on a bad setting (exit 78), and stops gracefully', () => {
    expect(one('Restart')).toBe('on-failure');
    expect(one('RestartPreventExitStatus')).toBe('78');
    expect(one('KillSignal')).toBe('SIGTERM');
    expect(one('TimeoutStopSec')).toBe('30');
  });

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

describe('deploy/systemd/kekkai.sysusers.conf', () => {
  it('creates the user the unit runs as, with the data directory as home and no login shell', () => {
    const entry = readFileSync(SYSUSERS, 'utf8')
      .split('\n')
      .find((l) => /^u\s/.test(l));
    expect(entry).toBeDefined();
    const fields = entry!.match(/"[^"]*"|\S+/g)!;
    expect(fields[1]).toBe(one('User'));
    expect(fields[4]).toBe('/var/lib/kekkai');
    expect(fields[5]).toBe('/usr/sbin/nologin');
  });

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
