import type { FastifyRequest } from 'fastify';
import { isAllowed, type Action } from '../access/role-matrix.js';
import { AuthError } from './auth.errors.js';
import type { Principal } from './principal.js';

/** Injection token of the gateway's one CredentialWatch (null where routes are served without authentication). */
export const CREDENTIAL_WATCH = Symbol('CREDENTIAL_WATCH');

export const DEFAULT_STREAM_RECHECK_MS = 30_000;

/** Consecutive re-checks that could not be made (store or issuer unreachable) before the response ends anyway. */
export const DEFAULT_MAX_RECHECK_FAILURES = 3;

/** The public code a long response ends with (a code of the problem table, answered as problem details). */
export type CredentialEndCode = 'CREDENTIAL_REVOKED' | 'CREDENTIAL_EXPIRED' | 'FORBIDDEN' | 'UNAVAILABLE';

/** Why a long response was ended before its end: its credential no longer allows it. */
export class CredentialEnded extends Error {
  constructor(
    readonly code: CredentialEndCode,
    message: string,
  ) {
    super(message);
    this.name = 'CredentialEnded';
  }
}

/** What the watch asks of the authenticator: the very checks a new request gets. */
export interface CredentialChecker {
  authenticate(authorizationHeader: string | null | undefined): Promise<Principal>;
  acceptedUntil(authorizationHeader: string | null | undefined): Date | null;
}

export interface WatchTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface CredentialWatchOptions {
  checker: CredentialChecker;
  /** Time between two re-checks (GATEWAY_STREAM_RECHECK_MS). */
  intervalMs: number;
  maxFailures?: number;
  logger?: { warn(fields: object, message: string): void };
  /** Injected so tests need not wait for real intervals. */
  now?: () => number;
  timers?: WatchTimers;
}

/**
 * A credential is checked when a request starts; a response that lasts (a run's progress as
 * Server-Sent Events, up to 30 minutes; a streamed audit export) would otherwise outlive a
 * revocation. The watch re-authenticates the request's own Authorization header every
 * interval, through the same authenticator as a new request (so an API key's revocation and
 * expiry, an OIDC token's signature and expiry, and member grants all count), and checks that
 * the roles it then holds still allow the route's action. An OIDC token is re-checked at its
 * expiry too, not up to one interval after it: nothing refreshes a token over one connection.
 *
 * The first failure ends the watch with a CredentialEnded: CREDENTIAL_REVOKED (revoked, or no
 * longer accepted at all), CREDENTIAL_EXPIRED, or FORBIDDEN (the role is gone). A re-check that
 * cannot be made (database or issuer unreachable) is logged and retried at the next interval;
 * after `maxFailures` in a row the response ends with UNAVAILABLE rather than run unchecked.
 */
export class CredentialWatch {
  private readonly now: () => number;
  private readonly timers: WatchTimers;
  private readonly maxFailures: number;

  constructor(private readonly options: CredentialWatchOptions) {
    if (!Number.isSafeInteger(options.intervalMs) || options.intervalMs < 1)
      throw new Error(`credential re-check interval must be a whole number of ms >= 1, got ${options.intervalMs}`);
    this.now = options.now ?? Date.now;
    this.timers = options.timers ?? {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    this.maxFailures = options.maxFailures ?? DEFAULT_MAX_RECHECK_FAILURES;
  }

  /**
   * Starts watching the credential of an authenticated request for the route's action (in the
   * request's `project` parameter, if any). `onEnd` is called at most once; the function returned
   * stops the watch (call it when the response ends, however it ends).
   */
  watch(request: FastifyRequest, action: Action, onEnd: (ended: CredentialEnded) => void): () => void {
    const principal = request.principal;
    if (!principal) return () => undefined; // a public route: nothing to watch
    const authorization = request.headers.authorization;
    const project = (request.params as Record<string, string> | undefined)?.['project'] ?? null;
    const started = this.now();
    const acceptedUntil = this.options.checker.acceptedUntil(authorization)?.getTime() ?? null;
    let stopped = false;
    let failures = 0;
    let handle: unknown;

    const schedule = (): void => {
      // At the interval, or just after the token's last accepted instant if that comes first.
      const untilExpiry = acceptedUntil === null ? Infinity : acceptedUntil - this.now() + 1;
      handle = this.timers.setTimeout(() => void check(), Math.max(0, Math.min(this.options.intervalMs, untilExpiry)));
    };
    const check = async (): Promise<void> => {
      let ended: CredentialEnded | null;
      try {
        ended = await this.recheck(authorization, acceptedUntil, action, project);
        failures = 0;
      } catch (error) {
        failures += 1;
        this.options.logger?.warn(
          { err: error, ...who(principal), route: request.routeOptions.url, failures },
          'could not re-check the credential of a long response',
        );
        ended =
          failures >= this.maxFailures
            ? new CredentialEnded('UNAVAILABLE', `the credential could not be re-checked ${failures} times in a row`)
            : null;
      }
      if (stopped) return;
      if (!ended) return schedule();
      stopped = true;
      this.options.logger?.warn(
        {
          ...who(principal),
          method: request.method,
          route: request.routeOptions.url,
          action,
          code: ended.code,
          reason: ended.message,
          streamedMs: this.now() - started,
        },
        'long response ended: its credential no longer allows it',
      );
      onEnd(ended);
    };

    schedule();
    return () => {
      stopped = true;
      this.timers.clearTimeout(handle);
    };
  }

  /** Null while the credential still allows the action; throws when it could not be checked. */
  private async recheck(
    authorization: string | undefined,
    acceptedUntil: number | null,
    action: Action,
    project: string | null,
  ): Promise<CredentialEnded | null> {
    if (acceptedUntil !== null && this.now() >= acceptedUntil) {
      return new CredentialEnded(
        'CREDENTIAL_EXPIRED',
        `token expired (accepted until ${new Date(acceptedUntil).toISOString()}); sign in again and reopen`,
      );
    }
    let current: Principal;
    try {
      current = await this.options.checker.authenticate(authorization);
    } catch (error) {
      if (!(error instanceof AuthError) || error.code !== 'UNAUTHENTICATED') throw error;
      return new CredentialEnded(
        error.lapsed === 'expired' ? 'CREDENTIAL_EXPIRED' : 'CREDENTIAL_REVOKED',
        error.message,
      );
    }
    const roles = project && Object.hasOwn(current.projectRoles, project) ? current.projectRoles[project]! : [];
    if (!isAllowed(action, roles, current.tenantRoles)) {
      return new CredentialEnded(
        'FORBIDDEN',
        `${action} needs a role this credential no longer holds${project ? ` in project ${project}` : ''}`,
      );
    }
    return null;
  }
}

function who(principal: Principal): Record<string, unknown> {
  return {
    tenantId: principal.tenantId,
    subject: principal.subject,
    authMethod: principal.authMethod,
    apiKeyId: principal.apiKeyId,
  };
}
