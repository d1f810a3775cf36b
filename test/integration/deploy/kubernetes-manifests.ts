/**
 * Reading deploy/kubernetes/ for its test: the resource files a kustomization lists,
 * with the two transformations it asks for (namespace, images) applied the way
 * kustomize applies them, and the shapes of the Kubernetes objects the checks read.
 * YAML 1.1 like kubectl, so `defaultMode: 0440` is octal here too.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export type Labels = Record<string, string>;
export interface Meta {
  name: string;
  namespace?: string;
  labels?: Labels;
  annotations?: Labels;
}
export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  fsGroup?: number;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string; localhostProfile?: string };
}
export interface Probe {
  exec?: { command: string[] };
  httpGet?: { path: string; port: string | number; scheme?: string };
}
export interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  securityContext?: SecurityContext;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: Probe };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
export interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string };
  secret?: { secretName: string; defaultMode?: number };
  emptyDir?: { medium?: string; sizeLimit?: string };
  hostPath?: unknown;
}
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  securityContext?: SecurityContext;
  enableServiceLinks?: boolean;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
}
export interface DeploymentSpec {
  replicas?: number;
  strategy?: { type: string };
  selector: { matchLabels: Labels };
  template: { metadata: { labels: Labels }; spec: PodSpec };
}
export interface Peer {
  ipBlock?: { cidr: string; except?: string[] };
  podSelector?: { matchLabels?: Labels };
  namespaceSelector?: { matchLabels?: Labels };
}
export interface Rule {
  to?: Peer[];
  from?: Peer[];
  ports?: { protocol?: string; port?: number | string }[];
}
export interface NetworkPolicySpec {
  podSelector: { matchLabels?: Labels };
  policyTypes?: string[];
  ingress?: Rule[];
  egress?: Rule[];
}
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  // Each kind has its own spec; the checks cast it with specOf().
  spec?: unknown;
  data?: Record<string, string>;
}

export const KUSTOMIZE_DIR = 'deploy/kubernetes';

interface Kustomization {
  namespace?: string;
  resources?: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
  [key: string]: unknown;
}

export function readKustomization(dir = KUSTOMIZE_DIR): Kustomization {
  return parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
}

/** Every document of a YAML stream, as kubectl reads it (YAML 1.1); a syntax error throws. */
export function parseStream(text: string, source: string): K8sObject[] {
  return parseAllDocuments(text, { version: '1.1' }).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as K8sObject | null;
    return value ? [value] : [];
  });
}

function containersOf(object: K8sObject): Container[] {
  const pod = (object.spec as DeploymentSpec | undefined)?.template?.spec;
  return pod ? [...(pod.initContainers ?? []), ...pod.containers] : [];
}

/** The resource files of the kustomization, with its namespace and image settings applied. */
export function loadResourceFiles(dir = KUSTOMIZE_DIR): K8sObject[] {
  const k = readKustomization(dir);
  const objects = (k.resources ?? []).flatMap((file) => parseStream(readFileSync(path.join(dir, file), 'utf8'), file));
  for (const object of objects) {
    if (k.namespace && object.kind !== 'Namespace') object.metadata.namespace = k.namespace;
    for (const container of containersOf(object)) {
      const [name, tag] = container.image.split(':');
      const image = k.images?.find((i) => i.name === name);
      if (image) container.image = `${image.newName ?? name}:${image.newTag ?? tag ?? 'latest'}`;
    }
  }
  return objects;
}

/** A kubectl that answers (KUBECTL names one explicitly), or null. */
export function findKubectl(): string | null {
  const bin = process.env.KUBECTL ?? 'kubectl';
  const probe = spawnSync(bin, ['version', '--client'], { encoding: 'utf8', timeout: 20_000 });
  return probe.status === 0 ? bin : null;
}

export function renderWithKubectl(bin: string, dir = KUSTOMIZE_DIR): K8sObject[] {
  const run = spawnSync(bin, ['kustomize', dir], { encoding: 'utf8', timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`${bin} kustomize ${dir} failed: ${run.stderr || run.error?.message}`);
  return parseStream(run.stdout, `${bin} kustomize`);
}

export const specOf = <T>(object: K8sObject): T => object.spec as T;

/** Every container of every Deployment, with its pod spec. */
export function allContainers(objects: K8sObject[]): { deployment: string; pod: PodSpec; container: Container }[] {
  return objects
    .filter((o) => o.kind === 'Deployment')
    .flatMap((o) => {
      const pod = specOf<DeploymentSpec>(o).template.spec;
      return [...(pod.initContainers ?? []), ...pod.containers].map((container) => ({ deployment: o.metadata.name, pod, container }));
    });
}

/** A selector's matchLabels select these labels (an empty selector selects everything). */
export const selects = (selector: Labels | undefined, labels: Labels): boolean =>
  Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

/** Kubernetes quantity → number (cores or bytes). */
export function quantity(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(value));
  if (!m) throw new Error(`not a quantity: ${value}`);
  const factor: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  return Number(m[1]) * (m[2] ? factor[m[2]]! : 1);
}
