/** One invalid input a problem names (`errors` of the gateway's problems): where, and what is wrong. */
export interface ProblemFieldError {
  path: string;
  message: string;
}

/**
 * A non-2xx answer, read as RFC 9457 problem details (application/problem+json): its status, title,
 * detail and field errors, plus the gateway's `code` and `type` when it gave them. An answer that is
 * not a problem keeps its status, the status text as title and (the start of) its text as detail.
 */
export class ApiProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | null,
    readonly errors: readonly ProblemFieldError[] = [],
    readonly code: string | null = null,
    readonly type: string | null = null,
  ) {
    super(`${status} ${title}${detail ? `: ${detail}` : ''}`);
    this.name = 'ApiProblemError';
  }

  /** Reads a failed response (consuming its body) as problem+json, or as whatever text it carried. */
  static async from(response: Response): Promise<ApiProblemError> {
    const text = await response.text().catch(() => '');
    let title = response.statusText || 'error';
    let detail: string | null = text.trim().slice(0, 300) || null;
    let errors: ProblemFieldError[] = [];
    let code: string | null = null;
    let type: string | null = null;
    try {
      const problem = JSON.parse(text) as Record<string, unknown>;
      if (typeof problem['title'] === 'string') title = problem['title'];
      detail =
        typeof problem['detail'] === 'string'
          ? problem['detail']
          : typeof problem['message'] === 'string' // the older `{message}` answers
            ? problem['message']
            : null;
      errors = fieldErrorsOf(problem['errors']);
      if (typeof problem['code'] === 'string') code = problem['code'];
      if (typeof problem['type'] === 'string') type = problem['type'];
    } catch {
      // not JSON: the text itself is the best detail there is
    }
    return new ApiProblemError(response.status, title, detail ? oneLine(detail) : null, errors, code, type);
  }
}

/** The server could not be reached (refused, reset, unknown host) on any attempt. */
export class ApiUnreachableError extends Error {
  constructor(
    readonly baseUrl: string,
    /** What fetch gave as the cause: `ECONNREFUSED`, `ENOTFOUND`, … */
    readonly reason: string,
  ) {
    super(`cannot reach ${baseUrl}: ${reason}`);
    this.name = 'ApiUnreachableError';
  }
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
