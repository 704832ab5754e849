import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { types } from 'node:util';
import type { Role, TenantRole } from './principal.js';

/**
 * Project API keys: `evk_<keyId>_<secret>`. The key id (12 hex chars) is public — it names the key
 * in listings and audit entries and is how the store finds it; the secret (32 random bytes,
 * base64url) is shown once at issue and only its keyed hash is stored.
 */
export const API_KEY_PREFIX = 'evk_';
const KEY_ID_BYTES = 6;
const SECRET_BYTES = 32;
const MIN_PEPPER_BYTES = 32;
// base64url of 32 bytes is 43 characters and may itself contain '_', hence fixed lengths, not split('_').
const API_KEY_PATTERN = /^evk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const HASH_SCHEME = 'hmac-sha256:';

export interface ApiKeyRecord {
  keyId: string;
  tenantId: string;
  projectId: string;
  role: Role;
  name: string;
  secretHash: string;
  /** `evk_<keyId>`: what a user sees to recognise the key; reveals nothing of the secret. */
  prefix: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
  /** Tenant roles besides the project role (auditor, audit-admin), granted when the key was issued. */
  tenantRoles: TenantRole[];
}

/** The port the authenticator reads; the PostgreSQL adapter comes with the gateway's read model. */
export interface ApiKeyStore {
  findByKeyId(keyId: string): Promise<ApiKeyRecord | null>;
  /** Calls `listener` with the key id of every revocation made through this store (the authenticator's cache). */
  onRevoked?(listener: (keyId: string) => void): void;
}

export interface IssueApiKeyRequest {
  tenantId: string;
  projectId: string;
  role: Role;
  name: string;
  expiresAt: Date | null;
  /** None unless an admin of the tenant's administrative project grants them (the caller checks). */
  tenantRoles?: TenantRole[];
}

export interface IssuedApiKey {
  /** The only time the plaintext exists outside the caller's hands: return it, never store or log it. */
  plaintext: string;
  record: ApiKeyRecord & { revokedAt: null };
}

export type RandomBytes = (size: number) => Uint8Array;

/**
 * Hashes secrets with HMAC-SHA256 under a server-side pepper rather than scrypt/argon2: slow KDFs
 * protect low-entropy passwords, but these secrets carry 256 random bits, so a leaked hash cannot be
 * brute-forced at any hash speed — and a slow hash on every request would only hand attackers a
 * cheap CPU-exhaustion lever. The pepper (kept in config, not the database) means a database dump
 * alone cannot even confirm a guessed key. Changing the pepper invalidates every issued key.
 */
export class ApiKeySecretHasher {
  /** A KeyObject made once: importing the raw pepper on every request was a measurable share of the gateway's time. */
  private readonly pepper: KeyObject;

  constructor(pepper: Uint8Array) {
    if (!types.isUint8Array(pepper)) throw new Error('API key pepper must be a Uint8Array');
    if (pepper.byteLength < MIN_PEPPER_BYTES) {
      throw new Error(`API key pepper must be at least ${MIN_PEPPER_BYTES} bytes, got ${pepper.byteLength}`);
    }
    // A copy: this module's realm (jest's vm), and safe from the caller zeroing or reusing the buffer.
    this.pepper = createSecretKey(new Uint8Array(pepper));
  }

  /** The stored form; the scheme tag leaves room for a different hash later without ambiguity. */
  hash(secret: string): string {
    return HASH_SCHEME + this.digest(secret).toString('base64url');
  }

  /** Constant-time in the secret: the comparison never stops at the first differing byte. */
  matches(secret: string, storedHash: string): boolean {
    return this.hashMatches(this.hash(secret), storedHash);
  }

  /** As `matches`, for a secret already hashed with `hash` (the authenticator hashes once per request). */
  hashMatches(presentedHash: string, storedHash: string): boolean {
    if (!storedHash.startsWith(HASH_SCHEME) || !presentedHash.startsWith(HASH_SCHEME)) return false;
    const stored = Buffer.from(storedHash.slice(HASH_SCHEME.length), 'base64url');
    const presented = Buffer.from(presentedHash.slice(HASH_SCHEME.length), 'base64url');
    return stored.length === presented.length && timingSafeEqual(stored, presented);
  }

  private digest(secret: string): Buffer {
    return createHmac('sha256', this.pepper).update(secret, 'utf8').digest();
  }
}

export interface IssueApiKeyOptions {
  hasher: ApiKeySecretHasher;
  /** Injected so tests can pin the output; crypto.randomBytes otherwise. */
  random?: RandomBytes;
  now?: Date;
}

/** A new key: the plaintext to show once, and the record to store (which never holds the secret). */
export function issueApiKey(request: IssueApiKeyRequest, options: IssueApiKeyOptions): IssuedApiKey {
  const random = options.random ?? randomBytes;
  const now = options.now ?? new Date();
  if (!request.name.trim()) throw new Error('API key name must not be empty');
  if (request.expiresAt !== null && request.expiresAt.getTime() <= now.getTime()) {
    throw new Error(`API key expiry ${request.expiresAt.toISOString()} is not in the future`);
  }
  const keyId = Buffer.from(randomOfSize(random, KEY_ID_BYTES)).toString('hex');
  const secret = Buffer.from(randomOfSize(random, SECRET_BYTES)).toString('base64url');
  const prefix = `${API_KEY_PREFIX}${keyId}`;
  return {
    plaintext: `${prefix}_${secret}`,
    record: {
      keyId,
      tenantId: request.tenantId,
      projectId: request.projectId,
      role: request.role,
      name: request.name,
      secretHash: options.hasher.hash(secret),
      prefix,
      expiresAt: request.expiresAt,
      revokedAt: null,
      createdAt: now,
      tenantRoles: [...(request.tenantRoles ?? [])],
    },
  };
}

/** The parts of a well-formed key, or null; never throws, so nothing can echo the input. */
export function parseApiKey(token: string): { keyId: string; secret: string } | null {
  const match = API_KEY_PATTERN.exec(token);
  if (!match?.[1] || !match[2]) return null;
  return { keyId: match[1], secret: match[2] };
}

/** A bearer token meant as an API key (well-formed or not): decides which path authenticates it. */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

function randomOfSize(random: RandomBytes, size: number): Uint8Array {
  const bytes = random(size);
  if (bytes.byteLength !== size) throw new Error(`random source returned ${bytes.byteLength} bytes, ${size} expected`);
  return bytes;
}
