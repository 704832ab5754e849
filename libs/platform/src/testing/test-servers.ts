import { loadKafkaSettings, type KafkaSettings } from '../kafka/kafka-config.js';

/** Where integration tests find the real servers; override with the usual variables. */
export function testDatabaseUrl(): string {
  return process.env['EVALVAULT_TEST_DATABASE_URL'] ?? 'postgres://evalvault@127.0.0.1:5432/evalvault_test';
}

export function testKafkaSettings(clientId: string): KafkaSettings {
  return loadKafkaSettings(process.env, clientId);
}
