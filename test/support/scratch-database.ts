import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { testDatabaseUrl } from '@evalvault/platform/testing';

const run = promisify(execFile);

/** A database of one test's own on the local server, created empty and dropped by the test. */
export interface ScratchDatabase {
  name: string;
  /** As the administrator (the migrations create schemas), like `npm run migrate` on a fresh server. */
  url: string;
  drop(): Promise<void>;
}

/**
 * The server's administrator connection, derived from the test database's URL (same host and
 * port; user PGADMIN_USER, default postgres, as infra/postgres/setup.sh connects).
 */
function adminUrl(database: string): string {
  const url = new URL(testDatabaseUrl());
  url.username = process.env['PGADMIN_USER'] ?? 'postgres';
  url.password = '';
  url.pathname = `/${database}`;
  return url.toString();
}

export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  return {
    name,
    url: adminUrl(name),
    drop: async () => {
      await connectionsGone(name, 5_000);
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/**
 * Waits (up to `ms`) for the database's other connections to close: a pool that has been told to end may
 * still be closing a client, and a forced drop that terminates it then surfaces as that client's unheard
 * 'error' (57P01), failing the suite after its tests passed. What is left after the wait is forced.
 */
async function connectionsGone(name: string, ms: number): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl('postgres') });
  await client.connect();
  try {
    for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
      const { rows } = await client.query<{ open: number }>(
        'SELECT count(*)::int AS open FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      if (rows[0]!.open === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.end();
  }
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl('postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * The DDL of the given schemas as pg_dump writes it (schema only, without owners and grants):
 * every table, column, default, constraint, index, sequence and function, in pg_dump's stable
 * order, so two databases built alike dump alike.
 */
export async function schemaDump(url: string, schemas: readonly string[]): Promise<string> {
  const args = ['--schema-only', '--no-owner', '--no-privileges', ...schemas.flatMap((s) => ['--schema', s]), url];
  const { stdout } = await run('pg_dump', args, { maxBuffer: 64 * 1024 * 1024 });
  // pg_dump's header names its version and a session setting; only the objects matter.
  return stdout
    .split('\n')
    .filter((line) => !line.startsWith('--') && !line.startsWith('\\restrict') && !line.startsWith('\\unrestrict'))
    .join('\n');
}

/** The relations, functions and types left in a schema, by name (`relkind:name`). */
export async function schemaObjects(url: string, schema: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ object: string }>(
      `SELECT c.relkind::text || ':' || c.relname AS object FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1
       UNION ALL
       SELECT 'function:' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = $1
       UNION ALL
       SELECT 'type:' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = $1 AND t.typtype IN ('e', 'd', 'c') AND NOT EXISTS
          (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind IN ('r', 'v', 'm', 'p', 'f'))
       ORDER BY 1`,
      [schema],
    );
    return rows.map(({ object }) => object);
  } finally {
    await client.end();
  }
}
