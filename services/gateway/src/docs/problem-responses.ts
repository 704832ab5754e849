import type { JsonSchema, RouteDoc } from './route-doc.js';

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** Every error the gateway answers (http/problem.ts): RFC 9457 problem details with a code of ours. */
export const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'instance', 'code'],
  properties: {
    type: {
      type: 'string',
      description: 'urn:evalvault:problem:<code>',
      example: 'urn:evalvault:problem:invalid-input',
    },
    title: { type: 'string', example: 'Invalid input' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string', example: 'The request has 1 invalid field(s).' },
    instance: { type: 'string', description: 'The path the request was for', example: '/v1/projects/default/runs' },
    code: { type: 'string', description: 'A stable code to branch on', example: 'INVALID_INPUT' },
    errors: {
      type: 'array',
      description: 'Each invalid field: a JSON Pointer into the body, or `querystring/…`, `params/…`',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string', example: '/metrics/0' }, message: { type: 'string' } },
      },
    },
  },
};

/** What each error status means at this API, whichever route answers it. */
const MEANINGS: Record<number, string> = {
  400:
    'Invalid input: the body, query or path does not match the schema (`errors` names each field), ' +
    'or a value the owning service refuses.',
  401: 'No valid credential: send `Authorization: Bearer <API key or OIDC access token>`.',
  403:
    "The credential is valid but its roles do not allow this action here (the role matrix), or the action's " +
    'own rule refuses it.',
  404: 'Not found. A resource of another tenant or project answers exactly the same.',
  409:
    'Conflict: a request with the same `Idempotency-Key` is still in progress (retry after `Retry-After`), ' +
    'or the state of the resource forbids the action.',
  413: 'The body is larger than the limit (1 MiB by default; register large datasets as a version).',
  415: 'The body is in a media type this route does not take.',
  422:
    'Understood but refused: the `Idempotency-Key` was used with a different request, or the request breaks ' +
    "a rule of the resource (e.g. an unapproved version, or the project's policy).",
  429:
    'Too many requests from this tenant or caller, or too many refused credentials from this address: ' +
    'retry after `Retry-After` seconds.',
};

export const ERROR_STATUSES = Object.keys(MEANINGS).map(Number);

/** `components.responses`: one per status, and `Unexpected` for 500 and 503 (`detail` never holds internals). */
export function problemResponses(): Record<string, unknown> {
  const problem = (description: string) => ({
    description,
    content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
  });
  return {
    ...Object.fromEntries(ERROR_STATUSES.map((status) => [`Problem${status}`, problem(MEANINGS[status]!)])),
    Unexpected: problem('An unexpected error (500, logged), or an owning service unavailable (503: retry later).'),
  };
}

/** Just what the statuses depend on: the operation as @fastify/swagger wrote it. */
export interface OperationShape {
  method: string;
  path: string;
  hasParameters: boolean;
  hasBody: boolean;
}

/**
 * The error statuses a route can answer, from its shape (the HTTP edges answer them for every
 * route alike) and what its documentation adds: credentials and roles for non-public routes, 400
 * where there is input, 404 for a resource in the path, 413 and 415 with a body, and the
 * Idempotency-Key's 409 and 422 on POST.
 */
export function errorStatuses(shape: OperationShape, doc: RouteDoc): number[] {
  const statuses = new Set<number>(doc.errors ?? []);
  if (!doc.public) [401, 403, 429].forEach((status) => statuses.add(status));
  if (shape.hasParameters || shape.hasBody) statuses.add(400);
  if (/\{(?!project\})\w+\}/.test(shape.path)) statuses.add(404);
  if (shape.hasBody) [413, 415].forEach((status) => statuses.add(status));
  if (shape.method === 'post' && !doc.public) [400, 409, 422].forEach((status) => statuses.add(status));
  return [...statuses].sort((a, b) => a - b);
}
