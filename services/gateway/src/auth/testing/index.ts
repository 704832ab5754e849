export {
  TestOidcIssuer,
  startTestOidcIssuer,
  type RunningTestOidcIssuer,
  type TestSignOptions,
} from './test-oidc-issuer.js';
export { InMemoryApiKeyStore } from './in-memory-api-key-store.js';
