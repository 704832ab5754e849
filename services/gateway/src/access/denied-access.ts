import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessDeniedPayload } from '@evalvault/contracts';
import {
  envelop,
  ServiceClientError,
  type EnvelopeSources,
  type ErrorLogger,
  type EventStore,
} from '@evalvault/platform';
import { AuthError } from '../auth/auth.errors.js';
import { EdgeError } from '../http/index.js';
import { commandContext } from './command-context.js';

/** Why a request was refused, in the documented strings of AccessDenied.reason. */
export type DenialReason = 'cross-tenant' | 'missing-role';

export interface Denial {
  reason: DenialReason;
  requiredRole: string | null;
}

/** Streams of refusals, one per tenant; the gateway owns and relays them. */
export const accessDeniedStreamId = (tenantId: string): string => `accessdenied-${tenantId}`;

/**
 * The refusals worth an audit entry: a resource that exists in another tenant or project
 * (answered 404 like a missing one) and a route the caller's roles do not allow (403). A bad
 * or missing credential is not here: without a tenant there is no one's log to write to.
 */
export function denialOf(exception: unknown): Denial | null {
  if (exception instanceof ServiceClientError && exception.foreign)
    return { reason: 'cross-tenant', requiredRole: null };
  if (exception instanceof EdgeError && exception.foreign) return { reason: 'cross-tenant', requiredRole: null };
  if (exception instanceof AuthError && exception.code === 'FORBIDDEN' && exception.requiredRole) {
    return { reason: 'missing-role', requiredRole: exception.requiredRole };
  }
  return null;
}

/** Appends AccessDenied events for the audit log. */
export class DeniedAccessRecorder {
  constructor(
    private readonly store: EventStore,
    private readonly sources: EnvelopeSources,
  ) {}

  async record(request: FastifyRequest, denial: Denial, status: number): Promise<void> {
    const principal = request.principal;
    if (!principal) return;
    const params = (request.params ?? {}) as Record<string, string>;
    // The resource is the route's last `…Id` parameter (runId, keyId, …), named without the suffix.
    const idParam = Object.keys(params)
      .filter((name) => name.endsWith('Id'))
      .at(-1);
    const payload: AccessDeniedPayload = {
      method: request.method,
      route: request.routeOptions.url ?? request.url.split('?')[0] ?? '',
      resourceType: idParam ? idParam.slice(0, -2) : null,
      resourceId: idParam ? (params[idParam] ?? null) : null,
      reason: denial.reason,
      requiredRole: denial.requiredRole,
      status,
    };
    const streamId = accessDeniedStreamId(principal.tenantId);
    const context = commandContext(principal, params['project'] ?? '', String(request.id ?? randomUUID()));
    await this.store.append(
      streamId,
      envelop(streamId, [{ type: 'AccessDenied', payload }], context, this.sources),
      'any',
    );
  }
}

/**
 * Wires the recorder to the HTTP edges: the problem filter notes a refusal on the request,
 * and the answer is sent only once it is recorded (onSend waits), so a caller who saw the
 * refusal can rely on the audit log having it. A failing store does not turn the refusal
 * into a 500: the refusal stands and the error is logged with everything the entry held.
 */
export function installDeniedAccessRecording(
  fastify: FastifyInstance,
  recorder: DeniedAccessRecorder,
  logger: ErrorLogger,
): (exception: unknown, request: FastifyRequest) => void {
  const noted = new WeakMap<FastifyRequest, Denial>();
  // A callback hook: every answer passes here, and only a refusal has anything to wait for.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const denial = noted.get(request);
    if (!denial) return done(null, payload);
    noted.delete(request);
    void recorder.record(request, denial, reply.statusCode).then(
      () => done(null, payload),
      (error: unknown) => {
        logger.error(
          {
            err: error,
            denial,
            method: request.method,
            url: request.url.split('?')[0],
            tenantId: request.principal?.tenantId,
          },
          'denied access could not be recorded',
        );
        done(null, payload);
      },
    );
  });
  return (exception, request) => {
    const denial = denialOf(exception);
    if (denial) noted.set(request, denial);
  };
}
