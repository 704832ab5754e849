import { randomUUID } from 'node:crypto';
import { types } from 'node:util';
import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import { ServiceClientError, ServiceClientErrorCode } from './service-client.errors.js';
import { describeVerificationFailure } from './identity-verification-failures.js';

/** Who is calling, as the gateway established it; travels with every internal call. */
export interface InternalIdentity {
  tenantId: string;
  projectId: string | null;
  roles: string[];
  actor: { subject: string; authMethod: string; apiKeyId: string | null };
}

export const INTERNAL_IDENTITY_HEADER = 'x-evalvault-identity';
export const INTERNAL_IDENTITY_ISSUER = 'evalvault-internal';
const ALGORITHM = 'HS256';
const MIN_SECRET_BYTES = 32;
const DEFAULT_LIFETIME_SECONDS = 60;

export interface InternalIdentitySignerOptions {
  /** Shared by every service; at least 32 random bytes. */
  secret: Uint8Array;
  /** Short on purpose: a leaked token is worth little a minute later. */
  lifetimeSeconds?: number;
  now?: () => Date;
}

export interface InternalIdentityVerifierOptions {
  secret: Uint8Array;
  /** The audience this service accepts: a token minted for another service is refused here. */
  serviceName: string;
  clockToleranceSeconds?: number;
  /** Refuses tokens older than this even if their own exp is later (a signer set too generously). */
  maxAgeSeconds?: number;
  now?: () => Date;
}

/** The claims on the wire: standard ones where they fit (sub), short private ones for the rest. */
interface IdentityClaims extends JWTPayload {
  tenant_id: string;
  project_id: string | null;
  roles: string[];
  auth_method: string;
  api_key_id: string | null;
}

export class InternalIdentitySigner {
  private readonly key: Uint8Array;
  private readonly lifetimeSeconds: number;
  private readonly now: () => Date;

  constructor(options: InternalIdentitySignerOptions) {
    this.key = checkedSecret(options.secret);
    this.lifetimeSeconds = options.lifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS;
    if (!Number.isInteger(this.lifetimeSeconds) || this.lifetimeSeconds <= 0) {
      throw new Error(
        `internal identity lifetime must be a positive whole number of seconds, got ${this.lifetimeSeconds}`,
      );
    }
    this.now = options.now ?? (() => new Date());
  }

  /** A compact JWS for one call to `audience` (the target service's name). */
  async sign(identity: InternalIdentity, audience: string): Promise<string> {
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    return new SignJWT(claimsOf(identity))
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setIssuer(INTERNAL_IDENTITY_ISSUER)
      .setAudience(audience)
      .setSubject(identity.actor.subject)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.lifetimeSeconds)
      .setJti(randomUUID())
      .sign(this.key);
  }
}

export class InternalIdentityVerifier {
  private readonly key: Uint8Array;

  constructor(private readonly options: InternalIdentityVerifierOptions) {
    this.key = checkedSecret(options.secret);
  }

  /** The identity in a header value, or UNAUTHENTICATED saying what was wrong with it. */
  async verify(token: string | undefined): Promise<InternalIdentity> {
    if (!token) throw unauthenticated(`missing ${INTERNAL_IDENTITY_HEADER} header`);
    const payload = await this.verifiedPayload(token);
    const identity = identityOf(payload);
    if (!isInternalIdentity(identity)) throw unauthenticated('internal identity claims are malformed');
    return identity;
  }

  private async verifiedPayload(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: INTERNAL_IDENTITY_ISSUER,
        audience: this.options.serviceName,
        clockTolerance: this.options.clockToleranceSeconds ?? 5,
        maxTokenAge: this.options.maxAgeSeconds ?? 300,
        requiredClaims: ['exp', 'iat', 'jti', 'sub'],
        currentDate: (this.options.now ?? (() => new Date()))(),
      });
      return payload;
    } catch (error) {
      // Not chained as cause: jose's errors carry the claims, which must not reach a log line.
      throw unauthenticated(describeVerificationFailure(error, this.options.serviceName));
    }
  }
}

/** Shape check shared by the verifier and the in-process client, so both refuse the same identities. */
export function isInternalIdentity(value: unknown): value is InternalIdentity {
  if (typeof value !== 'object' || value === null) return false;
  const { tenantId, projectId, roles, actor } = value as Partial<InternalIdentity>;
  return (
    isNonEmptyString(tenantId) &&
    isStringOrNull(projectId) &&
    Array.isArray(roles) &&
    roles.every((role) => typeof role === 'string') &&
    typeof actor === 'object' &&
    actor !== null &&
    isNonEmptyString(actor.subject) &&
    isNonEmptyString(actor.authMethod) &&
    isStringOrNull(actor.apiKeyId)
  );
}

function claimsOf(identity: InternalIdentity): IdentityClaims {
  return {
    tenant_id: identity.tenantId,
    project_id: identity.projectId,
    roles: identity.roles,
    auth_method: identity.actor.authMethod,
    api_key_id: identity.actor.apiKeyId,
  };
}

function identityOf(payload: JWTPayload): unknown {
  const claims = payload as Partial<IdentityClaims>;
  return {
    tenantId: claims.tenant_id,
    projectId: claims.project_id,
    roles: claims.roles,
    actor: { subject: claims.sub, authMethod: claims.auth_method, apiKeyId: claims.api_key_id },
  };
}

/** Copied into this module's realm (jest runs tests in a vm context) and away from later mutation. */
function checkedSecret(secret: Uint8Array): Uint8Array {
  if (!types.isUint8Array(secret)) throw new Error('internal identity secret must be a Uint8Array');
  if (secret.byteLength < MIN_SECRET_BYTES) {
    throw new Error(
      `internal identity secret must be at least ${MIN_SECRET_BYTES} bytes for HS256, got ${secret.byteLength}`,
    );
  }
  return new Uint8Array(secret);
}

function unauthenticated(message: string): ServiceClientError {
  return new ServiceClientError(ServiceClientErrorCode.Unauthenticated, message);
}

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isStringOrNull = (value: unknown): value is string | null => value === null || typeof value === 'string';
