import { CreateApiKeys1764400000000 } from './auth/postgres-api-key.store.js';
import { idempotencyMigration } from './http/index.js';

export const GATEWAY_SCHEMA = 'gateway';
export const GATEWAY_MIGRATIONS = [CreateApiKeys1764400000000, idempotencyMigration(GATEWAY_SCHEMA)];
