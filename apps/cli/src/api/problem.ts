import { CliError } from '../errors.js';

/** An RFC 9457 problem the server answered with, kept whole for callers that care about the status. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | null,
  ) {
    super(status === 401 || status === 403 ? 'auth' : 'api', `${status} ${title}${detail ? `: ${detail}` : ''}`);
    this.name = 'ApiError';
  }
}

/** Reads a failed response as problem+json, or as whatever text it carried when it is not one. */
export async function problemFrom(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let title = response.statusText || 'error';
  let detail: string | null = text.trim().slice(0, 300) || null;
  try {
    const problem = JSON.parse(text) as { title?: unknown; detail?: unknown; message?: unknown };
    if (typeof problem.title === 'string') title = problem.title;
    detail =
      typeof problem.detail === 'string'
        ? problem.detail
        : typeof problem.message === 'string'
          ? problem.message
          : null;
  } catch {
    // not JSON: the text itself is the best detail there is
  }
  return new ApiError(response.status, title, detail ? oneLine(detail) : null);
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ');
