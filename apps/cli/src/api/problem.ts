import { CliError } from '../errors.js';

/** One invalid input a problem names (`errors` of the gateway's problems): where, and what is wrong. */
export interface ProblemFieldError {
  path: string;
  message: string;
}

/** How many field errors the one-line reason spells out; the rest are printed above it. */
const ERRORS_IN_REASON = 3;

/** An RFC 9457 problem the server answered with, kept whole for callers that care about the status. */
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

/** Reads a failed response as problem+json, or as whatever text it carried when it is not one. */
export async function problemFrom(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let title = response.statusText || 'error';
  let detail: string | null = text.trim().slice(0, 300) || null;
  let errors: ProblemFieldError[] = [];
  try {
    const problem = JSON.parse(text) as { title?: unknown; detail?: unknown; message?: unknown; errors?: unknown };
    if (typeof problem.title === 'string') title = problem.title;
    detail =
      typeof problem.detail === 'string'
        ? problem.detail
        : typeof problem.message === 'string'
          ? problem.message
          : null;
    errors = fieldErrorsOf(problem.errors);
  } catch {
    // not JSON: the text itself is the best detail there is
  }
  return new ApiError(response.status, title, detail ? oneLine(detail) : null, errors);
}

function fieldErrorsOf(value: unknown): ProblemFieldError[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((item): item is { path: unknown; message: unknown } => typeof item === 'object' && item !== null)
    .filter((item) => typeof item.message === 'string')
    .map((item) => ({
      path: typeof item.path === 'string' && item.path ? item.path : '/',
      message: oneLine(item.message as string),
    }));
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ');
