import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded-database.js';

/** Every path under `directory` whose mode lets group or others in. */
function openToOthers(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .map((name) => join(directory, name))
    .filter((path) => (statSync(path).mode & 0o077) !== 0);
}

/** PGlite checks no password: the database is reachable, and readable, by this user only. */
describe('the embedded database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'evalvault-db-'));
  let database: EmbeddedDatabase | undefined;

  beforeAll(async () => {
    // A socket directory left open by hand (or by an older version), with a dead socket in it.
    mkdirSync(join(dataDir, 'run'), { mode: 0o755 });
    writeFileSync(join(dataDir, 'run', '.s.PGSQL.5432'), '');
    database = await startEmbeddedDatabase(dataDir);
  });
  afterAll(async () => {
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('makes the socket directory private even when it already existed wider', () => {
    expect(statSync(join(dataDir, 'run')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'run', '.s.PGSQL.5432')).isSocket()).toBe(true);
  });

  it('keeps the database files from group and others', () => {
    expect(statSync(join(dataDir, 'pgdata')).mode & 0o777).toBe(0o700);
    expect(openToOthers(join(dataDir, 'pgdata'))).toEqual([]);
  });

  it('serves pg and TypeORM through its URL, a socket path and no TCP address', async () => {
    expect(database!.url).toBe(
      `postgres://postgres@localhost/postgres?host=${encodeURIComponent(join(dataDir, 'run'))}`,
    );
    const client = new pg.Client({ connectionString: database!.url });
    await client.connect();
    await client.query('CREATE TABLE kept (n int)');
    await client.end();
    const dataSource = await new DataSource({ type: 'postgres', url: database!.url, logging: false }).initialize();
    expect(await dataSource.query('SELECT count(*)::int AS n FROM kept')).toEqual([{ n: 0 }]);
    await dataSource.destroy();
  });

  it('leaves the files private after it stops too', async () => {
    await database!.close();
    database = undefined;
    expect(openToOthers(join(dataDir, 'pgdata'))).toEqual([]);
  });
});
