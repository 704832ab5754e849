import Fastify, { type FastifyInstance } from 'fastify';
import { isPublicRoute } from '../access/public-routes.js';
import { installSchemaRegistry } from './schema-registry.routes.js';

/** The routes' HTTP shape (Confluent's content type, error bodies); the answers: confluent-registry.spec. */
describe('schema registry routes', () => {
  let fastify: FastifyInstance;

  beforeAll(async () => {
    fastify = Fastify();
    installSchemaRegistry(fastify);
    await fastify.ready();
  });

  afterAll(() => fastify.close());

  it('answers in application/vnd.schemaregistry.v1+json', async () => {
    const subjects = await fastify.inject('/schema-registry/subjects');
    expect(subjects.statusCode).toBe(200);
    expect(subjects.headers['content-type']).toBe('application/vnd.schemaregistry.v1+json');
    expect(subjects.json()).toContain('dev.evalvault.contracts.RunStarted');
    const latest = await fastify.inject('/schema-registry/subjects/dev.evalvault.contracts.RunStarted/versions/latest');
    expect(latest.json()).toMatchObject({ subject: 'dev.evalvault.contracts.RunStarted', version: 1 });
    const { id } = latest.json<{ id: number }>();
    expect((await fastify.inject(`/schema-registry/schemas/ids/${id}`)).json()).toEqual({
      schema: expect.stringContaining('"name":"dev.evalvault.contracts.RunStarted"'),
    });
    expect((await fastify.inject('/schema-registry/config')).json()).toEqual({ compatibilityLevel: 'FULL_TRANSITIVE' });
  });

  it.each([
    ['GET', '/schema-registry/subjects/nope/versions', 404, 40401],
    ['GET', '/schema-registry/subjects/dev.evalvault.contracts.RunStarted/versions/x', 422, 42202],
    ['GET', '/schema-registry/schemas/ids/7', 404, 40403],
    ['GET', '/schema-registry/modes', 404, 404],
    ['POST', '/schema-registry/subjects/dev.evalvault.contracts.RunStarted/versions', 405, 405],
    ['DELETE', '/schema-registry/subjects/dev.evalvault.contracts.RunStarted', 405, 405],
  ] as const)('answers %s %s with %i and Confluent error code %i', async (method, url, status, errorCode) => {
    const response = await fastify.inject({
      method,
      url,
      payload: method === 'POST' ? { schema: '"string"' } : undefined,
    });
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toBe('application/vnd.schemaregistry.v1+json');
    expect(response.json()).toEqual({ error_code: errorCode, message: expect.any(String) });
  });

  it('is public in the gateway, like /docs (the schemas are the same for every tenant)', () => {
    expect(isPublicRoute('/schema-registry/schemas/ids/:id')).toBe(true);
    expect(isPublicRoute('/schema-registryx')).toBe(false);
  });
});
