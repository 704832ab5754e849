import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** What the deployment tests read: the Kubernetes manifests, the compose file, the Dockerfile. */
export const ROOT = join(import.meta.dirname, '..', '..');
export const K8S_DIR = join(ROOT, 'infra', 'k8s');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  [field: string]: unknown;
}

export interface EnvEntry {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } };
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvEntry[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
}

/** Every object of every manifest, with the file it is in (kustomization.yaml is not a Kubernetes object). */
export function k8sObjects(): { file: string; object: K8sObject }[] {
  return readdirSync(K8S_DIR)
    .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(K8S_DIR, file), 'utf8')).map((document) => {
        if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
        return { file, object: document.toJS() as K8sObject };
      }),
    );
}

export const ofKind = (kind: string): K8sObject[] =>
  k8sObjects()
    .map(({ object }) => object)
    .filter((object) => object.kind === kind);

/** The pod template's containers of a Deployment or Job. */
export function containersOf(object: K8sObject): Container[] {
  const template = (object.spec as { template: { spec: { containers: Container[] } } }).template;
  return template.spec.containers;
}

export function podLabelsOf(object: K8sObject): Record<string, string> {
  return (object.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
}

export interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
}

/** infra/compose.yaml with its YAML merge keys (`<<: *service`) applied. */
export function composeServices(): Record<string, ComposeService> {
  const compose = parse(readFileSync(join(ROOT, 'infra', 'compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  return compose.services;
}

/** `${NAME:-default}` as compose substitutes it when NAME is unset. */
export const composeDefault = (value: string | number): string =>
  String(value).replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');

export const dockerfile = (): string => readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/** The variables the Dockerfile sets with ENV in its last (runtime) stage. */
export function imageEnv(): Record<string, string> {
  const stages = dockerfile().split(/^FROM /m);
  const runtime = stages.at(-1)!;
  const env: Record<string, string> = {};
  for (const line of runtime.split('\n').filter((candidate) => candidate.startsWith('ENV ')))
    for (const [, name, value] of line.slice(4).matchAll(/([A-Z_]+)=(\S+)/g)) env[name!] = value!;
  return env;
}

/** The image's entry points: argument -> the built file it runs. */
export const entrypoints = (): Record<string, string> =>
  JSON.parse(readFileSync(join(ROOT, 'infra', 'docker', 'entrypoints.json'), 'utf8')) as Record<string, string>;
