import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { EvalVaultEvent } from '@evalvault/contracts';
import { busMetrics } from '../../bus/bus-metrics.js';
import { KafkaEventClient } from '../../bus/kafka/kafka-event-client.js';
import { createKafka, loadKafkaSettings } from '../../kafka/kafka-config.js';
import { PostgresEventStore } from '../../event-store/postgres/postgres-event-store.js';
import { PostgresCheckpointStore } from '../checkpoint-store.js';
import { EventRelay } from '../event-relay.js';

/**
 * A relay as its own process, for the kill test: it relays the streams under
 * RELAY_PREFIX, slowed by RELAY_BATCH_DELAY_MS per batch, until it is killed.
 */
const env = process.env;
const pool = new pg.Pool({ connectionString: env['DATABASE_URL'], max: 3 });
const registry = new Registry();
const client = new KafkaEventClient(createKafka(loadKafkaSettings(env, 'relay-process')), busMetrics(registry));
const delayMs = Number(env['RELAY_BATCH_DELAY_MS'] ?? 0);
const slowPublisher = {
  async publishBatch(events: readonly EvalVaultEvent[]) {
    await client.publishBatch(events);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  },
};
const relay = new EventRelay(new PostgresEventStore(pool), slowPublisher, new PostgresCheckpointStore(pool), {
  name: env['RELAY_NAME']!,
  filter: { streamPrefixes: [env['RELAY_PREFIX']!] },
  batchSize: Number(env['RELAY_BATCH_SIZE'] ?? 50),
  logger: pino({ level: 'silent' }),
  registry,
});
await relay.start();
process.stdout.write('relay started\n');
