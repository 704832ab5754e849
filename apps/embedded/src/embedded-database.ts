import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PgliteWireServer } from './pglite-wire-server.js';

export interface EmbeddedDatabase {
  /** A PostgreSQL connection URL every pg Pool and TypeORM DataSource of the platform uses unchanged. */
  url: string;
  /** PGlite delivers no NOTIFY between connections: wake-ups must stay in-process. */
  deliversNotify: boolean;
  close(): Promise<void>;
}

/**
 * PostgreSQL without a server: PGlite persisted under `<dataDir>/pgdata`, spoken to over the
 * PostgreSQL wire protocol on 127.0.0.1, so the services use the same `pg` and TypeORM adapters
 * as in distributed mode. PGlite is one session: connections take turns by whole protocol cycle
 * and whole transaction (see PgliteWireServer), which the services' short transactions tolerate.
 */
export async function startEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  const directory = join(dataDir, 'pgdata');
  mkdirSync(directory, { recursive: true });
  const db = await PGlite.create(directory);
  const server = new PgliteWireServer(db);
  const address = await server.start();
  return {
    url: `postgres://postgres@${address}/postgres`,
    deliversNotify: false,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}

/** A real PostgreSQL (DATABASE_URL): nothing to start or stop here. */
export function externalDatabase(url: string): EmbeddedDatabase {
  return { url, deliversNotify: true, close: async () => undefined };
}
