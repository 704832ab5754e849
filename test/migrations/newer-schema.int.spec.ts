import pg from 'pg';
import { migrateOwnerService, migrationStatus, ownerServiceSchemas, runOwnerService } from '@evalvault/platform';
import { RUNS_SERVICE } from '@evalvault/service-runs';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database.js';

/** A migration a newer release applied, which this code has never heard of. */
const NEWER = 'AddSomethingFromTheFuture1799999999999';

/**
 * A service started against a schema migrated by a newer release refuses to start, naming the
 * migrations it does not know; `npm run migrate` of this release refuses too and changes nothing.
 */
describe('a schema newer than the code', () => {
  let database: ScratchDatabase;

  beforeEach(async () => {
    database = await createScratchDatabase('evalvault_newer');
    await migrateOwnerService(RUNS_SERVICE, database.url);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(`INSERT INTO runs.migrations (timestamp, name) VALUES ($1, $2)`, [1799999999999, NEWER]);
    await client.end();
  });
  afterEach(async () => {
    await database.drop();
  });

  it('is reported as unknown, schema by schema', async () => {
    const status = await migrationStatus(database.url, ownerServiceSchemas([RUNS_SERVICE]));
    expect(status).toEqual({ pending: [], unknown: [{ schema: 'runs', names: [NEWER] }] });
  });

  it('stops the service at start with a message naming the unknown migration', async () => {
    const env = { DATABASE_URL: database.url, KAFKA_BROKERS: '127.0.0.1:9092', PORT: '0', LOG_LEVEL: 'error' };
    await expect(runOwnerService(RUNS_SERVICE, env)).rejects.toThrow(
      `the database was migrated by a newer release: this version does not know the migrations schema runs: ${NEWER}`,
    );
  });

  it('stops `npm run migrate` before it applies anything', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(`DELETE FROM runs.migrations WHERE name = 'AddRunBaselineAndJudge1765400000000'`);
    await expect(migrateOwnerService(RUNS_SERVICE, database.url)).rejects.toThrow(NEWER);
    const { rows } = await client.query(
      `SELECT 1 FROM runs.migrations WHERE name = 'AddRunBaselineAndJudge1765400000000'`,
    );
    await client.end();
    expect(rows).toEqual([]);
  });
});
