/**
 * The properties deploy/kubernetes/ promises (docs/operations.md, "Scale-out"), as
 * named checks over a list of Kubernetes objects. kubernetes.test.ts runs them on the
 * resource files and on `kubectl kustomize` output, and runs them again on broken
 * copies to show that each one can fail.
 */
import { isIPv4 } from 'node:net';
import { expect } from 'vitest';
import { loadConfig } from '../../../gateway/config/load-config.js';
import type { Container, DeploymentSpec, K8sObject, Labels, NetworkPolicySpec, Peer, PodSpec, Rule, SecurityContext } from './kubernetes-manifests.js';
import { allContainers, quantity, selects, specOf } from './kubernetes-manifests.js';

export const SECCOMP_PROFILE = 'profiles/kekkai-chromium.json';
export const SESSIONS_METRIC = 'kekkai_sessions_per_worker';
/** Ranges a worker must never reach (hospital network, node and cloud metadata, other pods). */
const FORBIDDEN = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8', 'fc00::/7', 'fe80::/10', '::ffff:0:0/96'];

// --- CIDR arithmetic (IPv4 and IPv6 as BigInt) -------------------------------------
interface Range { v4: boolean; start: bigint; end: bigint }
function parseCidr(cidr: string): Range {
  const [address, bits] = cidr.split('/') as [string, string];
  const v4 = isIPv4(address);
  const width = v4 ? 32 : 128;
  let value = 0n;
  if (v4) for (const part of address.split('.')) value = (value << 8n) + BigInt(Number(part));
  else {
    const [head, tail] = address.split('::') as [string, string | undefined];
    const groups = (s: string | undefined) => (s ? s.split(':') : []);
    const missing = 8 - groups(head).length - groups(tail).length;
    for (const g of [...groups(head), ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...groups(tail)]) value = (value << 16n) + BigInt(parseInt(g, 16));
  }
  const host = (1n << BigInt(width - Number(bits))) - 1n;
  return { v4, start: value & ~host, end: (value & ~host) | host };
}
const within = (inner: Range, outer: Range) => inner.v4 === outer.v4 && inner.start >= outer.start && inner.end <= outer.end;
const overlaps = (a: Range, b: Range) => a.v4 === b.v4 && a.start <= b.end && b.start <= a.end;

// --- finding things ------------------------------------------------------------------
const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
function deployment(objects: K8sObject[], component: string): { object: K8sObject; spec: DeploymentSpec; pod: PodSpec; labels: Labels } {
  const object = byKind(objects, 'Deployment').find((o) => specOf<DeploymentSpec>(o).template.metadata.labels['app.kubernetes.io/component'] === component);
  expect(object, `Deployment of component ${component}`).toBeDefined();
  const spec = specOf<DeploymentSpec>(object!);
  return { object: object!, spec, pod: spec.template.spec, labels: spec.template.metadata.labels };
}
const effective = <K extends keyof SecurityContext>(pod: PodSpec, c: Container, key: K) => c.securityContext?.[key] ?? pod.securityContext?.[key];
const policiesFor = (objects: K8sObject[], labels: Labels) =>
  byKind(objects, 'NetworkPolicy').map((o) => specOf<NetworkPolicySpec>(o)).filter((p) => selects(p.podSelector.matchLabels, labels));
const portsOf = (rule: Rule) => (rule.ports ?? []).map((p) => Number(p.port));
const isDns = (peer: Peer) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'kube-system' && peer.podSelector?.matchLabels?.['k8s-app'] === 'kube-dns';

/** Settings a container gets from its env and its ConfigMaps. */
function envOf(objects: K8sObject[], c: Container): Record<string, string> {
  const maps = (c.envFrom ?? []).map((e) => byKind(objects, 'ConfigMap').find((m) => m.metadata.name === e.configMapRef?.name));
  expect(maps.every(Boolean), `ConfigMaps of ${c.name}`).toBe(true);
  return Object.assign({}, ...maps.map((m) => m!.data ?? {}), ...(c.env ?? []).map((e) => ({ [e.name]: e.value ?? '' })));
}
const mountOf = (c: Container, mountPath: string) => c.volumeMounts?.find((m) => mountPath === m.mountPath || mountPath.startsWith(`${m.mountPath}/`));
const volumeAt = (pod: PodSpec, c: Container, mountPath: string) => pod.volumes?.find((v) => v.name === mountOf(c, mountPath)?.name);
const flagValue = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

// --- the checks ------------------------------------------------------------------------
export interface Check { id: string; name: string; run(objects: K8sObject[]): void }

export const CHECKS: Check[] = [
  { id: 'non-root', name: 'every container runs as a non-root user, unprivileged, on the pod network', run(objects) {
    const all = allContainers(objects);
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const { deployment: d, pod, container: c } of all) {
      expect(effective(pod, c, 'runAsNonRoot'), `${d}/${c.name} runAsNonRoot`).toBe(true);
      const uid = effective(pod, c, 'runAsUser');
      expect(typeof uid === 'number' && uid > 0, `${d}/${c.name} runAsUser ${uid}`).toBe(true);
      expect(c.securityContext?.privileged, `${d}/${c.name} privileged`).toBeFalsy();
      expect([pod.hostNetwork, pod.hostPID, pod.hostIPC].some(Boolean), `${d} host namespaces`).toBe(false);
    }
  } },
  { id: 'read-only', name: 'every container has a read-only root file system, no privilege escalation and no capabilities', run(objects) {
    for (const { deployment: d, container: c } of allContainers(objects)) {
      expect(c.securityContext?.readOnlyRootFilesystem, `${d}/${c.name}`).toBe(true);
      expect(c.securityContext?.allowPrivilegeEscalation, `${d}/${c.name}`).toBe(false);
      expect(c.securityContext?.capabilities?.drop, `${d}/${c.name}`).toEqual(['ALL']);
      expect(c.securityContext?.capabilities?.add ?? [], `${d}/${c.name}`).toEqual([]);
    }
  } },
  { id: 'seccomp', name: "every container has a seccomp profile: the Chromium sandbox's, installed on the nodes", run(objects) {
    for (const { deployment: d, pod, container: c } of allContainers(objects)) {
      expect(effective(pod, c, 'seccompProfile'), `${d}/${c.name}`).toEqual({ type: 'Localhost', localhostProfile: SECCOMP_PROFILE });
    }
  } },
  { id: 'resources', name: 'every container has CPU and memory requests and limits, requests within limits', run(objects) {
    for (const { deployment: d, container: c } of allContainers(objects)) {
      for (const resource of ['cpu', 'memory']) {
        const request = c.resources?.requests?.[resource];
        const limit = c.resources?.limits?.[resource];
        expect(request && limit, `${d}/${c.name} ${resource}`).toBeTruthy();
        expect(quantity(request!), `${d}/${c.name} ${resource}`).toBeLessThanOrEqual(quantity(limit!));
      }
    }
  } },
  { id: 'no-links', name: 'pods get no service-link variables (they would land among KEKKAI_*) and no API token', run(objects) {
    for (const o of byKind(objects, 'Deployment')) {
      const pod = specOf<DeploymentSpec>(o).template.spec;
      expect(pod.enableServiceLinks, o.metadata.name).toBe(false);
      expect(pod.automountServiceAccountToken, o.metadata.name).toBe(false);
    }
  } },
  { id: 'pod-security', name: 'the namespace enforces Pod Security "restricted"', run(objects) {
    const ns = byKind(objects, 'Namespace');
    expect(ns).toHaveLength(1);
    expect(ns[0]!.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  } },
  { id: 'control-store', name: 'control plane: one replica, Recreate, the data directory on a ReadWriteOnce claim', run(objects) {
    const { object, spec, pod } = deployment(objects, 'control-plane');
    expect(spec.replicas, object.metadata.name).toBe(1);
    expect(spec.strategy?.type).toBe('Recreate');
    const c = pod.containers[0]!;
    const data = volumeAt(pod, c, '/var/lib/kekkai');
    expect(mountOf(c, '/var/lib/kekkai')?.mountPath).toBe('/var/lib/kekkai');
    const claim = byKind(objects, 'PersistentVolumeClaim').find((p) => p.metadata.name === data?.persistentVolumeClaim?.claimName);
    expect(claim, 'PersistentVolumeClaim of /var/lib/kekkai').toBeDefined();
    expect(specOf<{ accessModes: string[] }>(claim!).accessModes).toEqual(['ReadWriteOnce']);
  } },
  { id: 'control-settings', name: 'control plane: no local workers, the worker listener on 8444 with the CA from its Secret; a valid configuration', run(objects) {
    const { pod } = deployment(objects, 'control-plane');
    const c = pod.containers[0]!;
    const env = envOf(objects, c);
    expect(env.KEKKAI_WORKERS).toBe('0');
    expect(env.KEKKAI_WORKER_LISTEN).toBe('0.0.0.0:8444');
    expect(c.ports?.map((p) => p.containerPort).sort()).toEqual([8443, 8444]);
    expect(volumeAt(pod, c, env.KEKKAI_WORKER_CA_DIR ?? '-')?.secret?.secretName).toBe('kekkai-worker-ca');
    expect(volumeAt(pod, c, env.KEKKAI_WORKER_CA_DIR ?? '-')?.secret?.defaultMode).toBe(0o440);
    // The image's own settings, then the ConfigMap's: kekkai must accept them.
    const config = loadConfig({ env: { KEKKAI_HOST: '0.0.0.0', KEKKAI_PORT: '8443', KEKKAI_DATA_DIR: '/var/lib/kekkai', ...env } });
    expect(config.session.workers).toBe(0);
    expect(config.metrics.allow).toEqual(expect.arrayContaining(['127.0.0.1/32']));
  } },
  { id: 'control-probes', name: 'control plane: startup and liveness on /healthz, readiness on /readyz', run(objects) {
    const c = deployment(objects, 'control-plane').pod.containers[0]!;
    expect(c.startupProbe?.httpGet?.path).toBe('/healthz');
    expect(c.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
    for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) expect(probe?.httpGet?.scheme).toBe('HTTPS');
  } },
  { id: 'worker-join', name: "worker: joins the control plane's Service on 8444 with the token Secret, keeps state in emptyDirs only", run(objects) {
    const { pod } = deployment(objects, 'worker');
    const control = deployment(objects, 'control-plane');
    const c = pod.containers[0]!;
    const args = [...(c.command ?? []), ...(c.args ?? [])];
    expect(args.slice(0, 3)).toEqual(['node', 'bin/kekkai.js', 'worker']);
    const url = new URL(flagValue(args, '--control') ?? '-');
    expect([url.protocol, url.port]).toEqual(['wss:', '8444']);
    const service = byKind(objects, 'Service').find((s) => s.metadata.name === url.hostname);
    const svc = specOf<{ selector: Labels; publishNotReadyAddresses?: boolean; ports: { port: number }[] }>(service!);
    expect(selects(svc.selector, control.labels) && svc.ports.some((p) => p.port === 8444)).toBe(true);
    expect(svc.publishNotReadyAddresses).toBe(true);
    expect(envOf(objects, control.pod.containers[0]!).KEKKAI_WORKER_HOSTNAMES?.split(',')).toContain(url.hostname);
    const token = flagValue(args, '--token-file') ?? '-';
    expect(volumeAt(pod, c, token)?.secret?.secretName).toBe('kekkai-join-token');
    expect(mountOf(c, token)?.readOnly).toBe(true);
    expect(volumeAt(pod, c, flagValue(args, '--state-dir') ?? '-')?.emptyDir).toBeDefined();
    expect(volumeAt(pod, c, '/dev/shm')?.emptyDir?.medium).toBe('Memory');
    for (const v of pod.volumes ?? []) expect(v.persistentVolumeClaim ?? v.hostPath, `worker volume ${v.name}`).toBeUndefined();
  } },
  { id: 'worker-probes', name: 'worker: liveness and readiness by "kekkai worker status", drains before it stops', run(objects) {
    const { pod } = deployment(objects, 'worker');
    const c = pod.containers[0]!;
    const stateDir = flagValue([...(c.args ?? [])], '--state-dir');
    for (const probe of [c.livenessProbe, c.readinessProbe]) {
      expect(probe?.exec?.command).toEqual(['node', '/opt/kekkai/bin/kekkai.js', 'worker', 'status', '--state-dir', stateDir]);
    }
    const drain = c.lifecycle?.preStop?.exec?.command ?? [];
    expect(drain.slice(0, 6)).toEqual(['node', '/opt/kekkai/bin/kekkai.js', 'worker', 'drain', '--state-dir', stateDir]);
    expect(drain).toContain('--wait');
    expect(pod.terminationGracePeriodSeconds ?? 30).toBeGreaterThan(Number(flagValue(drain, '--timeout')));
  } },
  { id: 'hpa', name: 'the HPA scales the worker Deployment on kekkai_sessions_per_worker, from 2 up', run(objects) {
    const worker = deployment(objects, 'worker');
    expect(worker.spec.replicas, 'replicas belongs to the HPA').toBeUndefined();
    const hpas = byKind(objects, 'HorizontalPodAutoscaler');
    expect(hpas).toHaveLength(1);
    const hpa = specOf<{ scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number; metrics: { type: string; external?: { metric: { name: string } }; object?: { metric: { name: string } } }[] }>(hpas[0]!);
    expect(hpas[0]!.apiVersion).toBe('autoscaling/v2');
    expect(hpa.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: worker.object.metadata.name });
    expect(hpa.metrics.map((m) => (m.external ?? m.object)?.metric.name)).toEqual([SESSIONS_METRIC]);
    expect(hpa.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.maxReplicas).toBeGreaterThan(hpa.minReplicas);
  } },
  { id: 'pdb', name: 'the PodDisruptionBudget selects the worker pods and nothing else', run(objects) {
    const pdbs = byKind(objects, 'PodDisruptionBudget').map((p) => specOf<{ selector: { matchLabels: Labels }; maxUnavailable?: number; minAvailable?: number }>(p));
    expect(pdbs).toHaveLength(1);
    expect(selects(pdbs[0]!.selector.matchLabels, deployment(objects, 'worker').labels)).toBe(true);
    expect(selects(pdbs[0]!.selector.matchLabels, deployment(objects, 'control-plane').labels)).toBe(false);
    expect(pdbs[0]!.maxUnavailable ?? pdbs[0]!.minAvailable).toBeDefined();
  } },
  { id: 'default-deny', name: 'a default-deny NetworkPolicy covers every pod, both directions', run(objects) {
    const deny = byKind(objects, 'NetworkPolicy').map((o) => specOf<NetworkPolicySpec>(o))
      .filter((p) => Object.keys(p.podSelector.matchLabels ?? {}).length === 0 && !p.ingress?.length && !p.egress?.length);
    expect(deny.some((p) => p.policyTypes?.includes('Ingress') && p.policyTypes.includes('Egress'))).toBe(true);
  } },
  { id: 'worker-net', name: 'workers reach the internet on 80/443, the control plane on 8444 and DNS; never private ranges; nothing reaches them', run(objects) {
    const worker = deployment(objects, 'worker');
    const control = deployment(objects, 'control-plane');
    const policies = policiesFor(objects, worker.labels);
    expect(policies.some((p) => p.policyTypes?.includes('Egress'))).toBe(true);
    expect(policies.flatMap((p) => p.ingress ?? [])).toEqual([]);
    const rules = policies.flatMap((p) => p.egress ?? []);
    for (const rule of rules) {
      expect(rule.to?.length && rule.ports?.length, 'every egress rule names peers and ports').toBeTruthy();
      for (const peer of rule.to!) {
        if (peer.ipBlock) {
          const block = parseCidr(peer.ipBlock.cidr);
          const except = (peer.ipBlock.except ?? []).map(parseCidr);
          for (const f of FORBIDDEN.map(parseCidr)) {
            if (overlaps(block, f)) expect(except.some((e) => within(f, e)), `${peer.ipBlock.cidr} must except ${f.start}`).toBe(true);
          }
          expect(portsOf(rule).every((p) => p === 80 || p === 443), `${peer.ipBlock.cidr} ports`).toBe(true);
        } else if (isDns(peer)) expect(portsOf(rule).every((p) => p === 53)).toBe(true);
        else {
          expect(peer.namespaceSelector, 'workers reach no other namespace').toBeUndefined();
          expect(selects(peer.podSelector?.matchLabels, control.labels), 'the only pod peer is the control plane').toBe(true);
          expect(Object.keys(peer.podSelector?.matchLabels ?? {}).length).toBeGreaterThan(0);
          expect(portsOf(rule)).toEqual([8444]);
        }
      }
    }
    expect(rules.some((r) => r.to!.some((p) => p.podSelector && !p.namespaceSelector) && portsOf(r).includes(8444))).toBe(true);
    expect(rules.some((r) => r.to!.some(isDns))).toBe(true);
  } },
  { id: 'control-net', name: 'control plane: 8444 only from worker pods, 8443 from listed networks, out only to DNS and clamd', run(objects) {
    const worker = deployment(objects, 'worker');
    const control = deployment(objects, 'control-plane');
    const policies = policiesFor(objects, control.labels);
    expect(policies.some((p) => p.policyTypes?.includes('Ingress') && p.policyTypes.includes('Egress'))).toBe(true);
    for (const rule of policies.flatMap((p) => p.ingress ?? [])) {
      expect(rule.from?.length && rule.ports?.length, 'every ingress rule names peers and ports').toBeTruthy();
      if (portsOf(rule).includes(8444)) {
        expect(portsOf(rule)).toEqual([8444]);
        for (const peer of rule.from!) {
          expect(peer.ipBlock ?? peer.namespaceSelector).toBeUndefined();
          expect(selects(peer.podSelector?.matchLabels, worker.labels) && !selects(peer.podSelector?.matchLabels, control.labels)).toBe(true);
        }
      } else expect(portsOf(rule)).toEqual([8443]);
    }
    const egress = policies.flatMap((p) => p.egress ?? []);
    expect(egress.flatMap(portsOf).every((p) => p === 53 || p === 3310)).toBe(true);
    expect(egress.flatMap((r) => r.to ?? []).filter((p) => p.ipBlock)).toEqual([]);
    expect(egress.every((r) => r.to?.length)).toBe(true);
  } },
];
