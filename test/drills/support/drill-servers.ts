import { testDatabaseUrl } from '@evalvault/platform/testing';

/**
 * The servers a drill runs on, as the drills runner (scripts/drills.mjs) started them: a broker of the
 * drills' own (DRILL_KAFKA_PORT, DRILL_KAFKA_INSTANCE; never the machine's shared one, which other
 * suites use), and the test database unless DRILL_DATABASE_URL names another.
 */
export function drillBroker(): { brokers: string; env: NodeJS.ProcessEnv } {
  const port = process.env['DRILL_KAFKA_PORT'];
  const instance = process.env['DRILL_KAFKA_INSTANCE'];
  if (!port || !instance) throw new Error('drills run through `npm run drills`, which starts their broker');
  return {
    brokers: `127.0.0.1:${port}`,
    env: {
      ...process.env,
      KAFKA_PORT: port,
      KAFKA_CONTROLLER_PORT: String(Number(port) + 1),
      EVALVAULT_KAFKA_INSTANCE: instance,
    },
  };
}

export function drillDatabaseUrl(): string {
  return process.env['DRILL_DATABASE_URL'] ?? testDatabaseUrl();
}
