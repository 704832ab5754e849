import { chmodSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { privateDirectory } from './data-directory.js';
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
 * PostgreSQL wire protocol on a Unix socket in `<dataDir>/run`, so the services use the same
 * `pg` and TypeORM adapters as in distributed mode. PGlite is one session: connections take
 * turns by whole protocol cycle and whole transaction (see PgliteWireServer), which the
 * services' short transactions tolerate.
 *
 * PGlite checks no credentials, so both directories are private to this user (0700): other
 * local users can neither connect (and read API keys, or hold the one session) nor read the
 * files. PGlite's file system layer creates its files 0666 and directories 0755; they are
 * tightened after start and again at close, and between the two the 0700 directory keeps them out of reach.
 */
export async function startEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  const directory = privateDirectory(join(dataDir, 'pgdata'));
  const db = await PGlite.create(directory);
  tightenTree(directory);
  const server = new PgliteWireServer(db);
  const socketDir = privateDirectory(join(dataDir, 'run'));
  try {
    await server.start(socketDir);
  } catch (error) {
    await db.close();
    throw error;
  }
  return {
    url: socketUrl(socketDir),
    deliversNotify: false,
    async close() {
      await server.stop();
      await db.close();
      tightenTree(directory);
    },
  };
}

/**
 * node-postgres reads a directory in `host` as a Unix socket's; TypeORM passes the whole URL on
 * to it (its own parse of the URL only fills the fields the URL's parameters override).
 */
export function socketUrl(socketDir: string): string {
  return `postgres://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`;
}

/** Files 0600 and directories 0700 under `directory`, as PostgreSQL itself keeps its data directory. */
export function tightenTree(directory: string): void {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      chmodSync(path, 0o700);
      tightenTree(path);
    } else if (entry.isFile()) {
      chmodSync(path, 0o600);
    }
  }
}

/** A real PostgreSQL (DATABASE_URL): nothing to start or stop here. */
export function externalDatabase(url: string): EmbeddedDatabase {
  return { url, deliversNotify: true, close: async () => undefined };
}
