export enum RegistryErrorCode {
  NotFound = 'REGISTRY_NOT_FOUND',
  /** The resource exists in another tenant or project: answered as not found, and audited. */
  Foreign = 'REGISTRY_FOREIGN',
  InvalidInput = 'INVALID_INPUT',
  TooLarge = 'PAYLOAD_TOO_LARGE',
  Conflict = 'REGISTRY_CONFLICT',
  /** A run names an unapproved version in a project that runs approved versions only. */
  NotApproved = 'VERSION_NOT_APPROVED',
}

export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

export const invalidInput = (message: string, details: readonly string[] = []): RegistryError =>
  new RegistryError(RegistryErrorCode.InvalidInput, message, details);
