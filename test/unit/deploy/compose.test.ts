import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  env_file?: string | string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  networks?: string[] | Record<string, unknown>;
  healthcheck?: { test?: string[]; disable?: boolean };
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
  security_opt?: string[];
  privileged?: boolean;
  user?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
  networks: Record<string, { internal?: boolean } | null>;
}

const text = readFileSync('docker/compose.yaml', 'utf8');
const compose = parse(text) as Compose;
const gateway = compose.services.gateway!;
const clamav = compose.services.clamav!;
const networksOf = (s: Service): string[] => (Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? {}));

describe('docker/compose.yaml', () => {
  it('parses and has the gateway and clamav services, the two volumes and three networks the docs promise', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['clamav', 'gateway']);
    expect(Object.keys(compose.volumes).sort()).toEqual(['clamav-signatures', 'kekkai-data']);
    expect(Object.keys(compose.networks).sort()).toEqual(['external', 'internal', 'scan']);
    expect(clamav.image).toMatch(/^clamav\/clamav:/);
    expect(gateway.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
  });

  it('lets only the gateway join both sides; clamd sits on an isolated network without internet', () => {
    expect(networksOf(gateway)).toEqual(expect.arrayContaining(['internal', 'external', 'scan']));
    expect(networksOf(clamav)).not.toContain('external');
    expect(networksOf(clamav)).not.toContain('internal');
    expect(compose.networks.scan?.internal).toBe(true);
    for (const name of networksOf(clamav)) expect(networksOf(gateway), name).toContain(name);
  });

  it('mounts the data and signature volumes where kekkai and clamd keep them', () => {
    expect(gateway.volumes).toContain('kekkai-data:/var/lib/kekkai');
    expect(clamav.volumes).toContain('clamav-signatures:/var/lib/clamav');
  });

  it('publishes 8443 only on an explicitly chosen (EMR-side) address', () => {
    expect(gateway.ports).toHaveLength(1);
    // A bare "8443:8443" would listen on every interface, the internet-facing one included.
    expect(gateway.ports![0]).toMatch(/^\$\{PUBLISH_IP:\?[^}]+\}:8443:8443$/);
    expect(clamav.ports).toBeUndefined();
  });

  it('has health checks for both services, the gateway one identical to the image HEALTHCHECK', () => {
    expect(clamav.healthcheck?.test?.length).toBeGreaterThan(0);
    expect(clamav.healthcheck?.disable).toBeUndefined();
    const test = gateway.healthcheck?.test ?? [];
    expect(test[0]).toBe('CMD');
    const dockerfile = readFileSync('docker/Dockerfile', 'utf8');
    const imageCheck = /^\s*CMD (\["node", "-e", .*\])$/m.exec(dockerfile);
    expect(imageCheck).not.toBeNull();
    expect(test.slice(1)).toEqual(JSON.parse(imageCheck![1]!));
  });

  it('reads settings from .env and points the gateway at the clamav service', () => {
    expect(gateway.env_file).toBe('.env');
    expect(gateway.environment?.KEKKAI_CLAMD).toMatch(/clamav:3310/);
  });

  it('hardens the gateway without switching the Chromium sandbox off', () => {
    expect(gateway.cap_drop).toEqual(['ALL']);
    expect(gateway.read_only).toBe(true);
    expect(gateway.tmpfs?.some((t) => t.startsWith('/tmp:'))).toBe(true);
    expect(gateway.security_opt).toContain('no-new-privileges:true');
    expect(gateway.user).toBeUndefined(); // the image's non-root user, never root
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.privileged, name).toBeFalsy();
      expect(service.security_opt ?? [], name).not.toContain('seccomp=unconfined');
      expect(service.security_opt ?? [], name).not.toContain('seccomp:unconfined');
    }
    expect(text).not.toMatch(/no-sandbox/);
  });

  it('gives the HOME tmpfs to the uid the image creates', () => {
    const uid = /useradd\b[^\n]*--uid (\d+)/.exec(readFileSync('docker/Dockerfile', 'utf8'))?.[1];
    expect(uid).toBeDefined();
    const home = gateway.tmpfs?.find((t) => t.startsWith('/home/kekkai:'));
    expect(home).toContain(`uid=${uid}`);
  });
});
