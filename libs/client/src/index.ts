export {
  createEvalVaultClient,
  dataOf,
  DEFAULT_ATTEMPTS,
  TRANSIENT_STATUSES,
  type ApiPath,
  type AuthorizationSource,
  type EvalVaultClient,
  type EvalVaultClientOptions,
  type RawRequest,
} from './client.js';
export { ApiProblemError, ApiUnreachableError, type ProblemFieldError } from './problem.js';
export type { components, operations, paths } from './generated/openapi.js';
