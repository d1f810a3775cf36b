import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Service {
  image?: string;
  profiles?: string[];
  container_name?: string;
  command?: string[];
  restart?: string;
  network_mode?: string;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: string | number; resources?: { limits?: { memory?: string; cpus?: string } } };
  shm_size?: string;
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
const worker = compose.services.worker!;
const workerJoin = compose.services['worker-join']!;
const networksOf = (s: Service): string[] => (Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? {}));

describe('docker/compose.yaml', () => {
  it('parses and has the gateway, clamav and worker services, the three volumes and three networks the docs promise', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['clamav', 'gateway', 'worker', 'worker-join']);
    expect(Object.keys(compose.volumes).sort()).toEqual(['clamav-signatures', 'kekkai-data', 'kekkai-join']);
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

  it('starts only the gateway and clamav by default: the worker services need the profile "workers"', () => {
    const byDefault = Object.entries(compose.services).filter(([, service]) => !service.profiles?.length).map(([name]) => name);
    expect(byDefault.sort()).toEqual(['clamav', 'gateway']);
    expect(worker.profiles).toEqual(['workers']);
    expect(workerJoin.profiles).toEqual(['workers']);
    // Compose tools that ignore profiles (podman-compose before 1.1) still start no worker.
    expect(worker.deploy?.replicas).toBe('${WORKER_REPLICAS:-0}');
  });

  it('lets the worker service scale: same image, no container name, no published port', () => {
    expect(worker.image).toBe(gateway.image);
    expect(worker.build).toBeUndefined();
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(text).not.toMatch(/^\s*container_name:/m);
  });

  it('has each worker join the gateway listener with the token from a volume only the join job writes', () => {
    const args = worker.command ?? [];
    expect(args.slice(0, 3)).toEqual(['node', 'bin/kekkai.js', 'worker']);
    expect(args[args.indexOf('--control') + 1]).toBe('wss://gateway:8444');
    const tokenFile = args[args.indexOf('--token-file') + 1]!;
    const stateDir = args[args.indexOf('--state-dir') + 1]!;
    expect(worker.volumes).toContain(`kekkai-join:${tokenFile.slice(0, tokenFile.lastIndexOf('/'))}:ro`);
    expect(worker.volumes).toContain(stateDir); // anonymous: one per container
    expect(workerJoin.volumes).toContain(`kekkai-join:${tokenFile.slice(0, tokenFile.lastIndexOf('/'))}`);
    expect(workerJoin.command?.join(' ')).toMatch(new RegExp(`worker token create --out ${tokenFile}\\.new .*mv -f ${tokenFile}\\.new ${tokenFile}`));
    expect(workerJoin.network_mode).toBe('none');
    expect(workerJoin.restart).toBe('no');
    expect(worker.depends_on?.['worker-join']?.condition).toBe('service_completed_successfully');
    expect(workerJoin.depends_on?.gateway?.condition).toBe('service_healthy');
    expect(worker.healthcheck?.test).toEqual(['CMD', 'node', 'bin/kekkai.js', 'worker', 'status', '--state-dir', stateDir]);
  });

  it('keeps workers on the internet side only, away from the store, clamd and the settings', () => {
    expect(networksOf(worker)).toEqual(['external']);
    expect(networksOf(gateway)).toContain('external');
    expect(worker.volumes?.some((v) => v.startsWith('kekkai-data:'))).toBe(false);
    expect(worker.env_file).toBeUndefined(); // .env may hold the admin password
    expect(worker.environment).toBeUndefined();
  });

  it('hardens the worker like the gateway, with room for Chromium and a memory limit', () => {
    for (const service of [worker, workerJoin]) {
      expect(service.read_only).toBe(true);
      expect(service.cap_drop).toEqual(['ALL']);
      expect(service.security_opt).toContain('no-new-privileges:true');
      expect(service.user).toBeUndefined();
    }
    expect(worker.security_opt).toContain('seccomp=./chromium-seccomp.json');
    expect(worker.shm_size).toBe(gateway.shm_size);
    expect(worker.deploy?.resources?.limits?.memory).toBeDefined();
    const uid = /useradd\b[^\n]*--uid (\d+)/.exec(readFileSync('docker/Dockerfile', 'utf8'))?.[1];
    expect(worker.tmpfs?.find((t) => t.startsWith('/home/kekkai:'))).toContain(`uid=${uid}`);
  });

  it('creates the worker mount points in the image, owned by its user, so volumes there are writable', () => {
    const dockerfile = readFileSync('docker/Dockerfile', 'utf8');
    expect(dockerfile).toMatch(/install -d -o kekkai -g kekkai -m 0700 \/var\/lib\/kekkai-worker \/etc\/kekkai\/join/);
  });
});
