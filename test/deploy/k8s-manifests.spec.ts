import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSecretRef } from '@evalvault/platform';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parse } from 'yaml';
import { containersOf, entrypoints, K8S_DIR, k8sObjects, ofKind, podLabelsOf, type K8sObject } from './deploy-files.js';

/** The Kubernetes schema of each kind the manifests use (kubernetes-models validates against them). */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1 Deployment': Deployment,
  'autoscaling/v2 HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1 Job': Job,
  'networking.k8s.io/v1 NetworkPolicy': NetworkPolicy,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
  'v1 ConfigMap': ConfigMap,
  'v1 Namespace': Namespace,
  'v1 Service': Service,
  'v1 ServiceAccount': ServiceAccount,
};

function validate(object: K8sObject): void {
  const Model = MODELS[`${object.apiVersion} ${object.kind}`];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  new Model(object as never).validate();
}

const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

describe('Kubernetes manifests (infra/k8s)', () => {
  it('are all valid against the Kubernetes schemas, and the validation does refuse a broken object', () => {
    const objects = k8sObjects();
    expect(objects.length).toBeGreaterThan(20);
    for (const { file, object } of objects) {
      expect({ file, name: object.metadata.name, error: errorOf(() => validate(object)) }).toEqual({
        file,
        name: object.metadata.name,
        error: null,
      });
    }
    const broken = structuredClone(ofKind('Deployment')[0]!) as K8sObject & { spec: { replicas: unknown } };
    broken.spec.replicas = 'two';
    expect(errorOf(() => validate(broken))).toMatch(/replicas/);
  });

  it('kustomization.yaml lists files that exist, and every manifest but the Jobs', () => {
    const kustomization = parse(readFileSync(join(K8S_DIR, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    const files = [...new Set(k8sObjects().map(({ file }) => file))];
    expect([...kustomization.resources].sort()).toEqual(files.filter((file) => !file.endsWith('-job.yaml')).sort());
  });

  it('gives every Deployment probes on /readyz and /healthz, requests and limits, a non-root user and a PDB', () => {
    const budgets = ofKind('PodDisruptionBudget');
    for (const deployment of ofKind('Deployment')) {
      const [container] = containersOf(deployment);
      const name = deployment.metadata.name;
      expect({
        name,
        ready: container!.readinessProbe?.httpGet?.path,
        live: container!.livenessProbe?.httpGet?.path,
      }).toEqual({ name, ready: '/readyz', live: '/healthz' });
      for (const kind of ['requests', 'limits'] as const)
        expect({
          name,
          kind,
          cpu: !!container!.resources?.[kind]?.['cpu'],
          memory: !!container!.resources?.[kind]?.['memory'],
        }).toEqual({ name, kind, cpu: true, memory: true });
      expect(container!.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false });
      const pdbs = budgets.filter((pdb) =>
        matches(
          (pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
          podLabelsOf(deployment),
        ),
      );
      expect({ name, pdbs: pdbs.length }).toEqual({ name, pdbs: 1 });
    }
  });

  it('puts a Service in front of every Deployment that answers requests (all but the runs workers)', () => {
    const services = ofKind('Service');
    for (const deployment of ofKind('Deployment').filter((d) => d.metadata.name !== 'evalvault-runs-worker')) {
      const selecting = services.filter((service) =>
        matches((service.spec as { selector: Record<string, string> }).selector, podLabelsOf(deployment)),
      );
      expect({ deployment: deployment.metadata.name, services: selecting.map((s) => s.metadata.name) }).toEqual({
        deployment: deployment.metadata.name,
        services: [deployment.metadata.name],
      });
    }
  });

  it('holds no secret: no Secret objects, secret-looking variables come from Secrets, refs are refs', () => {
    expect(ofKind('Secret')).toEqual([]);
    const workloads = [...ofKind('Deployment'), ...ofKind('Job')];
    for (const workload of workloads)
      for (const entry of containersOf(workload).flatMap((container) => container.env ?? [])) {
        const where = `${workload.metadata.name} ${entry.name}`;
        if (entry.name.endsWith('_REF'))
          expect({ where, ref: isSecretRef(entry.value ?? '') }).toEqual({ where, ref: true });
        else if (/TOKEN|PASSWORD|SECRET|PEPPER|_KEY$|DATABASE_URL/.test(entry.name))
          expect({ where, from: entry.valueFrom?.secretKeyRef ? 'secret' : 'literal' }).toEqual({
            where,
            from: 'secret',
          });
      }
    const config = ofKind('ConfigMap').flatMap((map) => Object.keys(map.data ?? {}));
    expect(config.filter((name) => /TOKEN|PASSWORD|SECRET|PEPPER|_KEY$/.test(name))).toEqual([]);
  });

  it('runs only entry points the image has, the migrations as a Job', () => {
    const known = Object.keys(entrypoints());
    for (const workload of [...ofKind('Deployment'), ...ofKind('Job')])
      for (const container of containersOf(workload))
        expect({ name: workload.metadata.name, arg: known.includes(container.args?.[0] ?? '') }).toEqual({
          name: workload.metadata.name,
          arg: true,
        });
    expect(ofKind('Job').map((job) => containersOf(job)[0]!.args)).toContainEqual(['migrate']);
  });

  it('scales the runs workers on the consumer lag of the group they consume in', () => {
    const [hpa] = ofKind('HorizontalPodAutoscaler') as [K8sObject & { spec: Record<string, never> }];
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: 'evalvault-runs-worker' },
      metrics: [
        {
          type: 'External',
          external: { metric: { name: 'consumer_lag', selector: { matchLabels: { group: 'runs-workers' } } } },
        },
      ],
    });
    const worker = ofKind('Deployment').find((d) => d.metadata.name === 'evalvault-runs-worker')!;
    expect(containersOf(worker)[0]!.env).toContainEqual({ name: 'RUNS_ROLES', value: 'worker' });
  });

  it('denies all traffic by default and lets the gateway alone reach the internal APIs', () => {
    const policies = ofKind('NetworkPolicy') as (K8sObject & { spec: Record<string, unknown> })[];
    const denyAll = policies.find((policy) => policy.metadata.name === 'evalvault-default-deny')!;
    expect(denyAll.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'evalvault' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [],
    });
    const internal = policies.find((policy) => policy.metadata.name === 'evalvault-internal-apis')!;
    expect(internal.spec['ingress']).toEqual([
      {
        from: [
          {
            podSelector: {
              matchLabels: { 'app.kubernetes.io/name': 'evalvault', 'app.kubernetes.io/component': 'gateway' },
            },
          },
        ],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ]);
  });
});

function errorOf(action: () => void): string | null {
  try {
    action();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
