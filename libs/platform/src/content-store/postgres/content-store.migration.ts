import type { MigrationInterface, QueryRunner } from 'typeorm';

export const CONTENT_STORE_SCHEMA = 'contentstore';

/**
 * Content in fixed-size chunks. An upload writes its chunks under a fresh content id (each
 * insert its own short statement: no transaction stays open while a client streams), then one
 * statement publishes it as `blobs.hash → content_id`. `uploads` lists uploads still in
 * progress, so chunks of an upload that died half-way can be swept.
 */
export class CreateContentStore1764500000000 implements MigrationInterface {
  name = 'CreateContentStore1764500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE SCHEMA IF NOT EXISTS ${CONTENT_STORE_SCHEMA}`);
    await runner.query(`
      CREATE TABLE ${CONTENT_STORE_SCHEMA}.uploads (
        content_id uuid        PRIMARY KEY,
        started_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE ${CONTENT_STORE_SCHEMA}.chunks (
        content_id uuid    NOT NULL,
        seq        integer NOT NULL,
        data       bytea   NOT NULL,
        PRIMARY KEY (content_id, seq)
      )`);
    await runner.query(`
      CREATE TABLE ${CONTENT_STORE_SCHEMA}.blobs (
        hash        text        PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
        content_id  uuid        NOT NULL UNIQUE,
        size        bigint      NOT NULL,
        chunk_count integer     NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE ${CONTENT_STORE_SCHEMA}.blobs`);
    await runner.query(`DROP TABLE ${CONTENT_STORE_SCHEMA}.chunks`);
    await runner.query(`DROP TABLE ${CONTENT_STORE_SCHEMA}.uploads`);
  }
}

export const CONTENT_STORE_MIGRATIONS = [CreateContentStore1764500000000];
