export { AuthError, AUTH_ERROR_STATUS, isAuthError, type AuthErrorCode } from './auth.errors.js';
export { ROLES, TENANT_ROLES, isRole, isTenantRole, type Principal, type Role, type TenantRole } from './principal.js';
export {
  API_KEY_PREFIX,
  ApiKeySecretHasher,
  issueApiKey,
  looksLikeApiKey,
  parseApiKey,
  type ApiKeyRecord,
  type ApiKeyStore,
  type IssueApiKeyOptions,
  type IssueApiKeyRequest,
  type IssuedApiKey,
  type RandomBytes,
} from './api-keys.js';
export { ApiKeyAuthenticator } from './api-key-authenticator.js';
export { DEFAULT_OIDC_ALGORITHMS, OidcVerifier, type OidcVerifierOptions } from './oidc-verifier.js';
export { TENANT_ROLES_KEY } from './oidc-claims.js';
export { discoverJwksUri } from './oidc-discovery.js';
export { Authenticator, type AuthenticatorOptions } from './authenticator.js';
export {
  CREDENTIAL_WATCH,
  CredentialEnded,
  CredentialWatch,
  DEFAULT_STREAM_RECHECK_MS,
  type CredentialChecker,
  type CredentialEndCode,
  type CredentialWatchOptions,
} from './credential-watch.js';
