import {
  loadContentStoreSettings,
  loadEventStoreSettings,
  loadKafkaSettings,
  loadServiceConfig,
  readChoice,
  readPositiveInt,
  type ContentStoreSettings,
  type Environment,
  type EventStoreSettings,
  type KafkaSettings,
  type ServiceConfig,
} from '@evalvault/platform';
import { ApprovalPolicy } from './pinning/approval-policy.js';

export const DEFAULT_PORT = 8082;
export const DEFAULT_DATASET_MAX_BYTES = 256 * 1024 * 1024;
export const DEFAULT_DATASET_MAX_LINE_BYTES = 1024 * 1024;

export interface RegistryConfig extends ServiceConfig {
  databaseUrl: string;
  kafka: KafkaSettings;
  /** Where its streams are kept: EVENT_STORE (postgres, eventstoredb) and EVENTSTOREDB_URL. */
  eventStore: EventStoreSettings;
  /** Where dataset content is kept: CONTENT_STORE (postgres, filesystem, s3) and its variables. */
  contentStore: ContentStoreSettings;
  /** The secret (env:NAME or file:/path) internal identities are signed with; null: no internal API. */
  internalSecretRef: string | null;
  /** Largest dataset upload, and longest line of one, in bytes. */
  datasetMaxBytes: number;
  datasetMaxLineBytes: number;
  /** Where a new consumer group starts: `earliest` (default) or `latest`. */
  consumerStart: 'earliest' | 'latest';
  /** The read model's consumer group is `<prefix>-read-model`. */
  groupPrefix: string;
  /** The relay's checkpoint name, and where a relay without a checkpoint starts in the event log. */
  relayName: string;
  relayStart: 'earliest' | 'latest';
  /** Projects that run approved versions only (REGISTRY_APPROVAL_REQUIRED). */
  approval: ApprovalPolicy;
}

/** The only place this service reads its environment. */
export function loadConfig(env: Environment): RegistryConfig {
  return {
    ...loadServiceConfig('registry', env, DEFAULT_PORT),
    databaseUrl: env['DATABASE_URL'] || 'postgres://evalvault_registry@127.0.0.1:5432/evalvault',
    kafka: loadKafkaSettings(env, 'evalvault-registry'),
    eventStore: loadEventStoreSettings(env),
    contentStore: loadContentStoreSettings(env),
    internalSecretRef: env['EVALVAULT_INTERNAL_SECRET_REF'] || null,
    datasetMaxBytes: readPositiveInt(env, 'REGISTRY_DATASET_MAX_BYTES', DEFAULT_DATASET_MAX_BYTES),
    datasetMaxLineBytes: readPositiveInt(env, 'REGISTRY_DATASET_MAX_LINE_BYTES', DEFAULT_DATASET_MAX_LINE_BYTES),
    consumerStart: readChoice(env, 'REGISTRY_CONSUMER_START', ['earliest', 'latest'] as const, 'earliest'),
    groupPrefix: env['REGISTRY_GROUP_PREFIX'] || 'registry',
    relayName: env['REGISTRY_RELAY_NAME'] || 'registry',
    relayStart: readChoice(env, 'REGISTRY_RELAY_START', ['earliest', 'latest'] as const, 'earliest'),
    approval: ApprovalPolicy.parse(env['REGISTRY_APPROVAL_REQUIRED']),
  };
}
