import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { DataSource } from 'typeorm';
import {
  InProcessServiceClient,
  migrateContentStore,
  migrateEventStore,
  PostgresContentStore,
  PostgresEventStore,
  runMigrations,
  ServiceClientError,
  type InternalIdentity,
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import type { RegistryOperations } from '@evalvault/service-apis';
import { registryOperationHandlers } from '../api/registry-internal-api.js';
import { REGISTRY_READ_MODEL_MIGRATIONS, REGISTRY_SCHEMA } from '../migrations/registry.migrations.js';
import { RegistryProjection } from '../projection/registry.projection.js';
import { RegistryQueries } from '../projection/registry.queries.js';
import { RegistryCommands } from '../resource/registry.commands.js';
import { resourceRepository } from '../resource/resource.repository.js';
import { ProjectPolicies } from '../policy/project-policies.js';
import { projectPolicyRepository } from '../policy/project-policy.repository.js';
import { ApprovalPolicy } from './approval-policy.js';

/**
 * A run's registry references made exact, and approval enforced where a project's policy asks
 * for it: the registry's pinRunVersions operation on the real PostgreSQL, as the gateway calls it.
 */
describe('pinning a run to registry versions', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let registry: InProcessServiceClient<RegistryOperations>;
  const strict = `tenant-${randomUUID()}`; // its project "checkout" runs approved versions only
  const who = (tenantId: string, projectId = 'checkout', roles = ['editor', 'approver']): InternalIdentity => ({
    tenantId,
    projectId,
    roles: roles as InternalIdentity['roles'],
    actor: { subject: 'alice', authMethod: 'api_key', apiKeyId: null },
  });
  const refused = (promise: Promise<unknown>): Promise<string> =>
    promise.then(
      () => 'resolved',
      (error: ServiceClientError) => `${error.status} ${error.message}`,
    );

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await migrateContentStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), REGISTRY_SCHEMA, REGISTRY_READ_MODEL_MIGRATIONS);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), logging: false }).initialize();
    store = new PostgresEventStore(pool);
    const content = new PostgresContentStore(pool);
    const commands = new RegistryCommands(
      resourceRepository(store, { now: Date.now, newId: randomUUID }),
      content,
      new RegistryProjection(dataSource),
      { maxBytes: 200_000, maxLineBytes: 50_000 },
      pino({ level: 'silent' }),
    );
    const policies = new ProjectPolicies(
      projectPolicyRepository(store, { now: Date.now, newId: randomUUID }),
      ApprovalPolicy.parse(`${strict}/checkout`),
    );
    const queries = new RegistryQueries(dataSource, content);
    const handlers = registryOperationHandlers(commands, queries, randomUUID, policies);
    registry = new InProcessServiceClient('registry', handlers);
  });
  afterAll(async () => {
    await store.close();
    await dataSource.destroy();
    await pool.end();
  });

  async function twoPromptVersions(tenantId: string) {
    const v1 = await registry.call(
      'registerPrompt',
      { name: 'answer', template: 'Answer {{question}}' },
      who(tenantId),
    );
    const v2 = await registry.call(
      'registerPrompt',
      { name: 'answer', template: 'Answer: {{question}}' },
      who(tenantId),
    );
    return { id: v1.id, v1, v2 };
  }

  it('resolves a prompt or model profile named by name or label to one exact version with its hash', async () => {
    const tenant = `tenant-${randomUUID()}`;
    const { id, v1, v2 } = await twoPromptVersions(tenant);
    const profile = await registry.call(
      'registerModelProfile',
      { name: 'judge', provider: 'openai', model: 'gpt-4o-mini', parameters: { temperature: 0 } },
      who(tenant),
    );
    const pin = (request: Parameters<typeof registry.call<'pinRunVersions'>>[1]) =>
      registry.call('pinRunVersions', request, who(tenant));

    const latest = { id, name: 'answer', version: 2, contentHash: v2.contentHash };
    expect(await pin({ prompt: { name: 'answer' }, modelProfile: { name: 'judge', label: 'latest' } })).toEqual({
      dataset: null,
      prompt: latest,
      modelProfile: { id: profile.id, name: 'judge', version: 1, contentHash: profile.contentHash },
      policy: null,
      modelProfileModel: 'openai:gpt-4o-mini',
    });
    expect((await pin({ prompt: { id, version: 1 } })).prompt).toEqual({
      ...latest,
      version: 1,
      contentHash: v1.contentHash,
    });
    await registry.call('approveVersion', { kind: 'prompt', id, version: 1 }, who(tenant));
    expect((await pin({ prompt: { name: 'answer', label: 'approved' } })).prompt?.version).toBe(1);
    expect(await refused(pin({ prompt: { name: 'missing' } }))).toMatch(/^404 prompt named missing not found/);
    expect(await refused(pin({ modelProfile: { name: 'judge', label: 'approved' } }))).toMatch(
      /^404 model_profile judge has no approved version/,
    );
  });

  it('refuses an unapproved version with 422 naming it where approval is required; pins it once approved', async () => {
    const { id } = await twoPromptVersions(strict);
    expect(await refused(registry.call('pinRunVersions', { prompt: { name: 'answer' } }, who(strict)))).toBe(
      `422 prompt answer v2 (${id}) is not approved; project checkout runs approved versions only`,
    );
    await registry.call('approveVersion', { kind: 'prompt', id, version: 2 }, who(strict));
    expect((await registry.call('pinRunVersions', { prompt: { name: 'answer' } }, who(strict))).prompt).toMatchObject({
      version: 2,
    });
    // Another project of the same tenant has no such policy.
    const elsewhere = who(strict, 'search');
    await registry.call('registerPrompt', { name: 'answer', template: 'Hi {{question}}' }, elsewhere);
    expect((await registry.call('pinRunVersions', { prompt: { name: 'answer' } }, elsewhere)).prompt).toMatchObject({
      version: 1,
    });
  });

  it("requires approval where the project's policy says so, and answers the policy runs are checked by", async () => {
    const tenant = `tenant-${randomUUID()}`;
    const { id } = await twoPromptVersions(tenant);
    const admin = who(tenant, 'checkout', ['admin']);
    const set = (request: Parameters<typeof registry.call<'setProjectPolicy'>>[1], identity = admin) =>
      registry.call('setProjectPolicy', request, identity);
    expect(await refused(set({ approvedVersionsOnly: true }, who(tenant)))).toMatch(/^403 .*needs the admin role/);
    expect(await refused(set({ allowedMetrics: ['faithfulness', 'fidelity'] }))).toMatch(
      /^400 allowedMetrics\[1\]: unknown metric "fidelity"/,
    );

    const view = await set({ approvedVersionsOnly: true, allowedModels: ['openai:*'], dailyCapUsd: 5, reason: 'prod' });
    expect(view).toEqual({
      projectId: 'checkout',
      revision: 1,
      allowedModels: ['openai:*'],
      allowedMetrics: null,
      dailyCapUsd: 5,
      monthlyCapUsd: null,
      approvedVersionsOnly: true,
      operatorRequiresApproval: false,
    });
    expect(await registry.call('getProjectPolicy', {}, who(tenant, 'checkout', ['viewer']))).toEqual(view);
    expect((await set({ approvedVersionsOnly: true, allowedModels: ['openai:*'], dailyCapUsd: 5 })).revision).toBe(1);
    expect(await refused(registry.call('pinRunVersions', { prompt: { name: 'answer' } }, who(tenant)))).toBe(
      `422 prompt answer v2 (${id}) is not approved; project checkout runs approved versions only`,
    );
    await registry.call('approveVersion', { kind: 'prompt', id, version: 2 }, who(tenant));
    const { revision, allowedModels, allowedMetrics, dailyCapUsd, monthlyCapUsd, approvedVersionsOnly } = view;
    expect(await registry.call('pinRunVersions', { prompt: { name: 'answer' } }, who(tenant))).toMatchObject({
      prompt: { version: 2 },
      policy: { revision, allowedModels, allowedMetrics, dailyCapUsd, monthlyCapUsd, approvedVersionsOnly },
      modelProfileModel: null,
    });
    // The operator's setting stays beneath the policy: a policy without approval does not lift it.
    await set({ dailyCapUsd: 100, approvedVersionsOnly: false }, who(strict, 'checkout', ['admin']));
    expect(await registry.call('getProjectPolicy', {}, who(strict))).toMatchObject({
      revision: 1,
      approvedVersionsOnly: false,
      operatorRequiresApproval: true,
    });
    await registry.call('registerPrompt', { name: 'strict', template: 'Q {{question}}' }, who(strict));
    expect(await refused(registry.call('pinRunVersions', { prompt: { name: 'strict' } }, who(strict)))).toMatch(
      /^422 prompt strict v1 .* is not approved/,
    );
  });
});
