import type { ProblemFieldError } from '@evalvault/client';
import { CliError } from '../errors.js';

export type { ProblemFieldError };

/** How many field errors the one-line reason spells out; the rest are printed above it. */
const ERRORS_IN_REASON = 3;

/**
 * An RFC 9457 problem the server answered with (the client's ApiProblemError, read the same way), kept
 * whole for callers that care about the status, as the CLI reports it.
 */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | null,
    readonly errors: readonly ProblemFieldError[] = [],
  ) {
    super(
      status === 401 || status === 403 ? 'auth' : 'api',
      reasonOf(status, title, detail, errors),
      detailsOf(errors),
    );
    this.name = 'ApiError';
  }
}

/** `400 Invalid input: The request has 1 invalid field(s). querystring/status: must be one of …`. */
function reasonOf(status: number, title: string, detail: string | null, errors: readonly ProblemFieldError[]): string {
  const fields = errors.slice(0, ERRORS_IN_REASON).map(describe);
  if (errors.length > ERRORS_IN_REASON) fields.push(`and ${errors.length - ERRORS_IN_REASON} more (above)`);
  const said = [detail, fields.join('; ')].filter(Boolean).join(' ');
  return `${status} ${title}${said ? `: ${said}` : ''}`;
}

const describe = (error: ProblemFieldError): string => `${error.path}: ${error.message}`;

const detailsOf = (errors: readonly ProblemFieldError[]): string[] =>
  errors.length > ERRORS_IN_REASON ? errors.map((error) => `evalvault: ${describe(error)}`) : [];
