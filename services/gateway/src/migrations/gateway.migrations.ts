import {
  AddApiKeyTenantRoles1764900000000,
  CreateApiKeys1764400000000,
  DropBootstrapAuditorRole1765100000000,
} from '../auth/postgres-api-key.store.js';
import { CreateApiKeySecrets1765400100000 } from '../auth/postgres-api-key-secret.store.js';
import { CreateMembers1764900000001, CreateTenantMembers1765100000001 } from '../members/postgres-member.store.js';
import { idempotencyMigration, idempotencyScopeMigration } from '../http/index.js';

export const GATEWAY_SCHEMA = 'gateway';
export const GATEWAY_MIGRATIONS = [
  CreateApiKeys1764400000000,
  idempotencyMigration(GATEWAY_SCHEMA),
  AddApiKeyTenantRoles1764900000000,
  CreateMembers1764900000001,
  idempotencyScopeMigration(GATEWAY_SCHEMA),
  DropBootstrapAuditorRole1765100000000,
  CreateTenantMembers1765100000001,
  CreateApiKeySecrets1765400100000,
];
