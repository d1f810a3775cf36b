import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigSchema, ENV_SETTINGS } from '../../../../gateway/config/config-schema.js';
import { envSettingsOf } from '../../../../gateway/config/env-settings.js';
import { ConfigError, loadConfig } from '../../../../gateway/config/load-config.js';

describe('configuration', () => {
  it('has safe defaults: loopback, 8443, ./data, Debian Chromium, uploads off', () => {
    const config = loadConfig({ env: {} });
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8443);
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.chromiumPath).toBe('/usr/bin/chromium');
    expect(config.upload.enabled).toBe(false);
    expect(config.insecureHttp).toBe(false);
    expect(config.session.idleTimeoutSeconds).toBe(600);
    expect(config.session.maxTabs).toBe(10);
    expect(Object.isFrozen(config.session)).toBe(true);
  });

  it('reads every setting from its own environment variable, declared on the schema', () => {
    expect(envSettingsOf(ConfigSchema).undeclared).toEqual([]);
    const names = ENV_SETTINGS.map((s) => s.env);
    expect(new Set(names).size).toBe(names.length);
    expect(ENV_SETTINGS.find((s) => s.path === 'session.idleTimeoutSeconds')).toMatchObject({ env: 'KEKKAI_IDLE_TIMEOUT' });
    expect(ENV_SETTINGS.filter((s) => s.secret).map((s) => s.env).sort()).toEqual(['KEKKAI_ADMIN_PASSWORD', 'KEKKAI_QUARANTINE_KEY']);
    // A new leaf without fromEnv() is reported, so it cannot be left without a variable.
    expect(envSettingsOf(ConfigSchema.extend({ extra: z.object({ knob: z.number().default(1) }).default({}) })).undeclared).toEqual(['extra.knob']);
  });

  it('reads the KEKKAI_* variables other tools rely on', () => {
    const config = loadConfig({
      env: {
        KEKKAI_HOST: '0.0.0.0',
        KEKKAI_PORT: '0',
        KEKKAI_DATA_DIR: '/tmp/k',
        KEKKAI_CHROMIUM_PATH: '/opt/chromium',
        KEKKAI_TLS_CERT: '/c.pem',
        KEKKAI_TLS_KEY: '/k.pem',
        KEKKAI_UPLOAD_ENABLED: 'yes',
        KEKKAI_EGRESS_ALLOW_PRIVATE: '10.1.0.0/16, 192.168.5.0/24',
      },
    });
    expect(config).toMatchObject({ host: '0.0.0.0', port: 0, dataDir: '/tmp/k', chromiumPath: '/opt/chromium', tls: { cert: '/c.pem', key: '/k.pem' } });
    expect(config.upload.enabled).toBe(true);
    expect(config.egress.allowPrivate).toEqual(['10.1.0.0/16', '192.168.5.0/24']);
  });

  it('stops with a message naming the key and the bad value', () => {
    expect(() => loadConfig({ env: { KEKKAI_PORT: 'eighty' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { KEKKAI_PORT: 'eighty' } })).toThrow(/KEKKAI_PORT \(port\).*"eighty"/s);
    expect(() => loadConfig({ env: { KEKKAI_PORT: '70000' } })).toThrow(/KEKKAI_PORT/);
    expect(() => loadConfig({ env: { KEKKAI_UPLOAD_ENABLED: 'maybe' } })).toThrow(/KEKKAI_UPLOAD_ENABLED/);
    expect(() => loadConfig({ env: { KEKKAI_TLS_CERT: '/only-cert.pem' } })).toThrow(/KEKKAI_TLS_KEY/);
    expect(() => loadConfig({ env: { KEKKAI_EGRESS_ALLOW_PRIVATE: 'intranet' } })).toThrow(/KEKKAI_EGRESS_ALLOW_PRIVATE/);
  });

  it('takes the quarantine key from the environment only as base64 of 32 bytes', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ env: { KEKKAI_QUARANTINE_KEY: key } }).download.quarantineKey).toBe(key);
    expect(() => loadConfig({ env: { KEKKAI_QUARANTINE_KEY: Buffer.alloc(16).toString('base64') } })).toThrow(/KEKKAI_QUARANTINE_KEY.*\(hidden\)/s);
  });

  it('never echoes a secret value in its error', () => {
    let text = '';
    try {
      loadConfig({ env: { KEKKAI_ADMIN_PASSWORD: 'short-secret' } });
    } catch (err) {
      text = (err as Error).message;
    }
    expect(text).toMatch(/KEKKAI_ADMIN_PASSWORD/);
    expect(text).not.toContain('short-secret');
  });
});
