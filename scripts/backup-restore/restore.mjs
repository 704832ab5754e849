// scripts/restore DIR [--no-owner] [--no-rebuild]: restores a backup made by scripts/backup into
// DATABASE_URL, which must hold no event store yet (a fresh database). It checks every file
// against the manifest first, restores with pg_restore, checks that new transactions on this
// server commit after the restored log (the event store orders events by transaction id), puts
// filesystem content back (CONTENT_STORE=filesystem, CONTENT_STORE_DIR), then rebuilds every read
// model from the events and verifies each tenant's audit chain (scripts/backup-restore/rebuild.mjs).
// See docs/operations.md, "Back up and restore".
import { cp, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { databaseUrl, fail, log, redacted, run, sha256File } from './common.mjs';

const args = process.argv.slice(2);
const directory = args.find((arg) => !arg.startsWith('--'));
if (!directory) fail('usage: scripts/restore DIR [--no-owner] [--no-rebuild]   (into DATABASE_URL)');
const url = databaseUrl();

const manifest = JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8'));
if (manifest.format !== 'evalvault-backup/1') fail(`${directory}: not a backup of this format (${manifest.format})`);
for (const file of manifest.files) {
  const actual = await sha256File(join(directory, file.name));
  if (actual !== file.sha256)
    fail(`${file.name} does not match the manifest: sha256 ${actual}, expected ${file.sha256}`);
}
await refuseNonEmptyTarget();
log(`restore: ${directory} (${manifest.eventStore.events} events, taken ${manifest.createdAt}) -> ${redacted(url)}`);
const ownership = args.includes('--no-owner') ? ['--no-owner', '--no-privileges'] : [];
await run('pg_restore', ['--exit-on-error', ...ownership, `--dbname=${url}`, join(directory, 'database.dump')]);
await checkTransactionIds();
await gatherStatistics();
await restoreFilesystemContent();
if (args.includes('--no-rebuild')) {
  log('restore: done; read models as they were in the backup (not rebuilt: --no-rebuild)');
} else {
  const { rebuildAndVerify } = await import('./rebuild.mjs');
  await rebuildAndVerify(url);
}

async function withClient(work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A restore goes into a fresh database: restoring over live data would mix two histories. */
function refuseNonEmptyTarget() {
  return withClient(async (client) => {
    const { rows } = await client.query(
      `SELECT 1 FROM information_schema.tables WHERE table_schema = 'eventstore' AND table_name = 'events'`,
    );
    if (rows.length > 0) fail(`${redacted(url)} already has an event store: restore into a fresh database`);
  });
}

/**
 * pg_restore leaves the planner no statistics: until autovacuum analyses the restored tables, a
 * tenant's reads of the log may scan and sort the whole table (docs/performance.md measured 0.30
 * of a keyset SELECT on a new table, 0.92 once analysed). Gathered here, before the rebuild reads.
 */
function gatherStatistics() {
  return withClient(async (client) => {
    await client.query('ANALYZE');
    log('restore: planner statistics gathered (ANALYZE)');
  });
}

/**
 * The event store orders events by the id of the transaction that wrote them. On another server
 * (a new cluster after a disaster) transaction ids may still be below the restored ones: new
 * events would sort before old ones and relays past them would skip them. Refuse loudly then.
 */
function checkTransactionIds() {
  return withClient(async (client) => {
    const { rows } = await client.query(
      `SELECT coalesce(max(commit_id)::text, '0') AS last, pg_current_xact_id()::text AS current,
              pg_current_xact_id() > coalesce(max(commit_id), '0'::xid8) AS ahead
         FROM eventstore.events`,
    );
    const { last, current, ahead } = rows[0];
    if (!ahead)
      fail(
        `this server's transaction ids (now ${current}) are behind the restored event store's (${last}): ` +
          "new events would sort before restored ones. Advance the cluster's next transaction id past " +
          `${last} (stop the server, pg_resetwal -x <id> on its data directory), then restore again`,
      );
  });
}

async function restoreFilesystemContent() {
  if (!manifest.content.copied) return;
  const target = process.env.CONTENT_STORE_DIR;
  if (!target) fail('the backup holds filesystem content: set CONTENT_STORE_DIR to where it goes');
  const listed = (await readFile(join(directory, 'content-objects.tsv'), 'utf8')).split('\n').filter(Boolean);
  for (const line of listed) {
    const [hash] = line.split('\t');
    const path = join(directory, 'content', 'sha256', hash.slice(0, 2), hash);
    if (!existsSync(path) || (await sha256File(path)) !== hash) fail(`content object ${hash} is missing or damaged`);
  }
  await cp(join(directory, 'content', 'sha256'), join(target, 'sha256'), { recursive: true, force: false });
  log(`restore: ${listed.length} content objects -> ${target}`);
}
