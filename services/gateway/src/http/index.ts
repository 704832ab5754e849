/** The gateway's HTTP edges: problem details, strict validation, Idempotency-Key, rate limits. */
export { installHttpEdges, gatewayFastifyOptions, requireJsonBody, type HttpEdgesOptions } from './http-edges.js';
export { loadHttpEdgesConfig, DEFAULT_BODY_LIMIT, type HttpEdgesConfig } from './http-edges.config.js';
export { ProblemDetailsFilter } from './problem-details.filter.js';
export { problemFor, type PublicProblem, type ProblemAnswer } from './problem.js';
export {
  PROBLEM_CODES,
  FASTIFY_CODE_ALIASES,
  EdgeError,
  problemCodeForStatus,
  problemType,
  type ProblemCode,
} from './problem-codes.js';
export {
  validationErrors,
  strictValidatorCompiler,
  closeObjects,
  isRequestValidationError,
  type FieldError,
} from './validation.js';
export { installRateLimit, rateLimitKey, OPERATIONS_PATHS, type RateLimitOptions } from './rate-limit.js';
export { tenantOf } from './tenant.js';
export {
  IdempotencyInterceptor,
  idempotencyKeyOf,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_REPLAYED_HEADER,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  projectOf,
} from './idempotency/idempotency.interceptor.js';
export {
  IdempotencyStore,
  idempotencyScope,
  TENANT_SCOPE,
  type Claim,
  type IdempotencyScope,
  type IdempotencyStoreOptions,
  type StoredResponse,
} from './idempotency/idempotency.store.js';
export { idempotencyMigration } from './idempotency/idempotency.migration.js';
export { idempotencyScopeMigration } from './idempotency/idempotency-scope.migration.js';
export { SecretBearing } from './idempotency/secret-bearing.js';
export { requestHash, canonicalJson } from './idempotency/request-hash.js';
