/**
 * Part of scripts/container-test.sh: compares the containers podman-compose started
 * with what docker/compose.yaml asks for, from podman's view (`podman inspect`) and the
 * kernel's (/proc/PID/status of each container's first process on the host): read-only
 * root, bounding capabilities, no_new_privs, seccomp profile, tmpfs mounts, /dev/shm,
 * published addresses, networks and restart policy. A compose tool that silently drops
 * a key (podman-compose 1.0 ignores several) shows up here.
 *
 * Usage: node --import tsx test/container/compose-matches.ts COMPOSE_FILE PROJECT
 *        ... --read-only-of SERVICE   prints "ro" or "rw" for that service and exits
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

interface Service {
  read_only?: boolean;
  cap_drop?: string[];
  cap_add?: string[];
  security_opt?: string[];
  tmpfs?: string[];
  shm_size?: string;
  ports?: string[];
  networks?: string[];
  network_mode?: string;
  restart?: string;
}

interface Inspected {
  Name: string;
  State: { Running: boolean; Pid: number };
  Config: { Labels: Record<string, string> };
  HostConfig: {
    ReadonlyRootfs: boolean;
    SecurityOpt: string[] | null;
    Tmpfs: Record<string, string> | null;
    ShmSize: number;
    PortBindings: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | null;
    RestartPolicy: { Name: string };
  };
  NetworkSettings: { Networks: Record<string, unknown> | null };
}

/** Bit numbers of the capabilities compose files here name (linux/capability.h). */
const CAPABILITY_BITS: Record<string, number> = { CHOWN: 0, DAC_OVERRIDE: 1, FOWNER: 3, KILL: 5, SETGID: 6, SETUID: 7, NET_BIND_SERVICE: 10, SYS_CHROOT: 18 };

const [composeFile, project, flag, flagService] = process.argv.slice(2);
if (!composeFile || !project) {
  console.error('usage: compose-matches.ts COMPOSE_FILE PROJECT [--read-only-of SERVICE]');
  process.exit(2);
}
const services = (parse(readFileSync(composeFile, 'utf8')) as { services: Record<string, Service> }).services;

if (flag === '--read-only-of') {
  const service = services[flagService ?? ''];
  if (!service) throw new Error(`no service ${flagService} in ${composeFile}`);
  console.log(service.read_only ? 'ro' : 'rw');
  process.exit(0);
}

function sizeInBytes(text: string): number {
  const m = /^(\d+)\s*([kmg]?)b?$/i.exec(text.trim());
  if (!m) throw new Error(`unknown size ${text}`);
  return Number(m[1]) * 1024 ** ['', 'k', 'm', 'g'].indexOf(m[2]!.toLowerCase());
}

function procStatus(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return out;
}

let failures = 0;
function check(container: string, ok: boolean, what: string): void {
  console.log(`${ok ? 'ok' : 'not ok'} - ${container}: ${what}`);
  if (!ok) failures++;
}

function checkContainer(c: Inspected, s: Service): void {
  const name = c.Name;
  const opts = c.HostConfig.SecurityOpt ?? [];
  check(name, c.HostConfig.ReadonlyRootfs === Boolean(s.read_only), `root file system ${s.read_only ? 'read-only' : 'writable'} as compose.yaml says`);
  // Docker's read_only mounts nothing writable by itself; podman adds /run, /tmp and /var/tmp unless told not to.
  const tmpfs = Object.keys(c.HostConfig.Tmpfs ?? {}).sort();
  const wanted = (s.tmpfs ?? []).map((t) => t.split(':')[0]!).sort();
  check(name, JSON.stringify(tmpfs) === JSON.stringify(wanted), `tmpfs mounts exactly ${wanted.join(', ') || 'none'} (got ${tmpfs.join(', ') || 'none'})`);
  // podman lists these options in its inspect output; systempaths= only shows in the
  // mounts (checked below with the kernel's view).
  for (const opt of (s.security_opt ?? []).filter((o) => !o.startsWith('systempaths='))) {
    const expected = opt.replace(/:true$/, '');
    check(name, opts.includes(expected), `security option ${expected}`);
  }
  if (s.shm_size) check(name, c.HostConfig.ShmSize === sizeInBytes(s.shm_size), `/dev/shm of ${s.shm_size}`);
  // An image's EXPOSE shows up as a port without bindings: not published.
  const published = Object.values(c.HostConfig.PortBindings ?? {}).flatMap((bindings) => bindings ?? []);
  for (const b of published) check(name, b.HostIp === '127.0.0.1', `port ${b.HostPort} published on 127.0.0.1 only (got "${b.HostIp}")`);
  if (!s.ports) check(name, published.length === 0, 'no published port');
  const networks = Object.keys(c.NetworkSettings.Networks ?? {}).sort();
  const wantedNetworks = s.network_mode === 'none' ? [] : (s.networks ?? []).map((n) => `${project}_${n}`).sort();
  check(name, JSON.stringify(networks) === JSON.stringify(wantedNetworks), `networks ${wantedNetworks.join(', ') || 'none'} (got ${networks.join(', ') || 'none'})`);
  if (s.restart) check(name, c.HostConfig.RestartPolicy.Name === s.restart, `restart policy ${s.restart}`);
  if (!c.State.Running) return;
  const status = procStatus(c.State.Pid);
  if (s.cap_drop?.includes('ALL')) {
    const mask = (s.cap_add ?? []).reduce((m, cap) => m | (1n << BigInt(CAPABILITY_BITS[cap] ?? 63)), 0n);
    check(name, BigInt(`0x${status.CapBnd}`) === mask, `capability bounding set is cap_add only (${(s.cap_add ?? []).join(', ') || 'none'}; CapBnd ${status.CapBnd})`);
  }
  if (opts.includes('no-new-privileges')) check(name, status.NoNewPrivs === '1', 'kernel reports no_new_privs');
  if (opts.some((o) => o.startsWith('seccomp='))) check(name, status.Seccomp === '2', 'kernel reports a seccomp filter (Seccomp: 2)');
  // Docker and podman hide /proc/keys, /proc/timer_list ... behind mounts unless told
  // systempaths=unconfined.
  const mountPoints = readFileSync(`/proc/${c.State.Pid}/mountinfo`, 'utf8').split('\n').map((l) => l.split(' ')[4]);
  const masked = ['/proc/keys', '/proc/timer_list'].filter((p) => mountPoints.includes(p));
  if ((s.security_opt ?? []).includes('systempaths=unconfined')) check(name, masked.length === 0, `/proc unmasked as compose.yaml says (systempaths=unconfined)`);
  else check(name, masked.length === 2, '/proc paths masked (no systempaths=unconfined)');
}

const ids = execFileSync('podman', ['ps', '-a', '-q', '--filter', `label=io.podman.compose.project=${project}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
const inspected = ids.length ? (JSON.parse(execFileSync('podman', ['inspect', ...ids], { encoding: 'utf8' })) as Inspected[]) : [];
let running = 0;
for (const c of inspected) {
  const service = services[c.Config.Labels['com.docker.compose.service'] ?? ''];
  if (!service) continue; // the test's own fixture site
  if (c.State.Running) running++;
  checkContainer(c, service);
}
check(project, running >= 2, `gateway and clamav running (${running} containers of compose.yaml running)`);
process.exit(failures ? 1 : 0);
