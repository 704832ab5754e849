import { STATUS_CODES } from 'node:http';
import { HTTP_STATUS_BY_CODE, ServiceClientErrorCode } from '@evalvault/platform';

export interface ProblemCode {
  status: number;
  title: string;
}

const shared = (code: ServiceClientErrorCode, title: string): ProblemCode => ({
  status: HTTP_STATUS_BY_CODE[code],
  title,
});

/**
 * The one table of public error codes: an error carrying one of these `code`s is answered with
 * its status; any other code (a pg `23505`, a Node `ECONNREFUSED`) is not ours to show and
 * becomes a 500. The codes the services share keep the platform's statuses, so an owning
 * service's ServiceClientError surfaces with the status it travelled with. For a bare status
 * (a Nest HttpException) the first code with that status is used, so generic codes come first.
 */
export const PROBLEM_CODES: Readonly<Record<string, ProblemCode>> = {
  [ServiceClientErrorCode.InvalidInput]: shared(ServiceClientErrorCode.InvalidInput, 'Invalid input'),
  MALFORMED_JSON: { status: 400, title: 'Malformed JSON body' },
  INVALID_GATE_RULE: { status: 400, title: 'Invalid gate rule' },
  INVALID_CURSOR: { status: 400, title: 'Invalid cursor' },
  INVALID_FILTER: { status: 400, title: 'Invalid filter' },
  INVALID_LIMIT: { status: 400, title: 'Invalid limit' },
  [ServiceClientErrorCode.Unauthenticated]: shared(ServiceClientErrorCode.Unauthenticated, 'Unauthenticated'),
  // A long response (SSE progress, streamed export) ended because its credential no longer holds.
  CREDENTIAL_REVOKED: { status: 401, title: 'Credential revoked' },
  CREDENTIAL_EXPIRED: { status: 401, title: 'Credential expired' },
  [ServiceClientErrorCode.Forbidden]: shared(ServiceClientErrorCode.Forbidden, 'Forbidden'),
  [ServiceClientErrorCode.NotFound]: shared(ServiceClientErrorCode.NotFound, 'Not found'),
  RUN_NOT_FOUND: { status: 404, title: 'Run not found' },
  [ServiceClientErrorCode.Conflict]: shared(ServiceClientErrorCode.Conflict, 'Conflict'),
  RUN_ALREADY_EXISTS: { status: 409, title: 'Run already exists' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, title: 'A request with this Idempotency-Key is in progress' },
  IDEMPOTENCY_SECRET_NOT_REPLAYED: {
    status: 409,
    title: 'The answer to this Idempotency-Key carried a secret and is not replayed',
  },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'Idempotency-Key reused with a different request' },
  VERSION_NOT_APPROVED: { status: 422, title: 'Registry version not approved' },
  // A run its project's policy does not allow: a metric, a model, or a spending cap already spent.
  POLICY_VIOLATION: { status: 422, title: "Refused by the project's policy" },
  // A run with LLM-judged metrics on a platform without a judge (EVALVAULT_JUDGE_PROVIDER unset).
  JUDGE_NOT_CONFIGURED: { status: 422, title: 'No LLM judge configured' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  [ServiceClientErrorCode.Internal]: shared(ServiceClientErrorCode.Internal, 'Internal error'),
  [ServiceClientErrorCode.Unavailable]: shared(ServiceClientErrorCode.Unavailable, 'Service unavailable'),
};

/**
 * Fastify's own error codes, named in our vocabulary (statuses still come from the table).
 * An empty JSON body is as malformed as a broken one.
 */
export const FASTIFY_CODE_ALIASES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_INPUT',
  FST_ERR_VALIDATION: 'INVALID_INPUT',
};

export function isProblemCode(code: unknown): code is string {
  return typeof code === 'string' && Object.hasOwn(PROBLEM_CODES, code);
}

/** The code and title for a status alone; statuses outside the table are named after their reason phrase. */
export function problemCodeForStatus(status: number): { code: string; title: string } {
  const known = Object.entries(PROBLEM_CODES).find(([, entry]) => entry.status === status);
  if (known) return { code: known[0], title: known[1].title };
  const phrase = STATUS_CODES[status] ?? 'Error';
  return { code: phrase.toUpperCase().replace(/[^A-Z0-9]+/g, '_'), title: phrase };
}

/** The URN convention of the platform's internal problems, for public ones. */
export function problemType(code: string): string {
  return `urn:evalvault:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

/** An error the HTTP edges raise themselves; its code is one of the table's. */
export class EdgeError extends Error {
  /** NOT_FOUND only: the resource exists in another tenant or project (answered as missing, audited). */
  readonly foreign: boolean;

  constructor(
    readonly code: string,
    message: string,
    options: { foreign?: boolean } = {},
  ) {
    super(message);
    this.name = 'EdgeError';
    this.foreign = options.foreign === true;
  }
}
