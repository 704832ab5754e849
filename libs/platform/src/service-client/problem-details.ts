import {
  codeForHttpStatus,
  isServiceClientErrorCode,
  ServiceClientError,
  ServiceClientErrorCode,
} from './service-client.errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details, plus our `code` so the caller rebuilds the same ServiceClientError. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ServiceClientErrorCode;
  /** Internal answers only: see ServiceClientError.foreign. */
  foreign?: true;
  /** Internal answers only: see ServiceClientError.publicCode. */
  publicCode?: string;
}

const TITLES: Readonly<Record<ServiceClientErrorCode, string>> = {
  [ServiceClientErrorCode.Unauthenticated]: 'Unauthenticated internal call',
  [ServiceClientErrorCode.Forbidden]: 'Forbidden',
  [ServiceClientErrorCode.NotFound]: 'Not found',
  [ServiceClientErrorCode.Conflict]: 'Conflict',
  [ServiceClientErrorCode.InvalidInput]: 'Invalid input',
  [ServiceClientErrorCode.Unavailable]: 'Service unavailable',
  [ServiceClientErrorCode.Internal]: 'Internal error',
};

export function problemFor(error: ServiceClientError): ProblemDetails {
  return {
    type: `urn:evalvault:problem:${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[error.code],
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(error.foreign ? { foreign: true as const } : {}),
    ...(error.publicCode ? { publicCode: error.publicCode } : {}),
  };
}

/** Reads an error answer back; tolerates bodies that are not ours (a proxy's HTML page, nothing). */
export function errorFromProblem(status: number, body: string): ServiceClientError {
  const problem = parseObject(body);
  const code = isServiceClientErrorCode(problem['code']) ? problem['code'] : codeForHttpStatus(status);
  const detail =
    typeof problem['detail'] === 'string'
      ? problem['detail']
      : typeof problem['title'] === 'string'
        ? problem['title']
        : `internal call answered HTTP ${status}`;
  const publicCode = typeof problem['publicCode'] === 'string' ? problem['publicCode'] : undefined;
  return new ServiceClientError(code, detail, {
    status,
    foreign: problem['foreign'] === true,
    ...(publicCode ? { publicCode } : {}),
  });
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
