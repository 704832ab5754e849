import type { Pool } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { ApiKeyRecord, ApiKeyStore } from './api-keys.js';
import { isRole, isTenantRole } from './principal.js';

/** API keys as the authenticator reads them: one row per key, only the keyed hash of the secret. */
export class CreateApiKeys1764400000000 implements MigrationInterface {
  name = 'CreateApiKeys1764400000000';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE gateway.api_keys (
        key_id      text PRIMARY KEY,
        tenant_id   text NOT NULL,
        project_id  text NOT NULL,
        role        text NOT NULL,
        name        text NOT NULL,
        secret_hash text NOT NULL,
        prefix      text NOT NULL,
        expires_at  timestamptz,
        revoked_at  timestamptz,
        created_at  timestamptz NOT NULL
      )`);
    await runner.query(`CREATE INDEX api_keys_project_idx ON gateway.api_keys (tenant_id, project_id)`);
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE gateway.api_keys`);
  }
}

/** Tenant roles a key holds besides its project role (auditor, audit-admin). */
export class AddApiKeyTenantRoles1764900000000 implements MigrationInterface {
  name = 'AddApiKeyTenantRoles1764900000000';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE gateway.api_keys ADD COLUMN tenant_roles text[] NOT NULL DEFAULT '{}'`);
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE gateway.api_keys DROP COLUMN tenant_roles`);
  }
}

/**
 * Bootstrap keys were also auditors of their tenant, and until now only they could hold a tenant
 * role: the bootstrap key is an admin only from now on, so every tenant role held so far goes.
 * (Their ApiKeyIssued events still say auditor; the audit log keeps what was true then.)
 */
export class DropBootstrapAuditorRole1765100000000 implements MigrationInterface {
  name = 'DropBootstrapAuditorRole1765100000000';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`UPDATE gateway.api_keys SET tenant_roles = '{}' WHERE tenant_roles <> '{}'`);
  }
  async down(): Promise<void> {
    // The role is not given back.
  }
}

interface Row {
  key_id: string;
  tenant_id: string;
  project_id: string;
  role: string;
  name: string;
  secret_hash: string;
  prefix: string;
  expires_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
  tenant_roles: string[];
}

export class PostgresApiKeyStore implements ApiKeyStore {
  private readonly revokedListeners: ((keyId: string) => void)[] = [];

  constructor(private readonly pool: Pool) {}

  onRevoked(listener: (keyId: string) => void): void {
    this.revokedListeners.push(listener);
  }

  async findByKeyId(keyId: string): Promise<ApiKeyRecord | null> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM gateway.api_keys WHERE key_id = $1', [keyId]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async listForProject(tenantId: string, projectId: string): Promise<ApiKeyRecord[]> {
    const { rows } = await this.pool.query<Row>(
      'SELECT * FROM gateway.api_keys WHERE tenant_id = $1 AND project_id = $2 ORDER BY created_at, key_id',
      [tenantId, projectId],
    );
    return rows.map(toRecord).filter((record): record is ApiKeyRecord => record !== null);
  }

  /** Idempotent: saving the same key again (a restart with the same bootstrap key) changes nothing. */
  async save(record: ApiKeyRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO gateway.api_keys (key_id, tenant_id, project_id, role, name, secret_hash, prefix, expires_at,
         revoked_at, created_at, tenant_roles)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (key_id) DO NOTHING`,
      [
        record.keyId,
        record.tenantId,
        record.projectId,
        record.role,
        record.name,
        record.secretHash,
        record.prefix,
        record.expiresAt,
        record.revokedAt,
        record.createdAt,
        record.tenantRoles,
      ],
    );
  }

  async revoke(keyId: string, at: Date): Promise<void> {
    await this.pool.query('UPDATE gateway.api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE key_id = $1', [
      keyId,
      at,
    ]);
    for (const listener of this.revokedListeners) listener(keyId);
  }
}

function toRecord(row: Row): ApiKeyRecord | null {
  if (!isRole(row.role)) return null;
  return {
    keyId: row.key_id,
    tenantId: row.tenant_id,
    projectId: row.project_id,
    role: row.role,
    name: row.name,
    secretHash: row.secret_hash,
    prefix: row.prefix,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    createdAt: row.created_at,
    tenantRoles: row.tenant_roles.filter(isTenantRole),
  };
}
