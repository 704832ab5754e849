import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { MESSAGE_FRAMINGS, type MessageFraming } from '@evalvault/contracts';
import { readChoice, readList, type Environment } from '../config/service-config.js';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /**
   * How published values are framed (EVALVAULT_KAFKA_FRAMING): Avro single-object encoding (default) or
   * Confluent's wire format for downstream Confluent deserializers. Our consumers read both.
   */
  framing?: MessageFraming;
}

export function loadKafkaSettings(env: Environment, clientId: string): KafkaSettings {
  const brokers = readList(env, 'KAFKA_BROKERS');
  return {
    brokers: brokers.length > 0 ? brokers : ['127.0.0.1:9092'],
    clientId,
    framing: readChoice(env, 'EVALVAULT_KAFKA_FRAMING', MESSAGE_FRAMINGS, 'single-object'),
  };
}

/** A kafkajs client with bounded retries: a missing broker fails in seconds, not minutes. */
export function createKafka(settings: KafkaSettings, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    logLevel: logLevel.ERROR,
    connectionTimeout: 3_000,
    retry: { initialRetryTime: 200, retries: 5 },
    ...overrides,
  });
}
