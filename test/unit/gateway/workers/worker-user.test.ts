import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../gateway/config/load-config.js';
import { defaultWorkerDir, resolveUser, workerEnvironment } from '../../../../gateway/workers/worker-user.js';

describe('workers as another user (KEKKAI_WORKER_USER)', () => {
  it('takes a user name or uid:gid and refuses anything else with the variable named', () => {
    expect(loadConfig({ env: { KEKKAI_WORKER_USER: 'nobody' } }).session.workerUser).toBe('nobody');
    expect(loadConfig({ env: { KEKKAI_WORKER_USER: '65534:65534' } }).session.workerUser).toBe('65534:65534');
    expect(loadConfig({ env: {} }).session.workerUser).toBeUndefined();
    for (const bad of ['no body', '../x', '65534', 'a;rm -rf /']) {
      expect(() => loadConfig({ env: { KEKKAI_WORKER_USER: bad } })).toThrow(/KEKKAI_WORKER_USER|workerUser/);
    }
  });

  it('reads uid:gid without asking the system', () => {
    expect(resolveUser('1234:5678')).toEqual({ uid: 1234, gid: 5678 });
  });

  it('keeps the work directory beside the data directory, never inside it', () => {
    expect(defaultWorkerDir('/var/lib/kekkai')).toBe('/var/lib/kekkai-workers');
    expect(defaultWorkerDir('/var/lib/kekkai/')).toBe('/var/lib/kekkai-workers');
  });

  it('gives workers no kekkai setting (secrets included) and a HOME of their own', () => {
    const env = workerEnvironment(
      { PATH: '/usr/bin', LANG: 'C.UTF-8', HOME: '/root', XDG_CONFIG_HOME: '/root/.config', KEKKAI_QUARANTINE_KEY: 'secret', KEKKAI_ADMIN_PASSWORD: 'pw', KEKKAI_CONFIG: '/etc/kekkai.yaml', KEKKAI_TEST_MARKER: 'kept' },
      '/var/lib/kekkai-workers',
    );
    expect(env).toEqual({ PATH: '/usr/bin', LANG: 'C.UTF-8', HOME: '/var/lib/kekkai-workers', KEKKAI_TEST_MARKER: 'kept' });
  });
});
