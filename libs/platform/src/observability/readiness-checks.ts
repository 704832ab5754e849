import type { Pool } from 'pg';
import type { Admin } from 'kafkajs';
import type { ReadinessCheck } from './health.js';

/** PostgreSQL answers a query. */
export function postgresReadiness(pool: Pool, name = 'postgres'): ReadinessCheck {
  return {
    name,
    check: async () => {
      await pool.query('SELECT 1');
    },
  };
}

/** The Kafka cluster answers describeCluster through an admin client that stays connected. */
export function kafkaReadiness(admin: Admin, name = 'kafka'): ReadinessCheck {
  let connected: Promise<void> | undefined;
  return {
    name,
    check: async () => {
      connected ??= admin.connect().catch((error: unknown) => {
        connected = undefined;
        throw error;
      });
      await connected;
      await admin.describeCluster();
    },
  };
}
