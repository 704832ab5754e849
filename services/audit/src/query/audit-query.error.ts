export type AuditQueryErrorCode = 'INVALID_CURSOR' | 'INVALID_FILTER' | 'INVALID_LIMIT';

/** A query the caller got wrong (maps to 400); never a database failure. */
export class AuditQueryError extends Error {
  constructor(
    readonly code: AuditQueryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuditQueryError';
  }
}
