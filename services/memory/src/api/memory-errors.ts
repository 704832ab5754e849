import { ServiceClientError, ServiceClientErrorCode } from '@evalvault/platform';
import { ForeignStreamError } from '@evalvault/platform';
import { MemoryDomainError, MemoryDomainErrorCode } from '../domain/index.js';

export enum MemoryErrorCode {
  NotFound = 'MEMORY_NOT_FOUND',
  /** The entry exists in another tenant or project: answered as not found (and flagged foreign for the audit). */
  Foreign = 'MEMORY_FOREIGN',
  InvalidInput = 'INVALID_INPUT',
  Conflict = 'MEMORY_CONFLICT',
  Forbidden = 'FORBIDDEN',
}

export class MemoryError extends Error {
  constructor(
    readonly code: MemoryErrorCode,
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'MemoryError';
  }
}

export const invalidInput = (message: string, details: readonly string[] = []): MemoryError =>
  new MemoryError(MemoryErrorCode.InvalidInput, message, details);

export const notFound = (what: string): MemoryError => new MemoryError(MemoryErrorCode.NotFound, `${what} not found`);

const CODE_FOR: Record<Exclude<MemoryErrorCode, MemoryErrorCode.Foreign>, ServiceClientErrorCode> = {
  [MemoryErrorCode.NotFound]: ServiceClientErrorCode.NotFound,
  [MemoryErrorCode.InvalidInput]: ServiceClientErrorCode.InvalidInput,
  [MemoryErrorCode.Conflict]: ServiceClientErrorCode.Conflict,
  [MemoryErrorCode.Forbidden]: ServiceClientErrorCode.Forbidden,
};

const DOMAIN_CODE_FOR: Record<MemoryDomainErrorCode, ServiceClientErrorCode> = {
  [MemoryDomainErrorCode.NotFound]: ServiceClientErrorCode.NotFound,
  [MemoryDomainErrorCode.InvalidInput]: ServiceClientErrorCode.InvalidInput,
  [MemoryDomainErrorCode.Conflict]: ServiceClientErrorCode.Conflict,
};

/** Memory errors (the service's and the domain's) as the gateway should see them: one table. */
export function asServiceClientError(error: unknown): unknown {
  if (error instanceof MemoryError) {
    if (error.code === MemoryErrorCode.Foreign) return ServiceClientError.foreign(error.message);
    return new ServiceClientError(CODE_FOR[error.code], error.message);
  }
  if (error instanceof ForeignStreamError) return ServiceClientError.foreign('not found');
  if (error instanceof MemoryDomainError) return new ServiceClientError(DOMAIN_CODE_FOR[error.code], error.message);
  return error;
}

export function translated<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((error: unknown) => {
    throw asServiceClientError(error);
  });
}
