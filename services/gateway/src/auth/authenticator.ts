import { AuthError } from './auth.errors.js';
import type { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { looksLikeApiKey } from './api-keys.js';
import { NOT_A_CREDENTIAL } from './oidc-failures.js';
import type { OidcVerifier } from './oidc-verifier.js';
import type { Principal, Role, TenantRole } from './principal.js';

export interface AuthenticatorOptions {
  apiKeys: ApiKeyAuthenticator;
  /** null when no OIDC issuer is configured: only API keys are accepted then. */
  oidc: OidcVerifier | null;
  /**
   * Roles granted to OIDC subjects through /members (project roles) and /tenant-roles (the audit
   * roles), added to those their tokens carry.
   */
  members?: {
    rolesOf(tenantId: string, subject: string): Promise<Record<string, Role[]>>;
    tenantRolesOf?(tenantId: string, subject: string): Promise<TenantRole[]>;
  };
  now?: () => Date;
}

// RFC 7235: the scheme is case-insensitive; RFC 6750: one token, no parameters.
const BEARER = /^Bearer +(\S+) *$/i;
// A scheme is named only when credentials follow it: a lone word may itself be a pasted secret.
const SCHEME = /^([!#$%&'*+.^`|~\w-]{1,32}) /;
const MISSING = 'missing Authorization: Bearer … header';
/** Three base64url parts: meant as a JWT, whether or not it is one. */
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

/** The gateway's one entry point for credentials: `Authorization: Bearer <evk_… API key | OIDC JWT>`. */
export class Authenticator {
  private readonly now: () => Date;

  constructor(private readonly options: AuthenticatorOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async authenticate(authorizationHeader: string | null | undefined): Promise<Principal> {
    const token = bearerToken(authorizationHeader);
    // The prefix alone decides the path: a malformed evk_ key gets the API key's reason, not a JWT one.
    if (looksLikeApiKey(token)) return this.options.apiKeys.authenticate(token, this.now());
    if (!this.options.oidc) {
      if (!JWT_SHAPE.test(token)) throw AuthError.unauthenticated(NOT_A_CREDENTIAL);
      throw AuthError.unauthenticated('OIDC tokens are not accepted here (no issuer configured); use an evk_… API key');
    }
    const principal = await this.options.oidc.verify(token);
    const members = this.options.members;
    if (!members) return principal;
    const [granted, tenantRoles] = await Promise.all([
      members.rolesOf(principal.tenantId, principal.subject),
      members.tenantRolesOf?.(principal.tenantId, principal.subject) ?? Promise.resolve([]),
    ]);
    return withGrantedRoles(principal, granted, tenantRoles);
  }

  /**
   * The principal of an API key the gateway verified moments ago (VerifiedKeyCache), without waiting;
   * null for anything else, which `authenticate` answers. The hot path: most requests carry a key
   * that was just verified, and a promise per request for them was measurable.
   */
  authenticateCached(authorizationHeader: string | null | undefined): Principal | null {
    const token = bearerTokenOrNull(authorizationHeader);
    return token && looksLikeApiKey(token) ? this.options.apiKeys.fromCache(token, this.now()) : null;
  }

  /**
   * When a credential authenticate() accepted will be refused whatever happens meanwhile: an OIDC
   * token's expiry (with the clock tolerance). Null for API keys, whose state only the store knows.
   */
  acceptedUntil(authorizationHeader: string | null | undefined): Date | null {
    const token = bearerTokenOrNull(authorizationHeader);
    if (!token || looksLikeApiKey(token) || !this.options.oidc) return null;
    return this.options.oidc.acceptedUntil(token);
  }
}

function withGrantedRoles(
  principal: Principal,
  granted: Record<string, Role[]>,
  grantedTenantRoles: readonly TenantRole[],
): Principal {
  const projects = new Set([...Object.keys(principal.projectRoles), ...Object.keys(granted)]);
  // fromEntries defines own properties, so a project named "__proto__" cannot reach the prototype.
  const projectRoles = Object.fromEntries(
    [...projects].map((project) => [
      project,
      [
        ...new Set([
          ...(Object.hasOwn(principal.projectRoles, project) ? principal.projectRoles[project]! : []),
          ...(Object.hasOwn(granted, project) ? granted[project]! : []),
        ]),
      ],
    ]),
  );
  return { ...principal, projectRoles, tenantRoles: [...new Set([...principal.tenantRoles, ...grantedTenantRoles])] };
}

/** The bearer token of a well-formed header, or null: for the paths that leave the reason to `authenticate`. */
const bearerTokenOrNull = (header: string | null | undefined): string | null =>
  BEARER.exec(header?.trim() ?? '')?.[1] ?? null;

function bearerToken(header: string | null | undefined): string {
  const value = header?.trim();
  if (!value) throw AuthError.unauthenticated(MISSING);
  const token = BEARER.exec(value)?.[1];
  if (token) return token;
  const scheme = SCHEME.exec(value)?.[1];
  // Echo the scheme name, never what follows it (Basic carries a password).
  if (scheme && scheme.toLowerCase() !== 'bearer') {
    throw AuthError.unauthenticated(`unsupported Authorization scheme "${scheme}": ${MISSING}`);
  }
  throw AuthError.unauthenticated(`malformed Authorization header: ${MISSING}`);
}
