// scripts/backup [DIR]: a backup of EvalVault's PostgreSQL (DATABASE_URL) into DIR (default
// backups/evalvault-<UTC time>): database.dump, one pg_dump in custom format and so one snapshot of
// the event store, the content store and every service's schema; content-objects.tsv, the content
// store's objects (hash, bytes) whichever adapter keeps them, with CONTENT_STORE=filesystem a copy
// of them under content/; and manifest.json with a SHA-256 of every file, the migrations of every
// schema and where the event store's log ended. See docs/operations.md, "Back up and restore".
import { cp, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import pg from 'pg';
import { SCHEMAS, databaseUrl, fail, fileEntry, log, redacted, run, sha256File } from './common.mjs';

const url = databaseUrl();
const directory = process.argv[2] ?? join('backups', `evalvault-${new Date().toISOString().replace(/[:.]/g, '-')}`);
if (existsSync(join(directory, 'manifest.json'))) fail(`${directory} already holds a backup`);
await mkdir(directory, { recursive: true });

const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  const present = await presentSchemas();
  if (!present.includes('eventstore')) fail(`no event store in ${redacted(url)}: nothing to back up`);
  const dump = join(directory, 'database.dump');
  log(`backup: pg_dump of ${present.join(', ')} from ${redacted(url)}`);
  await run('pg_dump', ['--format=custom', `--file=${dump}`, ...present.map((s) => `--schema=${s}`), url]);
  const content = await contentObjects(present);
  await writeFile(join(directory, 'content-objects.tsv'), content.map((o) => `${o.hash}\t${o.bytes}\n`).join(''));
  const copied = await copyFilesystemContent();
  const manifest = {
    format: 'evalvault-backup/1',
    createdAt: new Date().toISOString(),
    source: redacted(url),
    postgres: (await client.query('SHOW server_version')).rows[0].server_version,
    schemas: await migrationsOf(present),
    eventStore: await eventStoreHead(),
    content: { store: process.env.CONTENT_STORE || 'postgres', objects: content.length, copied },
    files: [
      await fileEntry(dump, 'database.dump'),
      await fileEntry(join(directory, 'content-objects.tsv'), 'content-objects.tsv'),
    ],
  };
  await writeFile(join(directory, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  log(`backup: ${manifest.eventStore.events} events, ${content.length} content objects -> ${directory}`);
} finally {
  await client.end();
}

async function presentSchemas() {
  const { rows } = await client.query(
    'SELECT schema_name FROM information_schema.schemata WHERE schema_name = ANY($1::text[])',
    [SCHEMAS],
  );
  const names = new Set(rows.map((row) => row.schema_name));
  return SCHEMAS.filter((schema) => names.has(schema));
}

async function migrationsOf(schemas) {
  const result = {};
  for (const schema of schemas) {
    const table = await client.query(
      `SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'migrations'`,
      [schema],
    );
    result[schema] = table.rows.length
      ? (await client.query(`SELECT name FROM "${schema}".migrations ORDER BY id`)).rows.map((row) => row.name)
      : [];
  }
  return result;
}

/** How many events, and the global position of the last one: what a restore brings back. */
async function eventStoreHead() {
  const { rows } = await client.query(
    `SELECT count(*)::text AS events, max(commit_id)::text AS commit, max(sequence)::text AS sequence
       FROM eventstore.events`,
  );
  return { events: Number(rows[0].events), lastCommit: rows[0].commit, lastSequence: rows[0].sequence };
}

/** The content store's objects, by hash (content-addressed: the hash is the object's SHA-256). */
async function contentObjects(schemas) {
  const kind = process.env.CONTENT_STORE || 'postgres';
  if (kind === 'postgres') {
    if (!schemas.includes('contentstore')) return [];
    const { rows } = await client.query('SELECT hash, size::text AS bytes FROM contentstore.blobs ORDER BY hash');
    return rows.map((row) => ({ hash: row.hash, bytes: Number(row.bytes) }));
  }
  if (kind === 'filesystem') return filesystemObjects(contentDirectory());
  log(
    'backup: CONTENT_STORE=s3: the bucket is NOT copied or listed by this script; back it up with the ' +
      "bucket's own versioning or replication (docs/operations.md)",
  );
  return [];
}

function contentDirectory() {
  const directory = process.env.CONTENT_STORE_DIR;
  if (!directory) fail('CONTENT_STORE=filesystem needs CONTENT_STORE_DIR');
  return directory;
}

/** Every object under sha256/, its checksum verified against its name as it is listed. */
async function filesystemObjects(root) {
  const objects = [];
  const base = join(root, 'sha256');
  if (!existsSync(base)) return objects;
  for (const prefix of (await readdir(base)).sort()) {
    for (const hash of (await readdir(join(base, prefix))).sort()) {
      const path = join(base, prefix, hash);
      const actual = await sha256File(path);
      if (actual !== hash) fail(`content object ${relative(root, path)} does not match its hash (it is ${actual})`);
      objects.push({ hash, bytes: (await stat(path)).size });
    }
  }
  return objects;
}

/** With CONTENT_STORE=filesystem the objects are copied beside the dump (their names are their checksums). */
async function copyFilesystemContent() {
  if ((process.env.CONTENT_STORE || 'postgres') !== 'filesystem') return false;
  const source = join(contentDirectory(), 'sha256');
  if (existsSync(source)) await cp(source, join(directory, 'content', 'sha256'), { recursive: true });
  return true;
}
