/**
 * deploy/kubernetes/ (docs/operations.md, "Scale-out"). No cluster here: the checks
 * read the resource files the kustomization lists (always) and what
 * `kubectl kustomize` renders from them (where a kubectl is installed; KUBECTL names
 * another one, e.g. Debian 12's 1.20). Each check is then run on a copy with one
 * promised property removed, and must fail there.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHECKS, SESSIONS_METRIC } from './kubernetes-checks.js';
import type { Container, DeploymentSpec, K8sObject, NetworkPolicySpec, PodSpec } from './kubernetes-manifests.js';
import { findKubectl, loadResourceFiles, readKustomization, renderWithKubectl, specOf } from './kubernetes-manifests.js';

const files = loadResourceFiles();
const kubectl = findKubectl();
let rendered: K8sObject[] | undefined;
const renderOnce = (): K8sObject[] => (rendered ??= renderWithKubectl(kubectl!));

describe('deploy/kubernetes/kustomization.yaml', () => {
  it('uses only fields that kubectl 1.20 (Debian 12) and current kustomize both understand', () => {
    const k = readKustomization();
    // Not "labels", "patches", "replacements", "components" or "sortOptions": newer kustomize only.
    expect(Object.keys(k).filter((key) => !['apiVersion', 'kind', 'namespace', 'resources', 'images'].includes(key))).toEqual([]);
    expect(k.namespace).toBe('kekkai');
    expect(k.resources!.length).toBeGreaterThanOrEqual(8);
  });

  it('lists resource files whose objects are all namespaced into kekkai, once each', () => {
    const names = files.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(names).size).toBe(names.length);
    expect(files.filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== 'kekkai')).toEqual([]);
    for (const kind of ['Deployment', 'Service', 'PersistentVolumeClaim', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy']) {
      expect(names.some((n) => n.startsWith(`${kind}/`)), kind).toBe(true);
    }
  });

  it.skipIf(!kubectl)(`renders offline with ${kubectl ?? 'kubectl (not installed: rendering skipped)'} to exactly these objects`, () => {
    const key = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
    const sort = (list: K8sObject[]) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sort(renderOnce())).toEqual(sort(files));
  }, 60_000);
});

const SOURCES: [string, () => K8sObject[]][] = [['the resource files', () => files]];
if (kubectl) SOURCES.push([`${kubectl} kustomize`, renderOnce]);

describe.each(SOURCES)('%s', (_source, objects) => {
  it.each(CHECKS.map((c) => [c.name, c] as const))('%s', (_name, check) => check.run(objects()), 60_000);
});

describe('the prometheus-adapter values', () => {
  it('serve the metric the HPA reads, per namespace', () => {
    const values = parse(readFileSync('deploy/kubernetes/extras/prometheus-adapter-values.yaml', 'utf8')) as {
      rules: { external: { seriesQuery: string; name: { as: string }; resources: { overrides: Record<string, { resource: string }> } }[] };
    };
    const rule = values.rules.external.find((r) => r.name.as === SESSIONS_METRIC);
    expect(rule?.seriesQuery).toContain(SESSIONS_METRIC);
    expect(rule?.resources.overrides.namespace?.resource).toBe('namespace');
  });
});

// --- each check fails when its property is taken away --------------------------------
const copy = (): K8sObject[] => structuredClone(files);
const deploymentOf = (objects: K8sObject[], name: string): DeploymentSpec => specOf<DeploymentSpec>(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!);
const podOf = (objects: K8sObject[], name: string): PodSpec => deploymentOf(objects, name).template.spec;
const containerOf = (objects: K8sObject[], name: string): Container => podOf(objects, name).containers[0]!;
const policy = (objects: K8sObject[], name: string): NetworkPolicySpec => specOf<NetworkPolicySpec>(objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name)!);
const only = (objects: K8sObject[], kind: string) => objects.find((o) => o.kind === kind)!;

/** [what is broken, the check that must catch it, how]. */
const BREAKAGES: [string, string, (objects: K8sObject[]) => void][] = [
  ['worker pod without runAsNonRoot', 'non-root', (o) => delete podOf(o, 'kekkai-worker').securityContext!.runAsNonRoot],
  ['control container as uid 0', 'non-root', (o) => (containerOf(o, 'kekkai-control').securityContext!.runAsUser = 0)],
  ['worker with a writable root', 'read-only', (o) => delete containerOf(o, 'kekkai-worker').securityContext!.readOnlyRootFilesystem],
  ['control plane without seccomp', 'seccomp', (o) => delete podOf(o, 'kekkai-control').securityContext!.seccompProfile],
  ['worker seccomp unconfined', 'seccomp', (o) => (podOf(o, 'kekkai-worker').securityContext!.seccompProfile = { type: 'Unconfined' })],
  ['worker without limits', 'resources', (o) => delete containerOf(o, 'kekkai-worker').resources!.limits],
  ['control plane without a memory request', 'resources', (o) => delete containerOf(o, 'kekkai-control').resources!.requests!.memory],
  ['a capability added', 'read-only', (o) => (containerOf(o, 'kekkai-worker').securityContext!.capabilities!.add = ['SYS_ADMIN'])],
  ['service links back on', 'no-links', (o) => delete podOf(o, 'kekkai-worker').enableServiceLinks],
  ['namespace without Pod Security', 'pod-security', (o) => delete only(o, 'Namespace').metadata.labels!['pod-security.kubernetes.io/enforce']],
  ['two control planes', 'control-store', (o) => (deploymentOf(o, 'kekkai-control').replicas = 2)],
  ['control plane rolling update', 'control-store', (o) => (deploymentOf(o, 'kekkai-control').strategy = { type: 'RollingUpdate' })],
  ['data directory on an emptyDir', 'control-store', (o) => (podOf(o, 'kekkai-control').volumes!.find((v) => v.name === 'data')!.persistentVolumeClaim = undefined)],
  ['control plane with local workers', 'control-settings', (o) => (only(o, 'ConfigMap').data!.KEKKAI_WORKERS = '2')],
  ['an invalid setting', 'control-settings', (o) => (only(o, 'ConfigMap').data!.KEKKAI_MAX_SESSIONS = 'many')],
  ['control plane without readiness', 'control-probes', (o) => delete containerOf(o, 'kekkai-control').readinessProbe],
  ['worker without liveness', 'worker-probes', (o) => delete containerOf(o, 'kekkai-worker').livenessProbe],
  ['worker without preStop drain', 'worker-probes', (o) => delete containerOf(o, 'kekkai-worker').lifecycle],
  ['worker token on an emptyDir', 'worker-join', (o) => (podOf(o, 'kekkai-worker').volumes!.find((v) => v.name === 'join-token')!.secret = undefined)],
  ['worker with the data claim', 'worker-join', (o) => podOf(o, 'kekkai-worker').volumes!.push({ name: 'store', persistentVolumeClaim: { claimName: 'kekkai-data' } })],
  ['worker dials the users\' port', 'worker-join', (o) => (containerOf(o, 'kekkai-worker').args = containerOf(o, 'kekkai-worker').args!.map((a) => a.replace(':8444', ':8443')))],
  ['worker replicas pinned', 'hpa', (o) => (deploymentOf(o, 'kekkai-worker').replicas = 3)],
  ['HPA on CPU', 'hpa', (o) => ((specOf<{ metrics: unknown[] }>(only(o, 'HorizontalPodAutoscaler')).metrics = [{ type: 'Resource', resource: { name: 'cpu' } }]))],
  ['HPA on the control plane', 'hpa', (o) => (specOf<{ scaleTargetRef: { name: string } }>(only(o, 'HorizontalPodAutoscaler')).scaleTargetRef.name = 'kekkai-control')],
  ['PDB on the control plane', 'pdb', (o) => (specOf<{ selector: { matchLabels: Record<string, string> } }>(only(o, 'PodDisruptionBudget')).selector.matchLabels['app.kubernetes.io/component'] = 'control-plane')],
  ['no default deny', 'default-deny', (o) => o.splice(o.findIndex((x) => x.metadata.name === 'kekkai-default-deny'), 1)],
  ['worker egress to 10.0.0.0/8', 'worker-net', (o) => policy(o, 'kekkai-worker').egress![0]!.to![0]!.ipBlock!.except!.splice(1, 1)],
  ['worker egress to link-local', 'worker-net', (o) => policy(o, 'kekkai-worker').egress!.push({ to: [{ ipBlock: { cidr: '169.254.169.254/32' } }], ports: [{ protocol: 'TCP', port: 80 }] })],
  ['worker egress to ULA', 'worker-net', (o) => (policy(o, 'kekkai-worker').egress![0]!.to![1]!.ipBlock!.except = [])],
  ['worker egress on any port', 'worker-net', (o) => delete policy(o, 'kekkai-worker').egress![0]!.ports],
  ['worker without the 8444 rule', 'worker-net', (o) => policy(o, 'kekkai-worker').egress!.splice(1, 1)],
  ['worker may reach the whole control plane', 'worker-net', (o) => delete policy(o, 'kekkai-worker').egress![1]!.ports],
  ['worker reachable from outside', 'worker-net', (o) => (policy(o, 'kekkai-worker').ingress = [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 8080 }] }])],
  ['8444 open to any address', 'control-net', (o) => policy(o, 'kekkai-control').ingress![2]!.from!.push({ ipBlock: { cidr: '0.0.0.0/0' } })],
  ['control plane to the internet', 'control-net', (o) => policy(o, 'kekkai-control').egress!.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443 }] })],
];

describe('each check fails when the property it guards is taken away', () => {
  it.each(BREAKAGES)('%s: caught by "%s" alone', (_name, id, breakIt) => {
    const objects = copy();
    breakIt(objects);
    const failed = CHECKS.filter((check) => {
      try {
        check.run(objects);
        return false;
      } catch {
        return true;
      }
    });
    expect(failed.map((c) => c.id)).toEqual([id]);
  });

  it('every check is exercised by at least one breakage', () => {
    expect(CHECKS.map((c) => c.id).filter((id) => !BREAKAGES.some(([, caughtBy]) => caughtBy === id))).toEqual([]);
  });
});
