import { HttpException } from '@nestjs/common';
import type { ProblemDetails } from '@evalvault/platform';
import {
  FASTIFY_CODE_ALIASES,
  isProblemCode,
  PROBLEM_CODES,
  problemCodeForStatus,
  problemType,
} from './problem-codes.js';
import { narrowOneOfErrors } from './one-of-errors.js';
import {
  isRequestValidationError,
  validationErrors,
  type FieldError,
  type RequestValidationError,
} from './validation.js';

/** RFC 9457 problem details as the public API answers them: the platform's shape, any public code. */
export interface PublicProblem extends Omit<ProblemDetails, 'code'> {
  code: string;
  instance: string;
  errors?: FieldError[];
}

export interface ProblemAnswer {
  problem: PublicProblem;
  headers: Record<string, string>;
  /** Set when the error is ours, not the caller's: it is logged, and the client only sees a generic detail. */
  internal?: unknown;
}

/** Our 4xx HttpExceptions, and errors carrying a public code, may say what went wrong; a 5xx never does. */
const GENERIC_DETAIL: Record<string, string> = {
  UNAVAILABLE: 'The service is temporarily unavailable; retry later.',
};
const INTERNAL_DETAIL = 'An unexpected error occurred; it has been logged.';

/** The request a validation error is about: its parsed body and the route's body schema. */
export interface RequestInput {
  body?: unknown;
  bodySchema?: unknown;
}

/** Any thrown thing → the problem to answer with. Pure, so every branch is tested without a server. */
export function problemFor(error: unknown, instance: string, input: RequestInput = {}): ProblemAnswer {
  const { status, code, title, detail, errors } = classify(error, input);
  const headers: Record<string, string> = {};
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  const hidden = status >= 500;
  const problem: PublicProblem = {
    type: problemType(code),
    title,
    status,
    detail: hidden ? (GENERIC_DETAIL[code] ?? INTERNAL_DETAIL) : detail,
    instance,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
  return hidden ? { problem, headers, internal: error } : { problem, headers };
}

interface Classified {
  status: number;
  code: string;
  title: string;
  detail: string;
  errors?: FieldError[];
}

function classify(error: unknown, input: RequestInput): Classified {
  // Nest wraps Fastify's 4xx errors (bad JSON, body too large) in an HttpException; the cause says which.
  const cause = error instanceof HttpException ? error.cause : undefined;
  const source = cause !== undefined && codeOf(cause) !== undefined ? cause : error;

  if (isRequestValidationError(source)) {
    const errors = validationErrors(narrowed(source, input));
    return { ...known('INVALID_INPUT'), detail: `The request has ${errors.length} invalid field(s).`, errors };
  }
  const code = codeOf(source);
  if (code === 'PAYLOAD_TOO_LARGE') return { ...known(code), detail: `${messageOf(source)}. ${TOO_LARGE_HINT}` };
  if (code !== undefined) return { ...known(code), detail: messageOf(source), ...detailsOf(source) };
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return { status, ...problemCodeForStatus(status), detail: error.message };
  }
  return { ...known('INTERNAL'), detail: INTERNAL_DETAIL };
}

/** A body's failed oneOf: only the branch the client meant (one-of-errors.ts). */
function narrowed(error: RequestValidationError, input: RequestInput): RequestValidationError {
  const isBody = !error.validationContext || error.validationContext === 'body';
  if (!isBody || input.bodySchema === undefined) return error;
  return { ...error, validation: narrowOneOfErrors(error.validation, input.body, input.bodySchema) };
}

/** What to do instead of sending a body over the limit (GATEWAY_BODY_LIMIT_BYTES). */
const TOO_LARGE_HINT =
  'Register a large dataset as a version ' +
  '(POST /v1/projects/{project}/datasets as application/x-ndjson, or "evalvault datasets push") ' +
  'and run it by reference ({"dataset": {"id": …, "version": …}}); "evalvault run" does this by itself';

function known(code: string): { status: number; code: string; title: string } {
  const entry = PROBLEM_CODES[code]!;
  return { status: entry.status, code, title: entry.title };
}

/**
 * The public code an error carries: an owning service's more precise one (ServiceClientError's
 * `publicCode`), else its own or one of Fastify's codes; undefined for anything else.
 */
function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const precise = (error as { publicCode?: unknown }).publicCode;
  if (isProblemCode(precise)) return precise;
  const raw = (error as { code?: unknown }).code;
  if (typeof raw !== 'string') return undefined;
  const code = FASTIFY_CODE_ALIASES[raw] ?? raw;
  return isProblemCode(code) ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error && error.message ? error.message : 'The request could not be completed.';
}

/** An error may already name its fields as `errors: [{path, message}]` (the message says the rest). */
function detailsOf(error: unknown): { errors?: FieldError[] } {
  const errors = (error as { errors?: unknown }).errors;
  return Array.isArray(errors) && errors.every(isFieldError) ? { errors } : {};
}

function isFieldError(value: unknown): value is FieldError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as FieldError).path === 'string' &&
    typeof (value as FieldError).message === 'string'
  );
}
