export {
  ServiceClientError,
  ServiceClientErrorCode,
  HTTP_STATUS_BY_CODE,
  isServiceClientErrorCode,
} from './service-client.errors.js';
export {
  INTERNAL_API_PREFIX,
  type OperationSpec,
  type OperationMap,
  type OperationHandlers,
  type ServiceClient,
  type ByteStream,
  type StreamMap,
  type StreamHandlers,
  type StreamingServiceClient,
} from './service-client.port.js';
export {
  INTERNAL_IDENTITY_HEADER,
  INTERNAL_IDENTITY_ISSUER,
  InternalIdentitySigner,
  InternalIdentityVerifier,
  isInternalIdentity,
  type InternalIdentity,
  type InternalIdentitySignerOptions,
  type InternalIdentityVerifierOptions,
} from './internal-identity.js';
export { PROBLEM_CONTENT_TYPE, type ProblemDetails } from './problem-details.js';
export { InProcessServiceClient } from './in-process-service-client.js';
export { HttpServiceClient, type HttpServiceClientOptions } from './http-service-client.js';
export { registerInternalApi, type InternalApiOptions, type ErrorLogger } from './internal-api.js';
