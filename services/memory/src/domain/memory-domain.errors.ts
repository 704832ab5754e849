/**
 * What a memory decider or the policy parser refuses, typed. The codes are the strings the
 * service's API errors use, so the service maps one to the other by code.
 */
export enum MemoryDomainErrorCode {
  /** The entry does not exist (or was forgotten: its text is gone for good). */
  NotFound = 'MEMORY_NOT_FOUND',
  /** Malformed input: a policy field, a triple, a score outside [0, 1]. */
  InvalidInput = 'INVALID_INPUT',
  /** The entry's state forbids the command (verifying a rejected fact). */
  Conflict = 'MEMORY_CONFLICT',
}

export class MemoryDomainError extends Error {
  constructor(
    readonly code: MemoryDomainErrorCode,
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'MemoryDomainError';
  }
}

export const domainInvalidInput = (message: string, details: readonly string[] = []): MemoryDomainError =>
  new MemoryDomainError(MemoryDomainErrorCode.InvalidInput, message, details);

export const domainNotFound = (what: string): MemoryDomainError =>
  new MemoryDomainError(MemoryDomainErrorCode.NotFound, `${what} not found`);

export const domainConflict = (message: string): MemoryDomainError =>
  new MemoryDomainError(MemoryDomainErrorCode.Conflict, message);
