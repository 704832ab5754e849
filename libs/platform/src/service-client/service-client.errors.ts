/** Why an internal call failed; the same codes arrive whether the owner ran in-process or over HTTP. */
export enum ServiceClientErrorCode {
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  InvalidInput = 'INVALID_INPUT',
  Unavailable = 'UNAVAILABLE',
  Internal = 'INTERNAL',
}

/** The one code ↔ HTTP status table: the internal API answers with it, the HTTP client reads it back. */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ServiceClientErrorCode, number>> = {
  [ServiceClientErrorCode.Unauthenticated]: 401,
  [ServiceClientErrorCode.Forbidden]: 403,
  [ServiceClientErrorCode.NotFound]: 404,
  [ServiceClientErrorCode.Conflict]: 409,
  [ServiceClientErrorCode.InvalidInput]: 400,
  [ServiceClientErrorCode.Unavailable]: 503,
  [ServiceClientErrorCode.Internal]: 500,
};

const KNOWN_CODES = new Set<string>(Object.values(ServiceClientErrorCode));

export function isServiceClientErrorCode(value: unknown): value is ServiceClientErrorCode {
  return typeof value === 'string' && KNOWN_CODES.has(value);
}

/**
 * For an answer without a usable code (a proxy's 502, a foreign 4xx): the code whose status it is,
 * gateway-style 5xx as UNAVAILABLE (worth retrying), anything else as INTERNAL.
 */
export function codeForHttpStatus(status: number): ServiceClientErrorCode {
  const exact = Object.entries(HTTP_STATUS_BY_CODE).find(([, known]) => known === status)?.[0];
  if (isServiceClientErrorCode(exact)) return exact;
  if (status === 502 || status === 504) return ServiceClientErrorCode.Unavailable;
  return ServiceClientErrorCode.Internal;
}

export interface ServiceClientErrorOptions {
  status?: number;
  cause?: unknown;
  /**
   * NOT_FOUND only: the resource exists but belongs to another tenant or project. The caller
   * still answers a plain 404 (existence is never revealed) but records the denied access.
   */
  foreign?: boolean;
  /**
   * A code of the public API naming this refusal more precisely than `code` (e.g. a run whose
   * metrics need an LLM judge the owner lacks): the gateway answers with it and its status.
   */
  publicCode?: string;
}

export class ServiceClientError extends Error {
  /** The HTTP status this error travels (or travelled) with; derived from the code unless received. */
  readonly status: number;
  readonly foreign: boolean;
  readonly publicCode: string | null;

  constructor(
    readonly code: ServiceClientErrorCode,
    message: string,
    options: ServiceClientErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ServiceClientError';
    this.status = options.status ?? HTTP_STATUS_BY_CODE[code];
    this.foreign = options.foreign === true && code === ServiceClientErrorCode.NotFound;
    this.publicCode = options.publicCode ?? null;
  }

  /** The owner's answer for another tenant's or project's resource: not found, and flagged for the audit log. */
  static foreign(message: string): ServiceClientError {
    return new ServiceClientError(ServiceClientErrorCode.NotFound, message, { foreign: true });
  }
}
