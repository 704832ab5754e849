import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import {
  migrateTestDatabase,
  startServiceProcess,
  stopRunsProcess,
  type RunsProcess,
} from '@evalvault/platform/testing';

// Three processes join consumer groups and score a run: a minute at worst on two cores.
jest.setTimeout(180_000);

type Json = Record<string, unknown>;

/**
 * The registry through the public API, in distributed mode: the gateway streams dataset uploads
 * to the registry, checks roles and validation, and pins a run's registered dataset version; the
 * runs service reads the cases from the content store; the registry learns the lineage over Kafka.
 */
describe('registry through the gateway', () => {
  const processes: RunsProcess[] = [];
  const adminKey = `evk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
  const secrets = {
    E2E_INTERNAL_SECRET: randomBytes(32).toString('base64url'),
    E2E_PEPPER: randomBytes(32).toString('base64url'),
  };
  const tag = randomBytes(4).toString('hex');
  let gateway: string;

  beforeAll(async () => {
    migrateTestDatabase();
    const shared = { ...secrets, EVALVAULT_INTERNAL_SECRET_REF: 'env:E2E_INTERNAL_SECRET' };
    const [runs, registry] = await Promise.all([
      startServiceProcess('runs', {
        ...shared,
        RUNS_CONSUMER_START: 'latest',
        RUNS_RELAY_START: 'latest',
        RUNS_RELAY_NAME: `e2e-${tag}`,
        RUNS_GROUP_PREFIX: `e2e-${tag}`,
        RUNS_BATCH_SIZE: '2',
      }),
      // Groups of its own: with the runs service's prefix, both services' read models shared one consumer
      // group and split its partitions.
      startServiceProcess('registry', {
        ...shared,
        REGISTRY_CONSUMER_START: 'latest',
        REGISTRY_RELAY_START: 'latest',
        REGISTRY_RELAY_NAME: `e2e-registry-${tag}`,
        REGISTRY_GROUP_PREFIX: `e2e-registry-${tag}`,
      }),
    ]);
    processes.push(runs, registry);
    // The registry's read model is a fresh group pinned at the end of its topics before the process listens,
    // so it sees every run this test submits without replaying the shared test topics first.
    const gatewayProcess = await startServiceProcess('gateway', {
      ...shared,
      EVALVAULT_API_KEY_PEPPER_REF: 'env:E2E_PEPPER',
      EVALVAULT_BOOTSTRAP_ADMIN_KEY: adminKey,
      RUNS_SERVICE_URL: runs.url,
      REGISTRY_SERVICE_URL: registry.url,
      GATEWAY_DATASET_UPLOAD_MAX_BYTES: String(2 * 1024 * 1024),
    });
    processes.push(gatewayProcess);
    gateway = gatewayProcess.url;
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => stopRunsProcess(p)));
  });

  async function call(
    path: string,
    init: { method?: string; key?: string; json?: unknown; ndjson?: string | ReadableStream<Uint8Array> } = {},
  ): Promise<{ status: number; body: Json }> {
    const headers: Record<string, string> = { authorization: `Bearer ${init.key ?? adminKey}` };
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    if (init.ndjson !== undefined) headers['content-type'] = 'application/x-ndjson';
    const body = init.json !== undefined ? JSON.stringify(init.json) : init.ndjson;
    const response = await fetch(`${gateway}${path}`, {
      method: init.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      duplex: 'half',
    } as RequestInit);
    return { status: response.status, body: (await response.json()) as Json };
  }

  async function eventually(path: string, done: (body: Json) => boolean, what: string): Promise<Json> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const { status, body } = await call(path);
      if (status === 200 && done(body)) return body;
      if (Date.now() > deadline) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  const caseOf = (n: number, answer = `Answer ${n}`) => ({
    id: `q${n}`,
    question: `Question ${n}?`,
    answer,
    contexts: [`Answer ${n} is right.`],
    ground_truth: `Answer ${n}`,
  });
  const project = '/v1/projects/default';

  it('streams a large JSONL upload, and the same cases as JSON are the same version', async () => {
    const name = `big-${tag}`;
    const lines = Array.from(
      { length: 4_000 },
      (_, n) => `${JSON.stringify({ ...caseOf(n), contexts: [`context ${n} `.repeat(20)] })}\n`,
    );
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < lines.length; at += 250)
          controller.enqueue(Buffer.from(lines.slice(at, at + 250).join('')));
        controller.close();
      },
    });
    const streamed = await call(`${project}/datasets?name=${name}&description=streamed`, { ndjson: stream });
    expect(streamed).toMatchObject({ status: 201, body: { kind: 'dataset', name, version: 1, created: true } });
    const asJson = await call(`${project}/datasets`, {
      json: { name, cases: lines.map((line) => JSON.parse(line) as unknown) },
    });
    expect(asJson).toEqual({ status: 200, body: { ...streamed.body, created: false } });

    const id = streamed.body['id'] as string;
    const version = await call(`${project}/datasets/${id}/versions/1`);
    expect(version.body).toMatchObject({
      contentHash: streamed.body['contentHash'],
      details: { format: 'jsonl', caseCount: 4_000, description: 'streamed' },
      approval: null,
    });
    const page = await call(`${project}/datasets/${id}/versions/1/cases?limit=2`);
    expect((page.body['items'] as Json[]).map((c) => c['id'])).toEqual(['q0', 'q1']);
    expect(typeof page.body['nextCursor']).toBe('string');
    expect((await call(`${project}/datasets`)).body['items']).toEqual(
      expect.arrayContaining([expect.objectContaining({ id, name, latestVersion: 1 })]),
    );
  });

  it('answers bad input with a clear 400, and a too-large upload with 413', async () => {
    const badLine = await call(`${project}/datasets?name=bad-${tag}`, {
      ndjson: `${JSON.stringify(caseOf(1))}\n{"question":"Q","answer":"A","contexts":"oops"}\n`,
    });
    expect(badLine).toMatchObject({
      status: 400,
      body: { code: 'INVALID_INPUT', detail: expect.stringContaining('line 2: contexts must be an array of strings') },
    });
    const wrongType = await call(`${project}/datasets`, {
      json: { name: 'typed', cases: [{ ...caseOf(1), answer: 42 }] },
    });
    expect(wrongType).toMatchObject({
      status: 400,
      body: { errors: [expect.objectContaining({ path: '/cases/0/answer' })] },
    });
    const unknownField = await call(`${project}/prompts`, { json: { name: 'p', template: 't', temperature: 1 } });
    expect(unknownField).toMatchObject({
      status: 400,
      body: { errors: [{ path: '/temperature', message: 'unknown field' }] },
    });
    const noName = await call(`${project}/datasets`, { ndjson: JSON.stringify(caseOf(1)) });
    expect(noName).toMatchObject({ status: 400, body: { detail: expect.stringContaining('?name=') } });
    const huge = await call(`${project}/datasets?name=huge-${tag}`, {
      ndjson: `${JSON.stringify(caseOf(1))}\n`.repeat(30_000),
    });
    expect(huge).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('lets viewers read but not register, and only approvers approve', async () => {
    const issue = async (role: string): Promise<string> =>
      (await call(`${project}/api-keys`, { json: { name: `${role}-${tag}`, role } })).body['key'] as string;
    const [viewer, editor] = [await issue('viewer'), await issue('editor')];
    const prompt = await call(`${project}/prompts`, {
      key: editor,
      json: { name: `prompt-${tag}`, template: 'Answer {{question}}' },
    });
    expect(prompt).toMatchObject({ status: 201, body: { kind: 'prompt', version: 1 } });
    const id = prompt.body['id'] as string;
    expect(
      (await call(`${project}/prompts`, { key: viewer, json: { name: `prompt-${tag}`, template: 'x' } })).status,
    ).toBe(403);
    expect((await call(`${project}/prompts/${id}/versions/1/approve`, { key: editor, json: {} })).status).toBe(403);
    expect((await call(`${project}/prompts/${id}/versions/2/approve`, { json: {} })).status).toBe(404);
    const approved = await call(`${project}/prompts/${id}/versions/1/approve`, { json: { comment: 'reviewed' } });
    expect(approved).toMatchObject({
      status: 200,
      body: {
        version: 1,
        approval: { comment: 'reviewed' },
        details: { template: 'Answer {{question}}', variables: ['question'] },
      },
    });
    expect((await call(`${project}/prompts/${id}/versions`, { key: viewer })).body['items']).toEqual([
      expect.objectContaining({ version: 1, approval: expect.objectContaining({ comment: 'reviewed' }) }),
    ]);
    const profile = await call(`${project}/model-profiles`, {
      key: editor,
      json: { name: `judge-${tag}`, provider: 'openai', model: 'gpt-4o-mini', parameters: { temperature: 0 } },
    });
    expect(profile).toMatchObject({ status: 201, body: { kind: 'model_profile', version: 1 } });
  });

  it('runs a registered dataset version by id and version, pinned to its content hash, as lineage', async () => {
    const registered = await call(`${project}/datasets`, {
      json: { name: `run-me-${tag}`, cases: [caseOf(1), caseOf(2), caseOf(3, 'wrong'), caseOf(4)] },
    });
    const { id, contentHash } = registered.body as { id: string; contentHash: string };
    const submitted = await call(`${project}/runs`, {
      json: {
        dataset: { id, version: 1, contentHash: 'f'.repeat(64) },
        metrics: ['exact_match'],
        gate: { rules: ['mean(exact_match) >= 0.7'] },
      },
    });
    expect(submitted.status).toBe(202);
    const runId = submitted.body['runId'] as string;
    // Completed, not failed, means the planner read the cases from the content store; the hash the client
    // sent was ignored for the registered one.
    const run = await eventually(
      `${project}/runs/${runId}`,
      (body) => body['status'] === 'completed',
      'the completed run',
    );
    expect(run).toMatchObject({ status: 'completed', lineage: { dataset: { id, version: 1, contentHash } } });
    // The registry learns the run from the runs topic: its lineage.
    const version = await eventually(
      `${project}/datasets/${id}/versions/1`,
      (body) => (body['lineage'] as { runs: Json[] }).runs[0]?.['status'] === 'completed',
      'lineage of the completed run',
    );
    expect(version['lineage']).toEqual({
      total: 1,
      runs: [expect.objectContaining({ runId, status: 'completed', contentHash })],
    });

    const unknownVersion = await call(`${project}/runs`, {
      json: { dataset: { id, version: 9 }, metrics: ['exact_match'], gate: { rules: [] } },
    });
    expect(unknownVersion).toMatchObject({ status: 404 });
  });
});
