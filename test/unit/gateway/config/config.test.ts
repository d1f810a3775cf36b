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
    expect(ENV_SETTINGS.filter((s) => s.secret).map((s) => s.env).sort()).toEqual(['KEKKAI_ADMIN_PASSWORD', 'KEKKAI_LDAP_BIND_PASSWORD', 'KEKKAI_OIDC_CLIENT_SECRET', 'KEKKAI_QUARANTINE_KEY']);
    // A new leaf without fromEnv() is reported, so it cannot be left without a variable.
    expect(envSettingsOf(ConfigSchema.innerType().extend({ extra: z.object({ knob: z.number().default(1) }).default({}) })).undeclared).toEqual(['extra.knob']);
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

  it('caps each renderer\'s JavaScript heap at 1024 MiB unless told, within 256–8192 (issue 10)', () => {
    expect(loadConfig({ env: {} }).session.rendererMemoryMb).toBe(1024);
    expect(loadConfig({ env: { KEKKAI_RENDERER_MEMORY_MB: '512' } }).session.rendererMemoryMb).toBe(512);
    expect(() => loadConfig({ env: { KEKKAI_RENDERER_MEMORY_MB: '64' } })).toThrow(/KEKKAI_RENDERER_MEMORY_MB/);
    expect(() => loadConfig({ env: { KEKKAI_RENDERER_MEMORY_MB: '100000' } })).toThrow(/KEKKAI_RENDERER_MEMORY_MB/);
  });

  it('turns the remote-worker listener on only with a host:port, and checks the names (issue 10)', () => {
    expect(loadConfig({ env: {} }).remoteWorkers.listen).toBeUndefined();
    expect(loadConfig({ env: { KEKKAI_WORKER_LISTEN: '0.0.0.0:8444' } }).remoteWorkers.listen).toEqual({ host: '0.0.0.0', port: 8444 });
    expect(loadConfig({ env: { KEKKAI_WORKER_LISTEN: '[::]:8444' } }).remoteWorkers.listen).toEqual({ host: '::', port: 8444 });
    expect(loadConfig({ env: { KEKKAI_WORKER_HOSTNAMES: 'kekkai-control, 10.0.0.5' } }).remoteWorkers.hostnames).toEqual(['kekkai-control', '10.0.0.5']);
    for (const bad of ['8444', 'host:', 'host:99999', 'a b:1', 'wss://host:8444']) {
      expect(() => loadConfig({ env: { KEKKAI_WORKER_LISTEN: bad } }), bad).toThrow(ConfigError);
    }
    expect(() => loadConfig({ env: { KEKKAI_WORKER_HOSTNAMES: 'bad name' } })).toThrow(ConfigError);
  });

  it('takes a start page only as an http(s) address without credentials (issue 12)', () => {
    expect(loadConfig({ env: {} }).session.startPage).toBeUndefined();
    expect(loadConfig({ env: { KEKKAI_START_PAGE: 'https://portal.hospital.example/links' } }).session.startPage).toBe('https://portal.hospital.example/links');
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'https://user:pw@portal.example/', 'portal']) {
      expect(() => loadConfig({ env: { KEKKAI_START_PAGE: bad } }), bad).toThrow(/KEKKAI_START_PAGE/);
    }
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

  describe('egress allow-list entries that reach the gateway host (issue 9, item 19)', () => {
    const allow = (value: string, extra: Record<string, string> = {}) => () => loadConfig({ env: { KEKKAI_EGRESS_ALLOW_PRIVATE: value, ...extra } });

    it.each([
      ['0.0.0.0/0', /covers loopback/],
      ['127.0.0.1/32', /covers loopback/],
      ['0.0.0.0/8', /this network/],
      ['169.254.0.0/16', /metadata address 169\.254\.169\.254/],
      ['::/0', /loopback \(::1\)|unspecified/],
      ['::ffff:0:0/96', /covers loopback/],
      ['fd00::/8', /IPv6 cloud metadata/],
    ])('refuses %s at start-up, naming the key and the reason', (value, reason) => {
      expect(allow(value)).toThrow(ConfigError);
      expect(allow(value)).toThrow(/KEKKAI_EGRESS_ALLOW_PRIVATE \(egress\.allowPrivate\)/);
      expect(allow(value)).toThrow(reason);
      expect(allow(value)).toThrow(/KEKKAI_EGRESS_ALLOW_LOOPBACK/);
    });

    it("refuses a range covering the gateway's own listening address", () => {
      expect(allow('10.0.0.0/8', { KEKKAI_HOST: '10.1.2.3' })).toThrow(/gateway's own listening address 10\.1\.2\.3/);
      expect(allow('10.2.0.0/16', { KEKKAI_HOST: '10.1.2.3' })()).toMatchObject({ egress: { allowPrivate: ['10.2.0.0/16'] } });
    });

    it('accepts such ranges only with KEKKAI_EGRESS_ALLOW_LOOPBACK=1', () => {
      const config = allow('127.0.0.1/32,169.254.169.254/32', { KEKKAI_EGRESS_ALLOW_LOOPBACK: '1' })();
      expect(config.egress).toMatchObject({ allowPrivate: ['127.0.0.1/32', '169.254.169.254/32'], allowLoopback: true });
    });

    it('keeps accepting ordinary intranet ranges, and refuses a block with host bits set', () => {
      expect(allow('10.1.0.0/16,192.168.5.0/24,fd12:3456::/32')().egress.allowPrivate).toHaveLength(3);
      expect(allow('10.1.2.3/8')).toThrow(/KEKKAI_EGRESS_ALLOW_PRIVATE.*not a CIDR block/s);
    });
  });

  describe('public URL and trusted proxies', () => {
    it('keeps the public URL as an https origin and refuses anything else', () => {
      expect(loadConfig({ env: { KEKKAI_PUBLIC_URL: 'https://Kekkai.Hospital.example:443/' } }).publicUrl).toBe('https://kekkai.hospital.example');
      expect(loadConfig({ env: { KEKKAI_PUBLIC_URL: 'https://kekkai.test:8443' } }).publicUrl).toBe('https://kekkai.test:8443');
      for (const bad of ['http://kekkai.test', 'https://kekkai.test/app', 'kekkai.test', 'https://u:p@kekkai.test']) {
        expect(() => loadConfig({ env: { KEKKAI_PUBLIC_URL: bad } }), bad).toThrow(/KEKKAI_PUBLIC_URL \(publicUrl\).*https:\/\/ origin/s);
      }
    });

    it('takes trusted proxies as CIDRs and refuses "everyone"', () => {
      expect(loadConfig({ env: { KEKKAI_TRUSTED_PROXIES: '10.0.0.5/32, 10.0.1.0/24' } }).trustedProxies).toEqual(['10.0.0.5/32', '10.0.1.0/24']);
      expect(loadConfig({ env: {} }).trustedProxies).toEqual([]);
      expect(() => loadConfig({ env: { KEKKAI_TRUSTED_PROXIES: '0.0.0.0/0' } })).toThrow(/KEKKAI_TRUSTED_PROXIES.*too wide/s);
      expect(() => loadConfig({ env: { KEKKAI_TRUSTED_PROXIES: 'proxy' } })).toThrow(/KEKKAI_TRUSTED_PROXIES/);
    });
  });
});
