import type { Pool } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The keyed hashes of API key secrets, kept by the gateway alone. ApiKeyIssued no longer carries
 * the hash (the event travels on a topic every service reads), so this table is where it lives:
 * not a read model, never rebuilt, and with the key events it is all the gateway needs to rebuild
 * its key store (see api-key-store.rebuild.ts). Filled from the key store for keys issued before.
 */
export class CreateApiKeySecrets1765400100000 implements MigrationInterface {
  name = 'CreateApiKeySecrets1765400100000';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE gateway.api_key_secrets (
        key_id      text PRIMARY KEY,
        secret_hash text NOT NULL,
        kept_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      `INSERT INTO gateway.api_key_secrets (key_id, secret_hash) SELECT key_id, secret_hash FROM gateway.api_keys`,
    );
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE gateway.api_key_secrets`);
  }
}

export class PostgresApiKeySecretStore {
  constructor(private readonly pool: Pool) {}

  /**
   * Keeps the hash of a key's secret, once: answers the hash kept for that key id, which is the
   * one given unless the id already had another (the same bootstrap key at every start keeps
   * its hash; another secret under a known id is the caller's to refuse).
   */
  async keep(keyId: string, secretHash: string): Promise<string> {
    await this.pool.query(
      'INSERT INTO gateway.api_key_secrets (key_id, secret_hash) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING',
      [keyId, secretHash],
    );
    return (await this.hashOf(keyId)) ?? secretHash;
  }

  async hashOf(keyId: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ secret_hash: string }>(
      'SELECT secret_hash FROM gateway.api_key_secrets WHERE key_id = $1',
      [keyId],
    );
    return rows[0]?.secret_hash ?? null;
  }
}
