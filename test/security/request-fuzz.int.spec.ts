import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import fc from 'fast-check';
import pg from 'pg';
import { EventCodec } from '@evalvault/contracts';
import { startEmbeddedPlatform, type EmbeddedPlatform } from '../../apps/embedded/src/index.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database.js';

jest.setTimeout(180_000);

/**
 * Property-based requests derived from the gateway's own OpenAPI document, against the embedded platform on a
 * PostgreSQL database of this test's own, over HTTP: every /v1 operation, as API keys of every project role, an
 * auditor, a made-up key and no key, on its own project, another project and made-up ones, with path
 * parameters, query strings and bodies shaped by the document and random JSON. No answer is a 5xx, and a
 * refused request (4xx) appends nothing to the event store but the AccessDenied record the gateway keeps of
 * refusals (work started by earlier accepted requests may go on meanwhile, under their correlation ids).
 */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 1_000);

interface Operation {
  method: string;
  path: string;
  bodyKeys: string[] | null;
}

interface Schema {
  $ref?: string;
  properties?: Record<string, Schema>;
}

function operationsOf(document: {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>>;
  components?: { schemas?: Record<string, Schema> };
}): Operation[] {
  const resolve = (schema: Schema | undefined): Schema | undefined =>
    schema?.$ref ? document.components?.schemas?.[schema.$ref.split('/').pop()!] : schema;
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    if (!path.startsWith('/v1/')) continue;
    for (const [method, operation] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'delete', 'patch'].includes(method)) continue;
      const schema = resolve(operation.requestBody?.content?.['application/json']?.schema);
      operations.push({
        method: method.toUpperCase(),
        path,
        bodyKeys: schema?.properties ? Object.keys(schema.properties) : operation.requestBody ? [] : null,
      });
    }
  }
  return operations;
}

describe('request fuzzing from the OpenAPI document', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'evalvault-fuzz-'));
  let database: ScratchDatabase;
  let platform: EmbeddedPlatform;
  let pool: pg.Pool;
  const keys: Record<string, string> = {};
  const known: Record<string, string> = {};

  const call = async (method: string, path: string, key: string | null, body?: unknown): Promise<Response> =>
    fetch(`${platform.url}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });

  beforeAll(async () => {
    database = await createScratchDatabase('fuzz');
    platform = await startEmbeddedPlatform({
      dataDir: join(scratch, 'data'),
      databaseUrl: database.url,
      port: 0,
      oidcPort: 0,
      logLevel: 'silent',
      env: { GATEWAY_RATE_LIMIT_MAX: '1000000', GATEWAY_AUTH_FAILURES_MAX: '1000000' },
    });
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    keys['admin'] = platform.adminKey;
    for (const role of ['viewer', 'editor', 'approver']) {
      const issued = await call('POST', '/v1/projects/default/api-keys', platform.adminKey, { name: role, role });
      keys[role] = ((await issued.json()) as { key: string }).key;
    }
    const auditor = await call('POST', '/v1/projects/default/api-keys', platform.adminKey, {
      name: 'auditor',
      role: 'viewer',
      tenantRoles: ['auditor'],
    });
    keys['auditor'] = ((await auditor.json()) as { key: string }).key;
    const other = await call('POST', '/v1/projects/other/api-keys', platform.adminKey, { name: 'x', role: 'admin' });
    expect(other.status).toBeGreaterThanOrEqual(400); // the bootstrap key is admin of `default` only
    const run = await call('POST', '/v1/projects/default/runs', keys['editor']!, {
      dataset: { name: 'fuzz', cases: [{ question: 'q', answer: 'a', contexts: [] }] },
      metrics: ['exact_match'],
      gate: { rules: ['mean(exact_match) >= 0.5'] },
    });
    known['runId'] = ((await run.json()) as { runId: string }).runId;
    const dataset = await call('POST', '/v1/projects/default/datasets', keys['editor']!, {
      name: 'fuzz-ds',
      cases: [{ question: 'q', answer: 'a', contexts: [] }],
    });
    known['datasetId'] = ((await dataset.json()) as { id?: string; datasetId?: string }).id ?? 'ds';
  });

  afterAll(async () => {
    await pool?.end();
    await platform?.stop();
    await database?.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it(`answers ${RUNS} generated requests without a 5xx; refused ones change nothing`, async () => {
    const document = (await (await fetch(`${platform.url}/openapi.json`)).json()) as Parameters<typeof operationsOf>[0];
    const operations = operationsOf(document);
    expect(operations.length).toBeGreaterThan(40);
    const codec = new EventCodec();
    const seenEvents = new Set<string>();
    const acceptedCorrelations = new Set<string>();
    const counts: Record<string, number> = {};
    const covered = new Set<string>();
    const failures: string[] = [];

    /** Events appended since the last look, decoded. */
    const newEvents = async () => {
      const { rows } = await pool.query<{ event_id: string; data: Buffer }>(
        'SELECT event_id, data FROM eventstore.events ORDER BY sequence DESC LIMIT 500',
      );
      const fresh = rows.filter((row) => !seenEvents.has(row.event_id));
      for (const row of fresh) seenEvents.add(row.event_id);
      return fresh.map((row) => codec.decode(row.data));
    };
    // The setup's run goes on in the background under its own correlation id.
    for (const event of await newEvents()) acceptedCorrelations.add(event.correlationId);

    const weird = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('..', '%2e%2e', '0', '-1', '9'.repeat(30), 'ünïcødé', '<script>', "' OR 1=1 --", '\u0000'),
      fc.uuid(),
    );
    const request = fc.record({
      operation: fc.constantFrom(...operations),
      who: fc.constantFrom('viewer', 'editor', 'approver', 'admin', 'auditor', 'made-up', 'none'),
      project: fc.oneof(
        fc.constantFrom('default', 'default', 'other', 'tenant-b-project'),
        // Names of Object.prototype's members: a role map read without Object.hasOwn answered 500.
        fc.constantFrom('toString', '__proto__', 'constructor', 'hasOwnProperty'),
        weird,
      ),
      ids: fc.dictionary(fc.constantFrom('runId', 'otherRunId', 'datasetId', 'version', 'keyId', 'routeId'), weird),
      useKnownIds: fc.boolean(),
      query: fc.option(fc.dictionary(fc.constantFrom('limit', 'cursor', 'q', 'status', 'from', 'format'), weird)),
      body: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue())),
      shapedBody: fc.boolean(),
    });

    await fc.assert(
      fc.asyncProperty(request, fc.jsonValue({ maxDepth: 2 }), async (r, value) => {
        const { operation } = r;
        covered.add(`${operation.method} ${operation.path}`);
        const path = operation.path.replace(/\{(\w+)\}/g, (_all, name: string) => {
          if (name === 'project') return encodeURIComponent(r.project);
          const id = r.useKnownIds && known[name] ? known[name] : (r.ids[name] ?? 'x');
          return encodeURIComponent(id);
        });
        const query = r.query ? `?${new URLSearchParams(r.query).toString()}` : '';
        const key =
          r.who === 'none' ? null : r.who === 'made-up' ? `evk_${'0'.repeat(12)}_${'A'.repeat(43)}` : keys[r.who]!;
        let body: unknown;
        if (operation.bodyKeys !== null)
          body =
            r.shapedBody && operation.bodyKeys.length > 0
              ? Object.fromEntries(operation.bodyKeys.map((name, i) => [name, i % 2 ? value : r.body]))
              : r.body;
        const response = await call(operation.method, `${path}${query}`, key, body);
        if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream')) await response.body?.cancel();
        else await response.arrayBuffer();
        const status = response.status;
        counts[`${Math.floor(status / 100)}xx`] = (counts[`${Math.floor(status / 100)}xx`] ?? 0) + 1;
        counts[String(status)] = (counts[String(status)] ?? 0) + 1;
        const what = `${operation.method} ${path}${query} as ${r.who} → ${status}`;
        if (status >= 500) failures.push(what);
        const events = await newEvents();
        if (status < 400) for (const event of events) acceptedCorrelations.add(event.correlationId);
        else {
          const changes = events.filter(
            (event) =>
              event.type !== 'AccessDenied' &&
              !acceptedCorrelations.has(event.correlationId) &&
              !event.actor.subject.startsWith('system:'),
          );
          if (changes.length > 0) failures.push(`${what} appended ${changes.map((e) => e.type).join(', ')}`);
        }
      }),
      { numRuns: RUNS, seed: process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : undefined },
    );
    process.stdout.write(
      `request fuzz: ${RUNS} requests over ${covered.size} of ${operations.length} operations; ` +
        `by status ${JSON.stringify(counts)}\n`,
    );
    expect(failures).toEqual([]);
    expect(covered.size).toBe(operations.length);
  });
});
