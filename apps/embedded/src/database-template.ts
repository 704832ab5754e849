import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { privateDirectory } from './data-directory.js';

/**
 * A new data directory's database, made once and copied afterwards. PGlite's initdb and every
 * service's migrations cost seconds on each new data directory (the CLI makes one per run); the
 * result is the same every time for one PGlite version and one set of migrations, so the first
 * start keeps a copy of its freshly migrated database, before any service wrote to it, and later
 * new data directories start from that copy. A template holds schemas only: no tenant, key or
 * secret (those are made by the services after it is taken, and secrets live outside the database).
 *
 * Templates live in a private cache directory (0700, this user's), one per key; the key changes
 * with PGlite's version, its start parameters and the migrations, so a stale template is never used.
 */
export class DatabaseTemplates {
  constructor(private readonly directory: string) {}

  /** The template for `key`, or null when none was made yet. */
  find(key: string): string | null {
    // Private and this user's, or refused: a template becomes every new data directory's database.
    const path = join(privateDirectory(this.directory), key);
    return existsSync(join(path, 'PG_VERSION')) ? path : null;
  }

  /** Copies the template `key` into an empty `pgdata`; false when there is none. */
  copyInto(key: string, pgdata: string): boolean {
    const template = this.find(key);
    if (!template) return false;
    cpSync(template, pgdata, { recursive: true });
    return true;
  }

  /**
   * Keeps a copy of a running database as the template `key`: a checkpoint writes every page out,
   * then the files are copied while the session is held, so no statement runs in between; the copy
   * opens like a database after a crash at that checkpoint, with nothing to replay. Written under a
   * temporary name and renamed, so a concurrent start sees a whole template or none.
   */
  async save(key: string, db: PGlite, pgdata: string): Promise<void> {
    if (this.find(key)) return;
    const target = join(this.directory, key);
    const partial = `${target}.${randomBytes(4).toString('hex')}.partial`;
    try {
      await db.runExclusive(async () => {
        await db.execProtocolRaw(simpleQuery('CHECKPOINT'));
        // postmaster.pid belongs to the running session, not to the database.
        cpSync(pgdata, partial, { recursive: true, filter: (path) => !path.endsWith('postmaster.pid') });
      });
      renameSync(partial, target);
    } catch (error) {
      rmSync(partial, { recursive: true, force: true });
      // Another start saved the same template first: theirs is as good as ours.
      if (!this.find(key)) throw error;
    }
  }
}

/** What a template depends on: PGlite's version, its start parameters, every schema's migrations in order. */
export function templateKey(
  startParams: readonly string[],
  schemas: ReadonlyArray<readonly [string, readonly string[]]>,
) {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ pglite: pgliteVersion(), startParams, schemas }));
  return `pgdata-${hash.digest('hex').slice(0, 24)}`;
}

function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** A simple-protocol Query message ('Q', length, the statement, NUL). */
function simpleQuery(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`, 'utf8');
  const message = Buffer.alloc(5 + text.length);
  message[0] = 0x51;
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return message;
}
