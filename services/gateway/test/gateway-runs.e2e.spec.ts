import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import pg from 'pg';
import {
  migrateTestDatabase,
  startServiceProcess,
  stopRunsProcess,
  testDatabaseUrl,
  type RunsProcess,
} from '@evalvault/platform/testing';
import { ApiKeySecretHasher, issueApiKey } from '../src/auth/api-keys.js';
import { PostgresApiKeyStore } from '../src/auth/postgres-api-key.store.js';

// Processes start, join consumer groups and score a run: minutes at worst on two cores.
jest.setTimeout(180_000);

/**
 * The public API over real HTTP, in distributed mode: the gateway authenticates an API key,
 * checks the role matrix, and calls the runs service's internal API with a signed
 * identity; the runs service plans and scores over the real Kafka and PostgreSQL.
 */
describe('gateway → runs over HTTP', () => {
  const processes: RunsProcess[] = [];
  const adminKey = `evk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
  const secrets = {
    E2E_INTERNAL_SECRET: randomBytes(32).toString('base64url'),
    E2E_PEPPER: randomBytes(32).toString('base64url'),
  };
  let gateway: string;

  beforeAll(async () => {
    migrateTestDatabase();
    // A relay of its own starting at the end of the shared test log: only this test's runs travel.
    const shared = {
      ...secrets,
      EVALVAULT_INTERNAL_SECRET_REF: 'env:E2E_INTERNAL_SECRET',
      RUNS_CONSUMER_START: 'latest',
      RUNS_RELAY_NAME: `e2e-${randomBytes(4).toString('hex')}`,
      RUNS_RELAY_START: 'latest',
      RUNS_GROUP_PREFIX: `e2e-${randomBytes(4).toString('hex')}`,
    };
    const runs = await startServiceProcess('runs', { ...shared, RUNS_BATCH_SIZE: '2' });
    processes.push(runs);
    // Every submission asks the registry for the project's policy and the versions the run pins.
    const registry = await startServiceProcess('registry', {
      ...shared,
      REGISTRY_CONSUMER_START: 'latest',
      REGISTRY_RELAY_START: 'latest',
      REGISTRY_RELAY_NAME: `e2e-registry-${randomBytes(4).toString('hex')}`,
      REGISTRY_GROUP_PREFIX: `e2e-registry-${randomBytes(4).toString('hex')}`,
    });
    processes.push(registry);
    const gatewayProcess = await startServiceProcess('gateway', {
      ...shared,
      EVALVAULT_API_KEY_PEPPER_REF: 'env:E2E_PEPPER',
      EVALVAULT_BOOTSTRAP_ADMIN_KEY: adminKey,
      RUNS_SERVICE_URL: runs.url,
      REGISTRY_SERVICE_URL: registry.url,
    });
    processes.push(gatewayProcess);
    gateway = gatewayProcess.url;
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => stopRunsProcess(p)));
  });

  const call = (path: string, init: RequestInit & { key?: string | null } = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (init.key !== null) headers.set('authorization', `Bearer ${init.key ?? adminKey}`);
    if (init.body) headers.set('content-type', 'application/json');
    return fetch(`${gateway}${path}`, { ...init, headers });
  };
  const run = {
    dataset: {
      name: 'gateway-e2e',
      cases: [
        {
          id: 'a',
          question: 'Capital of France?',
          answer: 'Paris',
          contexts: ['Paris is the capital of France.'],
          ground_truth: 'Paris',
        },
        {
          id: 'b',
          question: 'Capital of Italy?',
          answer: 'Milan',
          contexts: ['Rome is the capital of Italy.'],
          ground_truth: 'Rome',
        },
        {
          id: 'c',
          question: 'Capital of Spain?',
          answer: 'Madrid',
          contexts: ['Madrid is the capital of Spain.'],
          ground_truth: 'Madrid',
        },
      ],
    },
    metrics: ['exact_match', 'token_f1'],
    gate: { rules: ['mean(exact_match) >= 0.9'] },
  };

  it('streams a run’s progress as Server-Sent Events until its verdict', async () => {
    const submitted = await call('/v1/projects/default/runs', { method: 'POST', body: JSON.stringify(run) });
    const { runId } = (await submitted.json()) as { runId: string };
    let stream: Response | undefined;
    for (let attempt = 0; attempt < 100 && stream?.status !== 200; attempt++) {
      // 404 until the read model has the run
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      stream = await call(`/v1/projects/default/runs/${runId}/events`);
    }
    expect(stream!.headers.get('content-type')).toContain('text/event-stream');
    const text = await stream!.text();
    expect(text).toContain('event: progress');
    const done = /event: done\ndata: (.*)\n/.exec(text);
    expect(JSON.parse(done![1]!)).toMatchObject({ runId, status: 'completed', gate: { passed: false } });
  });

  it('runs without a gate: the stream ends at completion with verdict none', async () => {
    const { gate: _gate, ...ungated } = run;
    const submitted = await call('/v1/projects/default/runs', { method: 'POST', body: JSON.stringify(ungated) });
    expect(submitted.status).toBe(202);
    const { runId } = (await submitted.json()) as { runId: string };
    let stream: Response | undefined;
    for (let attempt = 0; attempt < 100 && stream?.status !== 200; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      stream = await call(`/v1/projects/default/runs/${runId}/events`);
    }
    const done = /event: done\ndata: (.*)\n/.exec(await stream!.text());
    expect(JSON.parse(done![1]!)).toMatchObject({
      runId,
      status: 'completed',
      gateRules: [],
      verdict: 'none',
      gate: null,
    });
  });

  it('submits a run, follows it to its verdict and lists its cases', async () => {
    const submitted = await call('/v1/projects/default/runs', {
      method: 'POST',
      body: JSON.stringify(run),
      headers: { 'idempotency-key': `e2e-${randomBytes(4).toString('hex')}` },
    });
    expect(submitted.status).toBe(202);
    const { runId } = (await submitted.json()) as { runId: string };
    let view: { status: string; gate: { passed: boolean; rules: { rule: string; actual: number }[] } | null } = {
      status: 'requested',
      gate: null,
    };
    const deadline = Date.now() + 90_000;
    while (view.status !== 'completed' || !view.gate) {
      if (Date.now() > deadline) throw new Error(`run ${runId} did not complete: ${JSON.stringify(view)}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const response = await call(`/v1/projects/default/runs/${runId}`);
      if (response.status === 200) view = (await response.json()) as typeof view;
      else expect(response.status).toBe(404); // not projected yet
    }
    expect(view.gate).toEqual({
      passed: false,
      rules: [expect.objectContaining({ rule: 'mean(exact_match) >= 0.9', passed: false })],
      baselineRunId: null,
      baselineSource: null,
    });
    expect(view.gate.rules[0]!.actual).toBeCloseTo(2 / 3, 6);
    const cases = (await (await call(`/v1/projects/default/runs/${runId}/cases`)).json()) as {
      items: { caseId: string }[];
    };
    expect(cases.items.map((c) => c.caseId)).toEqual(['a', 'b', 'c']);
    const comparison = (await (await call(`/v1/projects/default/runs/${runId}/compare/${runId}`)).json()) as {
      configurationChanges: string[];
      metrics: { meanDelta: number }[];
    };
    expect(comparison.configurationChanges).toEqual([]);
    expect(comparison.metrics.map((m) => m.meanDelta)).toEqual([0, 0]);
  });

  it('answers the same Idempotency-Key and body with the same run, and a changed body with 422', async () => {
    const key = `retry-${randomBytes(4).toString('hex')}`;
    const first = await call('/v1/projects/default/runs', {
      method: 'POST',
      body: JSON.stringify(run),
      headers: { 'idempotency-key': key },
    });
    const again = await call('/v1/projects/default/runs', {
      method: 'POST',
      body: JSON.stringify(run),
      headers: { 'idempotency-key': key },
    });
    expect(again.status).toBe(first.status);
    expect(await again.json()).toEqual(await first.json());
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    const changed = await call('/v1/projects/default/runs', {
      method: 'POST',
      body: JSON.stringify({ ...run, metrics: ['exact_match'] }),
      headers: { 'idempotency-key': key },
    });
    expect(changed.status).toBe(422);
  });

  it('keeps an Idempotency-Key per project and per tenant: each gets its own run, replayed to it alone', async () => {
    // Editor keys of another project of the same tenant, and of another tenant, as the gateway's read model holds them.
    const pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 1 });
    const hasher = new ApiKeySecretHasher(Buffer.from(secrets.E2E_PEPPER, 'utf8'));
    const editorOf = async (tenantId: string, projectId: string): Promise<string> => {
      const issued = issueApiKey({ tenantId, projectId, role: 'editor', name: 'e2e', expiresAt: null }, { hasher });
      await new PostgresApiKeyStore(pool).save(issued.record);
      return issued.plaintext;
    };
    const otherProject = `e2e-${randomBytes(4).toString('hex')}`;
    let inOtherProject: string;
    let inOtherTenant: string;
    try {
      inOtherProject = await editorOf('default', otherProject);
      inOtherTenant = await editorOf(`e2e-${randomBytes(4).toString('hex')}`, 'default');
    } finally {
      await pool.end();
    }
    const idempotencyKey = `shared-${randomBytes(4).toString('hex')}`;
    const submit = (project: string, key?: string, body: object = run): Promise<Response> =>
      call(`/v1/projects/${project}/runs`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'idempotency-key': idempotencyKey },
        ...(key ? { key } : {}),
      });

    const answers: Response[] = [];
    for (const [project, key] of [
      ['default', undefined],
      [otherProject, inOtherProject],
      ['default', inOtherTenant],
    ] as const) {
      const first = await submit(project, key);
      expect(first.status).toBe(202);
      expect(first.headers.get('idempotency-replayed')).toBeNull();
      answers.push(first);
    }
    const runIds = await Promise.all(answers.map(async (answer) => ((await answer.json()) as { runId: string }).runId));
    expect(new Set(runIds).size).toBe(3);
    const replays = [
      await submit('default'),
      await submit(otherProject, inOtherProject),
      await submit('default', inOtherTenant),
    ];
    expect(replays.map((replay) => replay.headers.get('idempotency-replayed'))).toEqual(['true', 'true', 'true']);
    expect(
      await Promise.all(replays.map(async (replay) => ((await replay.json()) as { runId: string }).runId)),
    ).toEqual(runIds);
    expect((await submit(otherProject, inOtherProject, { ...run, metrics: ['exact_match'] })).status).toBe(422);
  });

  it('refuses missing and forged credentials, other projects and bad input with problem details', async () => {
    const missing = await call('/v1/projects/default/runs', { key: null });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    expect((await call('/v1/projects/default/runs', { key: `${adminKey.slice(0, -4)}AAAA` })).status).toBe(401);
    expect((await call('/v1/projects/elsewhere/runs')).status).toBe(403);
    const unknownField = await call('/v1/projects/default/runs', {
      method: 'POST',
      body: JSON.stringify({ ...run, colour: 'blue' }),
    });
    expect(unknownField.status).toBe(400);
    expect(JSON.stringify(await unknownField.json())).toContain('colour');
    expect((await call('/v1/projects/default/runs', { method: 'POST', body: '{"dataset": ' })).status).toBe(400);
    const badRule = await call('/v1/projects/default/runs', {
      method: 'POST',
      body: JSON.stringify({ ...run, gate: { rules: ['mean(x) >= 0.8x'] } }),
    });
    expect(badRule.status).toBe(400);
    expect(((await badRule.json()) as { detail: string }).detail).toContain('column 15');
    const memoryExtra = await call('/v1/projects/default/runs', {
      method: 'POST',
      body: JSON.stringify({ ...run, memory: { use: true, since: 'yesterday' } }),
    });
    expect(memoryExtra.status).toBe(400);
    expect(JSON.stringify(await memoryExtra.json())).toContain('since');
    const unlearnable = await call('/v1/projects/default/runs', {
      method: 'POST',
      body: JSON.stringify({ ...run, gate: { rules: ['max(exact_match) >= baseline'] }, memory: { use: true } }),
    });
    expect(unlearnable.status).toBe(400);
    expect(((await unlearnable.json()) as { detail: string }).detail).toContain(
      `gate.rules[0] "max(exact_match) >= baseline": column 1: memory's learned baseline has no max`,
    );
    expect((await call(`/v1/projects/default/runs/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
    expect((await call(`/v1/projects/default/runs/'%20OR%201=1--`)).status).toBe(400);
  });

  it('lets an admin issue a viewer key that can read but not write, and revoke it at once', async () => {
    const issued = await call('/v1/projects/default/api-keys', {
      method: 'POST',
      body: JSON.stringify({ name: 'dashboard', role: 'viewer' }),
    });
    expect(issued.status).toBe(201);
    const { key, apiKeyId, prefix } = (await issued.json()) as { key: string; apiKeyId: string; prefix: string };
    expect(key).toMatch(/^evk_[0-9a-f]{12}_/);
    const listed = await (await call('/v1/projects/default/api-keys')).text();
    expect(listed).toContain(prefix);
    // Never the secret again (base64url: it may itself hold an underscore).
    expect(listed).not.toContain(key.slice('evk_'.length + 13));
    expect((await call('/v1/projects/default/runs', { key })).status).toBe(200);
    expect((await call('/v1/projects/default/runs', { key, method: 'POST', body: JSON.stringify(run) })).status).toBe(
      403,
    );
    expect(
      (
        await call('/v1/projects/default/api-keys', {
          key,
          method: 'POST',
          body: JSON.stringify({ name: 'x', role: 'admin' }),
        })
      ).status,
    ).toBe(403);
    expect((await call(`/v1/projects/default/api-keys/${apiKeyId}`, { method: 'DELETE' })).status).toBe(200);
    expect((await call('/v1/projects/default/runs', { key })).status).toBe(401);
    expect((await call('/v1/projects/default/api-keys/000000000000', { method: 'DELETE' })).status).toBe(404);
  });

  it('serves its OpenAPI document at /docs without credentials', async () => {
    const docs = await call('/docs', { key: null });
    expect(docs.status).toBe(200);
    expect(Object.keys(((await docs.json()) as { paths: object }).paths)).toContain(
      '/v1/projects/{project}/runs/{runId}',
    );
  });

  it('serves the published schemas in the Confluent Schema Registry API without credentials', async () => {
    const subjects = await call('/schema-registry/subjects', { key: null });
    expect(subjects.status).toBe(200);
    expect(subjects.headers.get('content-type')).toBe('application/vnd.schemaregistry.v1+json');
    expect(await subjects.json()).toContain('dev.evalvault.contracts.RunStarted');
    const write = await call('/schema-registry/subjects/x/versions', { key: null, method: 'POST', body: '{}' });
    expect([write.status, await write.json()]).toEqual([405, { error_code: 405, message: expect.any(String) }]);
  });
});
