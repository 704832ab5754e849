import { ServiceClientError, ServiceClientErrorCode } from '@evalvault/platform';
import { ContentNotFoundError } from '@evalvault/platform';
import { VERSION_NOT_APPROVED_STATUS } from '@evalvault/service-apis';
import { RegistryError, RegistryErrorCode } from '../resource/resource.errors.js';

/** Registry errors as the gateway should see them: one table. */
const CODE_FOR: Record<
  Exclude<RegistryErrorCode, RegistryErrorCode.Foreign | RegistryErrorCode.TooLarge | RegistryErrorCode.NotApproved>,
  ServiceClientErrorCode
> = {
  [RegistryErrorCode.NotFound]: ServiceClientErrorCode.NotFound,
  [RegistryErrorCode.InvalidInput]: ServiceClientErrorCode.InvalidInput,
  [RegistryErrorCode.Conflict]: ServiceClientErrorCode.Conflict,
};

export function asServiceClientError(error: unknown): unknown {
  if (error instanceof RegistryError) {
    if (error.code === RegistryErrorCode.Foreign) return ServiceClientError.foreign(error.message);
    // Travels as INVALID_INPUT with status 413, which the gateway answers as PAYLOAD_TOO_LARGE.
    if (error.code === RegistryErrorCode.TooLarge)
      return new ServiceClientError(ServiceClientErrorCode.InvalidInput, error.message, { status: 413 });
    // Travels as INVALID_INPUT with status 422, which the gateway answers as VERSION_NOT_APPROVED.
    if (error.code === RegistryErrorCode.NotApproved)
      return new ServiceClientError(ServiceClientErrorCode.InvalidInput, error.message, {
        status: VERSION_NOT_APPROVED_STATUS,
      });
    return new ServiceClientError(CODE_FOR[error.code], error.message);
  }
  // A registered version whose content is gone is the registry's fault, not the caller's.
  if (error instanceof ContentNotFoundError)
    return new ServiceClientError(
      ServiceClientErrorCode.Internal,
      'dataset content is missing from the content store',
      { cause: error },
    );
  return error;
}

export function translated<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((error: unknown) => {
    throw asServiceClientError(error);
  });
}
