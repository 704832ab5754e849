import { errorStatuses, PROBLEM_SCHEMA, problemResponses } from './problem-responses.js';
import type { JsonSchema, RouteDoc, RouteKey } from './route-doc.js';

type MediaTypes = Record<string, { schema?: unknown; example?: unknown }>;
type Operation = Record<string, unknown> & {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content?: MediaTypes };
  responses?: Record<string, { description?: string; content?: MediaTypes } | { $ref: string }>;
};
export interface OpenApiDocument {
  paths?: Record<string, Record<string, Operation>>;
  components?: Record<string, unknown>;
  security?: unknown;
  [key: string]: unknown;
}

/** The first segment after /v1 (and the project) names the group a route is listed under. */
const TAGS: Record<string, string> = {
  runs: 'Runs',
  datasets: 'Registry',
  prompts: 'Registry',
  'model-profiles': 'Registry',
  'notification-routes': 'Notifications',
  notifications: 'Notifications',
  exports: 'Exports',
  schedules: 'Schedules',
  'api-keys': 'Access',
  members: 'Access',
  'tenant-roles': 'Access',
  audit: 'Audit',
  memory: 'Memory',
};

const TAG_DESCRIPTIONS: Record<string, string> = {
  Runs: 'Evaluation runs: submit, follow, inspect, compare, cancel, retry',
  Registry: 'Versioned, content-hashed datasets, prompts and model profiles, and their approval',
  Notifications: 'Routes to Jira, PagerDuty, Teams and Slack, and the delivery log',
  Schedules: 'Scheduled evaluations (cron, time zone) and their drift watch',
  Exports: 'Completed runs pushed to Langfuse, MLflow and OTLP backends (Phoenix); deliveries in the delivery log',
  Access: 'API keys, project members and tenant roles (admins)',
  Memory: 'Domain Memory: facts, behaviours and learnings from runs; review, search, deletion, policy',
  Audit: "The tenant's tamper-evident audit log (auditors)",
  Operations: 'Liveness, readiness and metrics: no API credential',
};

export const IDEMPOTENCY_KEY_PARAMETER = {
  in: 'header',
  name: 'Idempotency-Key',
  required: false,
  schema: { type: 'string', minLength: 1, maxLength: 200 },
  description:
    'Makes a retried POST safe: the same key with the same request answers the first outcome again ' +
    '(`Idempotency-Replayed: true`), with another request 422. Per tenant and project.',
};

/**
 * The document @fastify/swagger made from the route schemas, completed from the routes'
 * documentation: summary, description, tag, the real success statuses (instead of one "Default
 * Response"), the problem+json errors each route can answer, security only where a credential is
 * needed, and examples. A route without documentation is still listed, marked so (openapi.contract.int.spec.ts
 * fails on it).
 */
export function describeApi(document: OpenApiDocument, docs: Readonly<Record<RouteKey, RouteDoc>>): OpenApiDocument {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    paths[path] = {};
    for (const [method, operation] of Object.entries(operations)) {
      const key = `${method.toUpperCase()} ${path}` as RouteKey;
      paths[path][method] = describeOperation(method, path, operation, docs[key] ?? undocumented(key));
    }
  }
  const { security: _global, ...rest } = document; // security is per operation: public routes need none
  return {
    ...rest,
    tags: Object.entries(TAG_DESCRIPTIONS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      ...document.components,
      schemas: { ...(document.components?.['schemas'] as object), Problem: PROBLEM_SCHEMA },
      responses: problemResponses(),
    },
  };
}

/** What a route no one documented yet is listed with: the document still lists every served route. */
export function undocumented(key: RouteKey): RouteDoc {
  return {
    summary: key,
    description: 'Not documented yet (services/gateway/src/docs/routes).',
    success: { 200: 'OK' },
  };
}

function describeOperation(method: string, path: string, operation: Operation, doc: RouteDoc): Operation {
  const segment = path.replace(/^\/v1\/(projects\/\{project\}\/)?/, '').split('/')[0] ?? '';
  const post = method === 'post' && !doc.public;
  const parameters = [...(operation.parameters ?? []), ...(post ? [IDEMPOTENCY_KEY_PARAMETER] : [])];
  const shape = { method, path, hasParameters: parameters.length > 0, hasBody: operation.requestBody !== undefined };
  const errors = Object.fromEntries(
    errorStatuses(shape, doc).map((status) => [status, { $ref: `#/components/responses/Problem${status}` }]),
  );
  return {
    ...operation,
    summary: doc.summary,
    description: doc.description,
    tags: [TAGS[segment] ?? 'Operations'],
    operationId: operationId(method, path),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.requestBody ? { requestBody: withExample(operation.requestBody, doc.example?.request) } : {}),
    security: doc.public ? [] : [{ bearer: [] }],
    responses: {
      ...successResponses(operation, doc),
      ...errors,
      default: { $ref: '#/components/responses/Unexpected' },
    },
  };
}

/** The documented success statuses, each keeping the schema the route declares for it (or the doc's). */
function successResponses(operation: Operation, doc: RouteDoc): Record<string, unknown> {
  const declared = operation.responses ?? {};
  return Object.fromEntries(
    Object.entries(doc.success).map(([status, description]) => {
      const declaredContent = (declared[status] as { content?: MediaTypes } | undefined)?.content;
      const content = declaredContent ?? contentOf(doc);
      const example = doc.example?.response;
      return [status, { description, ...(content ? { content: withExampleContent(content, example) } : {}) }];
    }),
  );
}

function contentOf(doc: RouteDoc): Record<string, { schema: JsonSchema }> | undefined {
  if (doc.successType) return { [doc.successType]: { schema: doc.response ?? { type: 'string' } } };
  return doc.response ? { 'application/json': { schema: doc.response } } : undefined;
}

function withExample(body: NonNullable<Operation['requestBody']>, example: unknown): Operation['requestBody'] {
  return example === undefined ? body : { ...body, content: withExampleContent(body.content ?? {}, example) };
}

function withExampleContent(content: MediaTypes, example: unknown): MediaTypes {
  const json = content['application/json'];
  if (example === undefined || !json) return content;
  return { ...content, 'application/json': { ...json, example } };
}

/** `POST /v1/projects/{project}/runs/{runId}/cancel` → `postRunsRunIdCancel`: stable, unique per route. */
function operationId(method: string, path: string): string {
  const words = path
    .replace(/^\/v1\/(projects\/\{project\}\/)?/, '')
    .split(/[/{}-]+/)
    .filter(Boolean);
  return method + words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
}
