import { loadKafkaSettings, type KafkaSettings } from '../kafka/kafka-config.js';

export { deciderSpec, type Decider } from './decider-spec.js';
export { OwnBroker } from './own-broker.js';
export { migrateTestDatabase, startRunsProcess, startServiceProcess, stopRunsProcess, type RunsProcess } from './service-processes.js';

/** Where integration tests find the real servers; override with the usual variables. */
export function testDatabaseUrl(): string {
  return process.env['EVALVAULT_TEST_DATABASE_URL'] ?? 'postgres://evalvault@127.0.0.1:5432/evalvault_test';
}

export function testKafkaSettings(clientId: string): KafkaSettings {
  return loadKafkaSettings(process.env, clientId);
}
