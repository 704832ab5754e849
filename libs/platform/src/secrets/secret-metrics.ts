import { Counter, type Registry } from 'prom-client';
import type { SecretResolver } from './secret-ref.js';

/**
 * secret_read_failures_total{source=env|file|vault|invalid_ref}: secrets (API keys, webhook URLs,
 * mounted certificates and keys) that could not be read. Never the ref itself: it may name a tenant.
 */
export function secretReadFailures(registry: Registry): Counter<'source'> {
  return (
    (registry.getSingleMetric('secret_read_failures_total') as Counter<'source'> | undefined) ??
    new Counter({
      name: 'secret_read_failures_total',
      help: 'Secrets (env:, file: or vault: refs, mounted certificates included) that could not be read, by source.',
      labelNames: ['source'],
      registers: [registry],
    })
  );
}

const SOURCES = ['env', 'file', 'vault'] as const;

/** The resolver, counting every ref it fails to read; the failure itself still reaches the caller. */
export function meteredSecrets(resolve: SecretResolver, registry: Registry): SecretResolver {
  const failures = secretReadFailures(registry);
  return async (ref) => {
    try {
      return await resolve(ref);
    } catch (error) {
      failures.inc({ source: SOURCES.find((source) => ref.startsWith(`${source}:`)) ?? 'invalid_ref' });
      throw error;
    }
  };
}
