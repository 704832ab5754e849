import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jest } from '@jest/globals';
import pg from 'pg';
import { startEmbeddedPlatform, type EmbeddedPlatform } from '@evalvault/embedded';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database.js';
import { analysedAt, tableRows } from './read-tables.js';

jest.setTimeout(300_000);
const execute = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

/** The read models the restore rebuilds from the events, and what it restores as it was (compared all the same). */
const REBUILT = [
  ['runs', ['runs', 'run_cases', 'inbox']],
  ['registry', ['resources', 'versions', 'lineage', 'inbox']],
  ['notifier', ['routes', 'notifications', 'incidents', 'run_subjects', 'inbox']],
  ['memory', ['facts', 'behaviours', 'learnings', 'policies', 'deletion_requests', 'maintenance', 'inbox']],
] as const;
const RESTORED = [
  ['eventstore', ['events', 'streams']],
  ['audit', ['entries', 'chain_heads', 'inbox']],
  ['gateway', ['api_keys', 'api_key_secrets', 'members']],
  ['contentstore', ['blobs', 'chunks']],
] as const;

/**
 * The disaster-recovery drill: the platform (every service, in one process, on a PostgreSQL
 * database of the test's own) produces runs, a registered dataset, a delivered notification, memory
 * and the audit log; scripts/backup takes a backup; scripts/restore puts it into a fresh database,
 * rebuilds every read model from the events and verifies the audit chain. Every read table then
 * holds what the original held, row for row (apart from processing times, see read-tables.ts).
 */
describe('backup, restore and replay', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'evalvault-drill-'));
  const secretName = `EVALVAULT_SECRET_DEFAULT__DEFAULT__SLACK_DRILL_${randomBytes(4).toString('hex').toUpperCase()}`;
  const messages: string[] = [];
  const slack: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      messages.push(body);
      response.end('ok');
    });
  });
  let source: ScratchDatabase;
  let target: ScratchDatabase;
  let platform: EmbeddedPlatform | undefined;

  beforeAll(async () => {
    // The scripts run the services' built code, as an operator would.
    await execute(process.execPath, [join(root, 'scripts', 'ensure-built.mjs')], { cwd: root });
    [source, target] = await Promise.all([
      createScratchDatabase('evalvault_drill_source'),
      createScratchDatabase('evalvault_drill_target'),
    ]);
    await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
    process.env[secretName] = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T1/B1/x`;
    platform = await startEmbeddedPlatform({
      dataDir: join(scratch, 'data'),
      port: 0,
      oidcPort: 0,
      quiet: true,
      databaseUrl: source.url,
      databaseTemplates: null,
      env: { EVALVAULT_EGRESS_ALLOW: '127.0.0.1' },
    });
  });

  afterAll(async () => {
    await platform?.stop();
    slack.close();
    delete process.env[secretName];
    await Promise.all([source?.drop(), target?.drop()]);
    rmSync(scratch, { recursive: true, force: true });
  });

  const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${platform!.url}/v1/projects/default${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform!.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBeLessThan(300);
    return (await response.json()) as Record<string, unknown>;
  };

  it('restores into a fresh database: rebuilt read models equal the original, the audit verifies', async () => {
    await produceHistory(post, secretName);
    await untilQuiet(source.url, () => messages.length > 0);
    await platform!.stop();
    platform = undefined;
    // The history the drill restores: two runs, a registered dataset, a delivered notification, the audit log.
    for (const [table, least] of [
      ['runs.runs', 2],
      ['registry.versions', 1],
      ['notifier.notifications', 1],
      ['audit.entries', 10],
    ] as const)
      expect({ table, rows: Number((await tableRows(source.url, ...splitName(table))).length) >= least }).toEqual({
        table,
        rows: true,
      });

    const backup = join(scratch, 'backup');
    await execute(join(root, 'scripts', 'backup'), [backup], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: source.url },
    });
    const manifest = JSON.parse(readFileSync(join(backup, 'manifest.json'), 'utf8')) as {
      files: { name: string; sha256: string }[];
      eventStore: { events: number };
    };
    expect(manifest.files.map(({ name }) => name)).toEqual(['database.dump', 'content-objects.tsv']);
    expect(manifest.eventStore.events).toBeGreaterThan(10);
    expect(readFileSync(join(backup, 'content-objects.tsv'), 'utf8')).toMatch(/^[0-9a-f]{64}\t\d+\n/);

    const restored = await execute(join(root, 'scripts', 'restore'), [backup], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: target.url },
    });
    for (const name of ['runs', 'registry', 'notifier', 'memory'])
      expect(restored.stderr).toMatch(new RegExp(`rebuild: ${name} read model: [1-9]\\d* events applied`));
    expect(restored.stderr).toMatch(/audit: tenant default: verified/);
    expect(await analysedAt(target.url, 'eventstore', 'events')).not.toBeNull();

    for (const [schema, tables] of [...REBUILT, ...RESTORED])
      for (const table of tables)
        expect({ table: `${schema}.${table}`, rows: await tableRows(target.url, schema, table) }).toEqual({
          table: `${schema}.${table}`,
          rows: await tableRows(source.url, schema, table),
        });
  });

  it('runs on after the restore: new events are consumed from the store and the audit chain goes on', async () => {
    platform = await startEmbeddedPlatform({
      dataDir: join(scratch, 'data'), // the same secrets (the API key pepper) as before the backup
      port: 0,
      oidcPort: 0,
      quiet: true,
      databaseUrl: target.url,
      databaseTemplates: null,
      env: { EVALVAULT_EGRESS_ALLOW: '127.0.0.1' },
    });
    const { runId } = await post('/runs', {
      dataset: { name: 'after-restore', cases: [{ question: 'Q?', answer: 'A', contexts: ['A'], ground_truth: 'A' }] },
      metrics: ['exact_match'],
    });
    await untilQuiet(target.url, () => true, 3);
    await platform.stop();
    platform = undefined;
    const run = await tableRows(target.url, 'runs', 'runs');
    expect(run.find((row) => row['run_id'] === runId)).toMatchObject({ status: 'completed' });
    const verified = await execute(process.execPath, [join(root, 'scripts', 'backup-restore', 'rebuild.mjs')], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: target.url },
    });
    expect(verified.stderr).toMatch(/audit: tenant default: verified/);
  });

  it('refuses a damaged backup before it touches the database', async () => {
    const damaged = join(scratch, 'damaged');
    cpSync(join(scratch, 'backup'), damaged, { recursive: true });
    const dump = join(damaged, 'database.dump');
    const bytes = readFileSync(dump);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    writeFileSync(dump, bytes);
    const attempt = execute(join(root, 'scripts', 'restore'), [damaged], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: target.url },
    });
    await expect(attempt).rejects.toMatchObject({
      stderr: expect.stringContaining('database.dump does not match the manifest'),
    });
  });

  it('refuses to restore over a database that already has an event store', async () => {
    const backup = join(scratch, 'backup');
    const attempt = execute(join(root, 'scripts', 'restore'), [backup], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: target.url },
    });
    await expect(attempt).rejects.toMatchObject({ stderr: expect.stringContaining('already has an event store') });
  });
});

const splitName = (table: string): [string, string] => table.split('.') as [string, string];

type Post = (path: string, body: unknown) => Promise<Record<string, unknown>>;

/** A route, a registered dataset, a run on it that fails its gate (a Slack message) and one that passes. */
async function produceHistory(post: Post, webhookSecret: string): Promise<void> {
  await post('/notification-routes', {
    name: 'team-channel',
    on: ['GateFailed'],
    destination: { type: 'slack', webhookUrlRef: `env:${webhookSecret}` },
  });
  const cases = [
    {
      question: 'Which port does the VPN use?',
      answer: '443',
      contexts: ['The VPN uses port 443.'],
      ground_truth: '443',
    },
    {
      question: 'Who approves leave?',
      answer: 'HR',
      contexts: ['Leave is approved by managers.'],
      ground_truth: 'managers',
    },
  ];
  const dataset = await post('/datasets', { name: 'drill-help-desk', cases });
  await post('/runs', {
    dataset: { id: dataset['id'], version: dataset['version'] },
    metrics: ['exact_match', 'faithfulness_lexical'],
    gate: { rules: ['mean(exact_match) >= 1'] },
  });
  await post('/runs', { dataset: { name: 'drill-inline', cases: [cases[0]] }, metrics: ['exact_match'] });
}

/**
 * Until the platform has nothing left to do: every run finished, the notification delivered, every
 * event audited, memory formed from `runs` runs, and nothing appended between two looks.
 */
async function untilQuiet(url: string, delivered: () => boolean, runs = 2): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    let previous = '';
    for (const deadline = Date.now() + 240_000; Date.now() < deadline; ) {
      const { rows } = await client.query<{ state: string }>(`SELECT concat_ws('/',
          (SELECT count(*) FROM eventstore.events),
          (SELECT count(*) FROM eventstore.events e WHERE NOT EXISTS
             (SELECT 1 FROM audit.entries a WHERE a.event_id = e.event_id)),
          (SELECT count(*) FROM runs.runs WHERE status NOT IN ('completed', 'failed', 'cancelled')),
          (SELECT count(*) FROM notifier.notifications WHERE status = 'pending'),
          (SELECT count(*) FROM memory.formed_runs)) AS state`);
      const state = rows[0]!.state;
      const [, unaudited, open, pending, formed] = state.split('/');
      const settled = unaudited === '0' && open === '0' && pending === '0' && formed === String(runs) && delivered();
      if (settled && state === previous) return;
      previous = state;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    throw new Error(
      `the platform did not settle: events/unaudited/open runs/pending notifications/formed = ${previous}`,
    );
  } finally {
    await client.end();
  }
}
