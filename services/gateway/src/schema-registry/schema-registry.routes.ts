import type { FastifyInstance, FastifyReply } from 'fastify';
import { ConfluentRegistryView, type RegistryAnswer } from '@evalvault/contracts';

export const SCHEMA_REGISTRY_PREFIX = '/schema-registry';
const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
/** Our contracts check rejects a change that breaks backward or forward compatibility with any published version. */
const COMPATIBILITY = 'FULL_TRANSITIVE';

type Params = { subject: string; version: string; id: string };

/**
 * A read-only Confluent Schema Registry over libs/contracts' published schemas, for downstream
 * consumers that read our topics in Confluent framing (EVALVAULT_KAFKA_FRAMING=confluent) with a
 * Confluent deserializer. Public like /docs: the schemas are the same for every tenant and ship with
 * the contracts; Confluent clients send Basic credentials, which our auth does not take. The
 * rate limit per client address still applies. Hidden from /docs: this API is Confluent's, not ours.
 */
export function installSchemaRegistry(fastify: FastifyInstance, view = new ConfluentRegistryView()): void {
  const options = { schema: { hide: true } };
  const at = (path: string): string => `${SCHEMA_REGISTRY_PREFIX}${path}`;
  fastify.get(at('/subjects'), options, async (_request, reply) => send(reply, view.subjects()));
  fastify.get<{ Params: Params }>(at('/subjects/:subject/versions'), options, async (request, reply) =>
    send(reply, view.versions(request.params.subject)),
  );
  fastify.get<{ Params: Params }>(at('/subjects/:subject/versions/:version'), options, async (request, reply) =>
    send(reply, view.version(request.params.subject, request.params.version)),
  );
  fastify.get<{ Params: Params }>(at('/schemas/ids/:id'), options, async (request, reply) =>
    send(reply, view.schemaById(request.params.id)),
  );
  fastify.get(at('/config'), options, async (_request, reply) =>
    send(reply, { status: 200, body: { compatibilityLevel: COMPATIBILITY } }),
  );
  // Anything else under the prefix answers in Confluent's shape too; writes are refused: read-only.
  fastify.all(at('/*'), options, async (request, reply) =>
    request.method === 'GET' || request.method === 'HEAD'
      ? send(reply, { status: 404, body: { error_code: 404, message: 'HTTP 404 Not Found' } })
      : send(reply, { status: 405, body: { error_code: 405, message: 'HTTP 405 Method Not Allowed' } }),
  );
}

function send(reply: FastifyReply, answer: RegistryAnswer<unknown> | { status: 405; body: unknown }): FastifyReply {
  // Bytes, not a string: Fastify would append "; charset=utf-8" to Confluent's exact content type.
  return reply
    .code(answer.status)
    .type(CONTENT_TYPE)
    .send(Buffer.from(JSON.stringify(answer.body)));
}
