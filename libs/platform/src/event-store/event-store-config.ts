import { ConfigError, readChoice, type Environment } from '../config/service-config.js';

export const EVENT_STORE_KINDS = ['postgres', 'eventstoredb'] as const;

/**
 * Where a service keeps its streams: PostgreSQL (the default, in the service's database) or an
 * EventStoreDB server. Read models, inboxes and relay checkpoints stay in PostgreSQL either way.
 */
export type EventStoreSettings = { kind: 'postgres' } | { kind: 'eventstoredb'; url: string };

/**
 * `EVENT_STORE=postgres|eventstoredb` (default postgres) and, for EventStoreDB, `EVENTSTOREDB_URL`,
 * a connection string such as `esdb://127.0.0.1:2113?tls=false`. Selecting EventStoreDB without a
 * URL stops the service at start with a message naming the variable.
 */
export function loadEventStoreSettings(env: Environment): EventStoreSettings {
  const kind = readChoice(env, 'EVENT_STORE', EVENT_STORE_KINDS, 'postgres');
  if (kind === 'postgres') return { kind };
  const url = env['EVENTSTOREDB_URL'] ?? '';
  if (url === '')
    throw new ConfigError(
      'EVENTSTOREDB_URL',
      'is required when EVENT_STORE=eventstoredb: the connection string of an EventStoreDB server ' +
        '(e.g. esdb://127.0.0.1:2113?tls=false); or leave EVENT_STORE unset to keep events in PostgreSQL',
    );
  if (!/^esdb(\+discover)?:\/\/\S+$/.test(url))
    throw new ConfigError('EVENTSTOREDB_URL', `must be an esdb:// or esdb+discover:// connection string, got "${url}"`);
  return { kind, url };
}
