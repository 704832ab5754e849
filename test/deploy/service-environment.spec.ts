import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from '@evalvault/platform';
import { AUDIT_SERVICE } from '@evalvault/service-audit';
import { GATEWAY_SERVICE } from '@evalvault/service-gateway';
import { MEMORY_SERVICE } from '@evalvault/service-memory';
import { NOTIFIER_SERVICE } from '@evalvault/service-notifier';
import { REGISTRY_SERVICE } from '@evalvault/service-registry';
import { RUNS_SERVICE } from '@evalvault/service-runs';
import {
  composeDefault,
  composeServices,
  containersOf,
  imageEnv,
  ofKind,
  ROOT,
  type Container,
} from './deploy-files.js';

/** Each service's one reader of its environment: its definition's config (src/config.ts). */
const CONFIG_OF: Record<string, (env: Environment) => unknown> = {
  gateway: GATEWAY_SERVICE.config,
  runs: RUNS_SERVICE.config,
  registry: REGISTRY_SERVICE.config,
  memory: MEMORY_SERVICE.config,
  audit: AUDIT_SERVICE.config,
  notifier: NOTIFIER_SERVICE.config,
};

/**
 * Read by the process outside its config module: the logger (LOG_FORMAT), tracing set-up before the
 * service loads (OTEL_*), the secrets chain (VAULT_*), Node itself (NODE_OPTIONS). Each platform one is
 * checked below to still be read in libs/platform, so this list cannot silently go stale.
 */
const PROCESS_LEVEL = ['LOG_FORMAT', 'OTEL_SERVICE_NAME', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'VAULT_ADDR', 'VAULT_TOKEN'];
const NODE_LEVEL = ['NODE_OPTIONS', 'NODE_ENV'];

/** The service's config built from exactly `env`, with the names it read. */
function configFrom(service: string, env: Record<string, string>): { config: unknown; read: Set<string> } {
  const read = new Set<string>();
  const recording = new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') read.add(name);
      return typeof name === 'string' && target[name] !== '' ? target[name] : undefined;
    },
  });
  return { config: CONFIG_OF[service]!(recording), read };
}

/** Paths of the config whose value is a loopback address: a default for one machine, wrong in a deployment. */
function loopbackDefaults(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return /127\.0\.0\.1|localhost|\[::1\]/.test(value) ? [path] : [];
  if (value instanceof Set || value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => loopbackDefaults(inner, path ? `${path}.${key}` : key));
}

/** What a Secret supplies, as the service sees it (any value of the right shape). */
function fromSecret(name: string): string {
  return name === 'DATABASE_URL' ? 'postgres://evalvault_x@postgres.db.svc:5432/evalvault' : 'from-a-secret';
}

function k8sEnv(container: Container): { env: Record<string, string>; explicit: string[] } {
  const maps = Object.fromEntries(ofKind('ConfigMap').map((map) => [map.metadata.name, map.data ?? {}]));
  const env: Record<string, string> = { ...imageEnv() };
  for (const source of container.envFrom ?? []) Object.assign(env, maps[source.configMapRef!.name]);
  for (const entry of container.env ?? []) env[entry.name] = entry.value ?? fromSecret(entry.name);
  return { env, explicit: (container.env ?? []).map((entry) => entry.name) };
}

function check(
  where: string,
  service: string,
  env: Record<string, string>,
  explicit: string[],
  loopbackAllowed: readonly string[] = [],
): Set<string> {
  const { config, read } = configFrom(service, env);
  const loopback = loopbackDefaults(config).filter((path) => !loopbackAllowed.includes(path));
  expect({ where, loopback }).toEqual({ where, loopback: [] });
  const unread = explicit.filter((name) => !read.has(name) && ![...PROCESS_LEVEL, ...NODE_LEVEL].includes(name));
  expect({ where, setButNeverRead: unread }).toEqual({ where, setButNeverRead: [] });
  return read;
}

describe('every variable a service reads is set or defaulted where it is deployed', () => {
  it('Kubernetes: each Deployment starts its service from its env, ConfigMap and image, none on loopback', () => {
    const readByAny = new Set<string>();
    for (const deployment of ofKind('Deployment')) {
      const [container] = containersOf(deployment);
      const { env, explicit } = k8sEnv(container!);
      const read = check(deployment.metadata.name, container!.args![0]!, env, explicit);
      for (const name of read) readByAny.add(name);
    }
    const configMapKeys = ofKind('ConfigMap').flatMap((map) => Object.keys(map.data ?? {}));
    expect(configMapKeys.filter((name) => !readByAny.has(name) && !PROCESS_LEVEL.includes(name))).toEqual([]);
  });

  it('compose: each service starts from its environment and the image, nothing left on loopback', () => {
    const services = composeServices();
    const checked: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      const what = service.command?.[0];
      if (!service.image?.startsWith('evalvault/') || !what || !CONFIG_OF[what]) continue;
      const environment = Object.entries(service.environment ?? {}).map(([key, value]) => [key, composeDefault(value)]);
      const env = { ...imageEnv(), ...Object.fromEntries(environment) };
      // On one machine people open the published gateway port on loopback: run links may point there.
      check(`compose ${name}`, what, env, Object.keys(service.environment ?? {}), ['publicUrl']);
      checked.push(name);
    }
    expect(checked.sort()).toEqual(['audit', 'gateway', 'memory', 'notifier', 'registry', 'runs', 'runs-worker']);
    expect(services['migrate']!.environment).toHaveProperty('DATABASE_URL');
    expect(services['kafka-topics']!.environment).toHaveProperty('KAFKA_BROKERS');
  });

  it('gives the runs service and its workers the same judge and content store, in both deployments', () => {
    type Runs = { judge: unknown; contentStore: unknown };
    const pinned = (env: Record<string, string>) => {
      const config = configFrom('runs', env).config as Runs;
      return { judge: config.judge, contentStore: config.contentStore };
    };
    const deployment = (name: string) =>
      k8sEnv(containersOf(ofKind('Deployment').find((d) => d.metadata.name === name)!)[0]!).env;
    expect(pinned(deployment('evalvault-runs-worker'))).toEqual(pinned(deployment('evalvault-runs')));
    const compose = (name: string) => {
      const environment = composeServices()[name]!.environment ?? {};
      return Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, composeDefault(value)]));
    };
    const judged = { EVALVAULT_JUDGE_PROVIDER: 'ollama', EVALVAULT_JUDGE_MODEL: 'judge-1' };
    expect(pinned({ ...compose('runs-worker'), ...judged })).toEqual(pinned({ ...compose('runs'), ...judged }));
    expect(
      Object.keys(compose('runs-worker'))
        .filter((key) => key.startsWith('EVALVAULT_JUDGE_'))
        .sort(),
    ).toEqual(
      Object.keys(compose('runs'))
        .filter((key) => key.startsWith('EVALVAULT_JUDGE_'))
        .sort(),
    );
  });

  it('fails a deployment that leaves a cluster address on its loopback default (the check can fail)', () => {
    const gateway = containersOf(ofKind('Deployment').find((d) => d.metadata.name === 'evalvault-gateway')!)[0]!;
    const { env } = k8sEnv(gateway);
    delete env['RUNS_SERVICE_URL'];
    expect(loopbackDefaults(configFrom('gateway', env).config)).toEqual(['runsUrl']);
  });

  it('the variables read outside the config modules are still read in libs/platform', () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? sources(join(dir, entry.name))
          : entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')
            ? [readFileSync(join(dir, entry.name), 'utf8')]
            : [],
      );
    const platform = sources(join(ROOT, 'libs', 'platform', 'src')).join('\n');
    expect(PROCESS_LEVEL.filter((name) => !platform.includes(`'${name}'`))).toEqual([]);
  });
});
