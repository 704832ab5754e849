import pg from 'pg';
import { DataSource } from 'typeorm';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import {
  busMetrics,
  InProcessBroker,
  InProcessEventServer,
  PostgresEventStore,
  secretResolver,
} from '@evalvault/platform';
import { InProcessDeadLetterSink } from '../delivery/dead-letters.js';
import { buildNotifier, type Notifier } from '../notifier.composition.js';
import { TEST_DELIVERY } from './in-process-notifier.js';

export interface NotifierOnDatabase {
  notifier: Notifier;
  store: PostgresEventStore;
  close(): Promise<void>;
}

/**
 * The notifier's commands and queries on a database, without consumers or a running worker:
 * how process tests create routes and read the delivery log next to a notifier process.
 */
export async function notifierOnDatabase(
  databaseUrl: string,
  secrets: Record<string, string>,
  egressAllow: string[],
): Promise<NotifierOnDatabase> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  const dataSource = await new DataSource({
    type: 'postgres',
    url: databaseUrl,
    logging: false,
    extra: { max: 4 },
  }).initialize();
  const store = new PostgresEventStore(pool);
  const broker = new InProcessBroker();
  const logger = pino({ level: 'silent' });
  const registry = new Registry();
  const notifier = buildNotifier(
    {
      dataSource,
      store,
      deadLetters: new InProcessDeadLetterSink(broker),
      logger,
      registry,
      secrets: secretResolver(secrets),
      serverFor: (groupId, transportId) =>
        new InProcessEventServer({ broker, groupId, transportId, logger, metrics: busMetrics(registry) }),
    },
    {
      egressAllow,
      secretRefPrefixes: ['env:EVALVAULT_SECRET_'],
      publicUrl: () => 'https://evalvault.example.com',
      groupPrefix: 'unused',
      consumerStart: 'latest',
      delivery: TEST_DELIVERY,
    },
  );
  return {
    notifier,
    store,
    async close() {
      await store.close();
      await dataSource.destroy();
      await pool.end();
    },
  };
}
