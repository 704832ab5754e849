import { randomBytes, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { pino } from 'pino';
import { DataSource } from 'typeorm';
import { EventCodec } from '@evalvault/contracts';
import {
  HttpServiceClient,
  INTERNAL_IDENTITY_HEADER,
  InternalIdentitySigner,
  InternalIdentityVerifier,
  migrateContentStore,
  migrateEventStore,
  PostgresContentStore,
  PostgresEventStore,
  registerInternalApi,
  runMigrations,
  ServiceClientError,
  type InternalIdentity,
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { DATASET_UPLOAD_PATH, type RegisteredVersion, type RegistryOperations } from '@evalvault/service-apis';
import { RegistryProjection } from '../projection/registry.projection.js';
import { RegistryQueries } from '../projection/registry.queries.js';
import { REGISTRY_READ_MODEL_MIGRATIONS, REGISTRY_SCHEMA } from '../migrations/registry.migrations.js';
import { RegistryCommands } from '../resource/registry.commands.js';
import { resourceRepository } from '../resource/resource.repository.js';
import { registerDatasetUploadApi } from './dataset-upload.route.js';
import { registryOperationHandlers } from './registry-internal-api.js';
import { ApprovalPolicy } from '../pinning/approval-policy.js';
import { ProjectPolicies } from '../policy/project-policies.js';
import { projectPolicyRepository } from '../policy/project-policy.repository.js';

/** The registry's internal API over real HTTP on the real PostgreSQL, as the gateway calls it. */
describe('registry internal API', () => {
  const secret = randomBytes(32);
  const signer = new InternalIdentitySigner({ secret });
  let fastify: FastifyInstance;
  let base: string;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let content: PostgresContentStore;
  let client: HttpServiceClient<RegistryOperations>;

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await migrateContentStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), REGISTRY_SCHEMA, REGISTRY_READ_MODEL_MIGRATIONS);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), logging: false }).initialize();
    store = new PostgresEventStore(pool, new EventCodec());
    content = new PostgresContentStore(pool, { chunkSize: 4096 });
    const logger = pino({ level: 'silent' });
    const commands = new RegistryCommands(
      resourceRepository(store, { now: Date.now, newId: randomUUID }),
      content,
      new RegistryProjection(dataSource),
      { maxBytes: 200_000, maxLineBytes: 50_000 },
      logger,
    );
    const verifier = new InternalIdentityVerifier({ secret, serviceName: 'registry' });
    fastify = Fastify();
    registerDatasetUploadApi(fastify, { commands, verifier, newId: randomUUID, logger });
    registerInternalApi(fastify, {
      handlers: registryOperationHandlers(
        commands,
        new RegistryQueries(dataSource, content),
        randomUUID,
        new ProjectPolicies(projectPolicyRepository(store, { now: Date.now, newId: randomUUID }), ApprovalPolicy.NONE),
      ),
      verifier,
      logger,
    });
    base = await fastify.listen({ port: 0, host: '127.0.0.1' });
    client = new HttpServiceClient<RegistryOperations>({ serviceName: 'registry', baseUrl: base, signer });
  });

  afterAll(async () => {
    await fastify.close();
    await store.close();
    await dataSource.destroy();
    await pool.end();
  });

  const scope = (projectId = 'checkout', roles = ['editor']) => ({
    tenantId: `tenant-${randomUUID()}`,
    projectId,
    roles,
  });
  const identity = (
    s: { tenantId: string; projectId: string; roles: string[] },
    roles = s.roles,
  ): InternalIdentity => ({
    tenantId: s.tenantId,
    projectId: s.projectId,
    roles: roles as InternalIdentity['roles'],
    actor: { subject: 'alice', authMethod: 'api_key', apiKeyId: null },
  });
  const failure = (promise: Promise<unknown>): Promise<string> =>
    promise.then(
      () => 'resolved',
      (error: ServiceClientError) => `${error.code} ${error.status} ${error.message}`,
    );
  const line = (n: number, answer = `answer ${n}`): string =>
    JSON.stringify({ id: `c${n}`, question: `Q${n}?`, answer, contexts: [`ctx ${n}`], ground_truth: `answer ${n}` });

  async function upload(
    who: InternalIdentity,
    name: string,
    body: string | AsyncIterable<Uint8Array>,
  ): Promise<{ status: number; json: RegisteredVersion & { detail?: string; code?: string } }> {
    const response = await fetch(`${base}${DATASET_UPLOAD_PATH}?name=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-ndjson',
        [INTERNAL_IDENTITY_HEADER]: await signer.sign(who, 'registry'),
      },
      body: typeof body === 'string' ? body : ReadableStream.from(body),
      duplex: 'half',
    } as RequestInit);
    return { status: response.status, json: (await response.json()) as RegisteredVersion & { detail?: string } };
  }

  it('registers a dataset once per content: identical content, same version; changed content, the next', async () => {
    const who = identity(scope());
    const cases = Array.from({ length: 120 }, (_, n) => line(n)).join('\n');
    const first = await upload(who, 'qa-golden', cases);
    expect(first).toMatchObject({
      status: 200,
      json: { kind: 'dataset', name: 'qa-golden', version: 1, created: true },
    });
    expect(await content.has(first.json.contentHash)).toBe(true);

    // The same cases, reformatted and streamed in small pieces, are the same content.
    const reformatted = Array.from({ length: 120 }, (_, n) =>
      JSON.stringify(
        { ground_truth: `answer ${n}`, contexts: [`ctx ${n}`], answer: `answer ${n}`, question: `Q${n}?`, id: `c${n}` },
        null,
        0,
      ),
    ).join('\r\n');
    async function* pieces(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < reformatted.length; at += 777) yield Buffer.from(reformatted.slice(at, at + 777));
    }
    const again = await upload(who, 'qa-golden', pieces());
    expect(again.json).toEqual({ ...first.json, created: false });

    const changed = await upload(who, 'qa-golden', `${cases}\n${line(120)}`);
    expect(changed.json).toMatchObject({ id: first.json.id, version: 2, created: true });
    expect(changed.json.contentHash).not.toBe(first.json.contentHash);

    const v1 = await client.call('getVersion', { kind: 'dataset', id: first.json.id, version: 1 }, who);
    expect(v1).toMatchObject({
      version: 1,
      contentHash: first.json.contentHash,
      registeredBy: 'alice',
      approval: null,
      details: { format: 'jsonl', caseCount: 120 },
      lineage: { total: 0, runs: [] },
    });
    expect(await client.call('getResource', { kind: 'dataset', id: first.json.id }, who)).toMatchObject({
      name: 'qa-golden',
      latestVersion: 2,
    });
    expect(
      (await client.call('listVersions', { kind: 'dataset', id: first.json.id }, who)).items.map((v) => v.version),
    ).toEqual([2, 1]);
  });

  it('pages through a version’s cases from the content store', async () => {
    const who = identity(scope());
    const { json } = await upload(who, 'paged', Array.from({ length: 7 }, (_, n) => line(n)).join('\n'));
    const first = await client.call('getDatasetCases', { id: json.id, version: 1, limit: 3 }, who);
    expect(first.items.map((c) => c.id)).toEqual(['c0', 'c1', 'c2']);
    expect(first.items[0]).toEqual({
      id: 'c0',
      question: 'Q0?',
      answer: 'answer 0',
      contexts: ['ctx 0'],
      ground_truth: 'answer 0',
    });
    const second = await client.call(
      'getDatasetCases',
      { id: json.id, version: 1, limit: 3, cursor: first.nextCursor! },
      who,
    );
    const third = await client.call(
      'getDatasetCases',
      { id: json.id, version: 1, limit: 3, cursor: second.nextCursor! },
      who,
    );
    expect([...second.items, ...third.items].map((c) => c.id)).toEqual(['c3', 'c4', 'c5', 'c6']);
    expect(third.nextCursor).toBeNull();
    expect(await failure(client.call('getDatasetCases', { id: json.id, version: 1, cursor: 'bogus' }, who))).toMatch(
      /^INVALID_INPUT 400 cursor/,
    );
  });

  it('refuses a bad upload naming its lines, and registers nothing', async () => {
    const who = identity(scope());
    const bad = await upload(
      who,
      'broken',
      [line(1), '{"question": "Q", "answer": 3, "contexts": []}', 'not json', line(4)].join('\n'),
    );
    expect(bad.status).toBe(400);
    expect(bad.json.detail).toMatch(
      /2 invalid case\(s\): line 2: answer must be a non-empty string, got number; line 3: invalid JSON/,
    );
    expect((await client.call('listResources', { kind: 'dataset' }, who)).items).toEqual([]);
    const tooBig = await upload(who, 'huge', Array.from({ length: 3000 }, (_, n) => line(n)).join('\n'));
    expect(tooBig.status).toBe(413);
    expect((await upload(who, ' spaced', line(1))).json.detail).toMatch(/name: no leading or trailing spaces/);
  });

  it('versions prompts and model profiles by content', async () => {
    const who = identity(scope());
    const p1 = await client.call(
      'registerPrompt',
      { name: 'answer', template: 'Answer {{question}} using {{context}}' },
      who,
    );
    expect(p1).toMatchObject({ kind: 'prompt', version: 1, created: true });
    expect(
      await client.call(
        'registerPrompt',
        { name: 'answer', template: 'Answer {{question}} using {{context}}', variables: ['context', 'question'] },
        who,
      ),
    ).toEqual({ ...p1, created: false });
    expect(
      await client.call(
        'registerPrompt',
        { name: 'answer', template: 'Answer briefly: {{question}} using {{context}}' },
        who,
      ),
    ).toMatchObject({ id: p1.id, version: 2 });
    expect((await client.call('getVersion', { kind: 'prompt', id: p1.id, version: 1 }, who)).details).toEqual({
      template: 'Answer {{question}} using {{context}}',
      variables: ['context', 'question'],
    });

    const m1 = await client.call(
      'registerModelProfile',
      { name: 'judge', provider: 'openai', model: 'gpt-4o-mini', parameters: { temperature: 0, max_tokens: 256 } },
      who,
    );
    expect(
      await client.call(
        'registerModelProfile',
        { name: 'judge', provider: 'openai', model: 'gpt-4o-mini', parameters: { max_tokens: 256, temperature: 0 } },
        who,
      ),
    ).toEqual({ ...m1, created: false });
    expect(
      await client.call(
        'registerModelProfile',
        { name: 'judge', provider: 'openai', model: 'gpt-4o', parameters: { temperature: 0, max_tokens: 256 } },
        who,
      ),
    ).toMatchObject({ version: 2 });
    expect((await client.call('listResources', { kind: 'model_profile' }, who)).items).toEqual([
      expect.objectContaining({ id: m1.id, name: 'judge', latestVersion: 2 }),
    ]);
    expect(
      await failure(
        client.call(
          'registerModelProfile',
          { name: 'judge', provider: 'openai', model: 'm', parameters: { api_key: 'sk-live' } },
          who,
        ),
      ),
    ).toMatch(/^INVALID_INPUT 400 parameters.api_key/);
    expect(
      await failure(client.call('registerPrompt', { name: 'answer', template: 42 as unknown as string }, who)),
    ).toMatch(/^INVALID_INPUT 400 template/);
  });

  it('approves only registered versions, and only for approvers', async () => {
    const project = scope();
    const editor = identity(project);
    const approver = identity(project, ['approver']);
    const { id } = await client.call('registerPrompt', { name: 'needs-review', template: 'Hi {{name}}' }, editor);
    expect(await failure(client.call('approveVersion', { kind: 'prompt', id, version: 1 }, editor))).toMatch(
      /^FORBIDDEN 403/,
    );
    expect(await failure(client.call('approveVersion', { kind: 'prompt', id, version: 2 }, approver))).toMatch(
      /^NOT_FOUND 404/,
    );
    expect(await failure(client.call('approveVersion', { kind: 'dataset', id, version: 1 }, approver))).toMatch(
      /^NOT_FOUND 404/,
    );
    expect(
      await failure(client.call('approveVersion', { kind: 'prompt', id: randomUUID(), version: 1 }, approver)),
    ).toMatch(/^NOT_FOUND 404/);
    const view = await client.call(
      'approveVersion',
      { kind: 'prompt', id, version: 1, comment: 'looks right' },
      approver,
    );
    expect(view.approval).toEqual({ approvedBy: 'alice', approvedAt: expect.any(String), comment: 'looks right' });
    const events = await store.readStream(`prompt-${id}`);
    expect(events.map((r) => r.event.type)).toEqual(['PromptVersionRegistered', 'RegistryVersionApproved']);
    await client.call('approveVersion', { kind: 'prompt', id, version: 1 }, approver);
    expect(await store.readStream(`prompt-${id}`)).toHaveLength(2); // approved once
  });

  it('rejects a version for approvers, with a reason; a rejected version is never approved again', async () => {
    const project = scope();
    const editor = identity(project);
    const approver = identity(project, ['approver']);
    const admin = identity(project, ['admin']);
    const { id } = await client.call('registerPrompt', { name: 'greeting', template: 'Hello {{name}}' }, editor);
    await client.call('approveVersion', { kind: 'prompt', id, version: 1 }, approver);
    await client.call('registerPrompt', { name: 'greeting', template: 'Hello {{name}}, {{email}}' }, editor);

    expect(
      await failure(client.call('rejectVersion', { kind: 'prompt', id, version: 2, reason: 'leaks email' }, editor)),
    ).toMatch(/^FORBIDDEN 403/);
    expect(
      await failure(client.call('rejectVersion', { kind: 'prompt', id, version: 2, reason: '  ' }, approver)),
    ).toMatch(/^INVALID_INPUT 400 reason/);
    expect(
      await failure(client.call('rejectVersion', { kind: 'prompt', id, version: 3, reason: 'x' }, approver)),
    ).toMatch(/^NOT_FOUND 404/);
    expect(
      await failure(client.call('rejectVersion', { kind: 'prompt', id, version: 1, reason: 'too late' }, approver)),
    ).toMatch(/^CONFLICT 409 .*already approved/);

    const view = await client.call(
      'rejectVersion',
      { kind: 'prompt', id, version: 2, reason: 'leaks email' },
      approver,
    );
    expect(view).toMatchObject({
      version: 2,
      approval: null,
      rejection: { rejectedBy: 'alice', rejectedAt: expect.any(String), reason: 'leaks email' },
    });
    expect(await failure(client.call('approveVersion', { kind: 'prompt', id, version: 2 }, admin))).toMatch(
      /^CONFLICT 409 .*already rejected/,
    );
    await client.call('rejectVersion', { kind: 'prompt', id, version: 2, reason: 'again' }, admin);
    const events = await store.readStream(`prompt-${id}`);
    expect(events.map((r) => r.event.type)).toEqual([
      'PromptVersionRegistered',
      'RegistryVersionApproved',
      'PromptVersionRegistered',
      'RegistryVersionRejected',
    ]);
    const listed = await client.call('listVersions', { kind: 'prompt', id }, editor);
    expect(listed.items.map((v) => [v.version, v.approval !== null, v.rejection?.reason ?? null])).toEqual([
      [2, false, 'leaks email'],
      [1, true, null],
    ]);

    // `approved` is the newest approved version, never the rejected one; naming it in a project that runs
    // approved versions only is refused with the reason.
    const approved = await client.call('pinRunVersions', { prompt: { id, label: 'approved' } }, editor);
    expect(approved.prompt).toMatchObject({ id, version: 1 });
    await client.call('setProjectPolicy', { approvedVersionsOnly: true, reason: 'production' }, admin);
    expect(await failure(client.call('pinRunVersions', { prompt: { id, version: 2 } }, editor))).toMatch(
      /^INVALID_INPUT 422 prompt greeting v2 .* was rejected \(leaks email\)/,
    );
  });

  it('answers not found for another tenant’s or project’s resources, and flags them as foreign', async () => {
    const owner = scope();
    const who = identity(owner);
    const { json } = await upload(who, 'private', line(1));
    const prompt = await client.call('registerPrompt', { name: 'private', template: 't' }, who);
    const outsiders = [identity(scope(), ['approver']), identity({ ...owner, projectId: 'other-project' }, ['admin'])];
    for (const outsider of outsiders) {
      for (const call of [
        client.call('getResource', { kind: 'dataset', id: json.id }, outsider),
        client.call('getVersion', { kind: 'dataset', id: json.id, version: 1 }, outsider),
        client.call('listVersions', { kind: 'prompt', id: prompt.id }, outsider),
        client.call('getDatasetCases', { id: json.id, version: 1 }, outsider),
        client.call('approveVersion', { kind: 'prompt', id: prompt.id, version: 1 }, outsider),
        client.call('rejectVersion', { kind: 'prompt', id: prompt.id, version: 1, reason: 'no' }, outsider),
      ]) {
        const error = await call.then(
          () => null,
          (e: ServiceClientError) => e,
        );
        expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404, foreign: true });
      }
      expect((await client.call('listResources', { kind: 'dataset' }, outsider)).items).toEqual([]);
    }
    // The same name elsewhere is another resource with its own versions.
    expect((await upload(outsiders[0]!, 'private', line(1))).json).toMatchObject({
      version: 1,
      created: true,
      contentHash: json.contentHash,
    });
    expect((await upload(outsiders[0]!, 'private', line(1))).json.id).not.toBe(json.id);
  });
});
