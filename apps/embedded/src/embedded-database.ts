import { chmodSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { privateDirectory } from './data-directory.js';
import type { DatabaseTemplates } from './database-template.js';
import { PgliteWireServer } from './pglite-wire-server.js';

/**
 * PGlite's own start parameters (single user, fsync off: see docs/operations.md) with a buffer
 * pool of 16 MB instead of PostgreSQL's 128 MB: PGlite allocates the pool inside its WebAssembly
 * memory and touches all of it at start, while the operating system's page cache still holds the
 * files behind it, so a small pool costs reads from memory, not from disk.
 */
export const PGLITE_START_PARAMS: readonly string[] = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

export interface EmbeddedDatabase {
  /** A PostgreSQL connection URL every pg Pool and TypeORM DataSource of the platform uses unchanged. */
  url: string;
  /** PGlite delivers no NOTIFY between connections: wake-ups must stay in-process. */
  deliversNotify: boolean;
  /** Where this start's database came from: the data directory, a template copy, PGlite's initdb, a server. */
  origin: 'existing' | 'template' | 'initdb' | 'external';
  /** Keeps the database as it is now as the template (right after its migrations, before any service wrote). */
  keepAsTemplate(): Promise<void>;
  close(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  /** Where a new data directory's database is copied from (and its first one kept), under `key`. */
  templates?: { store: DatabaseTemplates; key: string };
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
export async function startEmbeddedDatabase(
  dataDir: string,
  options: EmbeddedDatabaseOptions = {},
): Promise<EmbeddedDatabase> {
  const directory = privateDirectory(join(dataDir, 'pgdata'));
  const { templates } = options;
  const origin = existsSync(join(directory, 'PG_VERSION'))
    ? 'existing'
    : readdirSync(directory).length === 0 && templates?.store.copyInto(templates.key, directory)
      ? 'template'
      : 'initdb';
  baselineWasmCompilerOnly();
  const db = await PGlite.create(directory, { startParams: [...PGLITE_START_PARAMS] });
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
    origin,
    async keepAsTemplate() {
      if (!templates || origin !== 'initdb') return;
      await templates.store.save(templates.key, db, directory);
    },
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
  return {
    url,
    deliversNotify: true,
    origin: 'external',
    keepAsTemplate: async () => undefined,
    close: async () => undefined,
  };
}

/**
 * PGlite's PostgreSQL runs on V8's baseline WebAssembly compiler (Liftoff) only. By default V8
 * recompiles the hot functions of its 9 MB module with its optimising compiler (TurboFan) in
 * background threads, and for PostgreSQL's largest functions (the executor, the parser) that took
 * over 500 MB of memory for a moment and seconds of CPU on two cores, at start and again under
 * the first load: the embedded platform's peak memory. Liftoff code runs a query somewhat slower
 * once warm; for a local platform the memory matters more. Process-wide and for later compilations
 * only, so it is set before PGlite compiles its module (V8 reads these flags at each compilation).
 */
function baselineWasmCompilerOnly(): void {
  setFlagsFromString('--no-wasm-dynamic-tiering');
  setFlagsFromString('--no-wasm-tier-up');
}
