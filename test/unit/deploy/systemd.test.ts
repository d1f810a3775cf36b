import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

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

  it('delegates the cpu and memory controllers, writable, for the per-worker limits', () => {
    expect(one('Delegate')).toBe('cpu memory');
    expect(one('ProtectControlGroups')).toBe('no');
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
});

describe('deploy/systemd/kekkai-backup.service and kekkai-backup.timer', () => {
  const backup = parseUnit(readFileSync('deploy/systemd/kekkai-backup.service', 'utf8')).get('Service')!;
  const timer = parseUnit(readFileSync('deploy/systemd/kekkai-backup.timer', 'utf8'));
  const get = (key: string): string | undefined => backup.get(key)?.at(-1);

  it('runs `kekkai backup --scheduled` once, as the gateway\'s user, with the gateway\'s settings', () => {
    expect(get('Type')).toBe('oneshot');
    expect(get('User')).toBe(one('User'));
    expect(get('ExecStart')).toBe('/usr/bin/node /opt/kekkai/bin/kekkai.js backup --scheduled');
    expect(backup.get('Environment')).toEqual(expect.arrayContaining(['KEKKAI_DATA_DIR=/var/lib/kekkai', 'KEKKAI_BACKUP_DIR=/var/backups/kekkai']));
    expect(get('EnvironmentFile')).toBe(one('EnvironmentFile'));
  });

  it('may write only the data and backup directories, with no capabilities', () => {
    expect(get('ProtectSystem')).toBe('strict');
    expect(get('ReadWritePaths')!.split(' ')).toEqual(['/var/lib/kekkai', '-/var/backups/kekkai']);
    expect(get('CapabilityBoundingSet')).toBe('');
    expect(get('NoNewPrivileges')).toBe('yes');
    expect(get('UMask')).toBe('0077');
  });

  it('fires daily, catches up after downtime, and starts that service', () => {
    const t = timer.get('Timer')!;
    expect(t.get('OnCalendar')).toEqual(['*-*-* 02:30:00']);
    expect(t.get('Persistent')).toEqual(['true']);
    expect(t.get('Unit')).toEqual(['kekkai-backup.service']);
    expect(timer.get('Install')!.get('WantedBy')).toEqual(['timers.target']);
  });
});
