import type { InternalIdentity, OperationHandlers, StreamHandlers } from '@evalvault/platform';
import { ServiceClientError, ServiceClientErrorCode } from '@evalvault/platform';
import type { AuditOperations, AuditStreams } from '@evalvault/service-apis';
import type { ForgetSubject } from '../forget/forget-subject.js';
import { checkFilters } from '../query/audit-filter.js';
import { AuditQueryError } from '../query/audit-query.error.js';
import type { AuditQueries } from '../query/audit.queries.js';
import { RetentionRequestError, type AuditRetention } from '../retention/audit-retention.js';
import type { AuditReplay } from '../verify/audit-replay.js';

export interface AuditApiParts {
  queries: AuditQueries;
  replay: AuditReplay;
  retention: AuditRetention;
  forget: ForgetSubject;
  newId: () => string;
}

function translated<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((error: unknown) => {
    if (error instanceof AuditQueryError)
      throw new ServiceClientError(ServiceClientErrorCode.InvalidInput, error.message);
    if (error instanceof RetentionRequestError)
      throw new ServiceClientError(
        error.code === 'NOT_FOUND' ? ServiceClientErrorCode.NotFound : ServiceClientErrorCode.InvalidInput,
        error.message,
      );
    throw error;
  });
}

/**
 * The tenant roles of the audit log, weakest first and cumulative like project roles: an
 * `auditor` reads, replays and exports; an `audit-admin` may also change the retention and
 * forget subjects. The gateway's role matrix says the same; this is the owner's own check.
 */
const AUDIT_ROLES = ['auditor', 'audit-admin'] as const;
type AuditRole = (typeof AUDIT_ROLES)[number];

const REFUSED: Record<AuditRole, string> = {
  auditor: 'the audit log is for the tenant’s auditors',
  'audit-admin': 'changing the audit retention and forgetting subjects is for the tenant’s audit-admins',
};

/**
 * The audit log belongs to the tenant as a whole: only holders of an audit role (a tenant role
 * the gateway checked and signed) reach it, and every operation reads the tenant of the signed
 * identity, never one named in the input.
 */
function auditedTenant(identity: InternalIdentity, needs: AuditRole = 'auditor'): string {
  const rank = AUDIT_ROLES.indexOf(needs);
  if (!identity.roles.some((role) => AUDIT_ROLES.indexOf(role as AuditRole) >= rank))
    throw new ServiceClientError(ServiceClientErrorCode.Forbidden, REFUSED[needs]);
  return identity.tenantId;
}

/** The subjects a caller acts as: theirs, and for an API key its `api-key:<id>` actor. */
export function ownSubjects(actor: InternalIdentity['actor']): string[] {
  return [actor.subject, ...(actor.apiKeyId ? [`api-key:${actor.apiKeyId}`] : [])];
}

/** No one erases their own trail: forgetting oneself is for another audit-admin to do. */
function notOneself(subject: string, identity: InternalIdentity): string {
  if (ownSubjects(identity.actor).includes(subject))
    throw new ServiceClientError(
      ServiceClientErrorCode.Forbidden,
      'you cannot forget your own subject: another audit-admin must make the request',
    );
  return subject;
}

/** The audit service's operations behind the service client port; thin: one call each. */
export function auditOperationHandlers(parts: AuditApiParts): OperationHandlers<AuditOperations> {
  const contextOf = (identity: InternalIdentity) => ({ actor: identity.actor, correlationId: parts.newId() });
  return {
    listEntries: (input, identity) => translated(() => parts.queries.list(auditedTenant(identity), input)),
    replay: (_input, identity) => parts.replay.replay(auditedTenant(identity)),
    getRetention: (_input, identity) => parts.retention.get(auditedTenant(identity)),
    setRetention: (input, identity) =>
      translated(() =>
        parts.retention.set(
          auditedTenant(identity, 'audit-admin'),
          { retentionDays: input.retentionDays, reason: input.reason ?? null },
          contextOf(identity),
        ),
      ),
    cancelRetentionShortening: (input, identity) =>
      translated(() =>
        parts.retention.cancelShortening(
          auditedTenant(identity, 'audit-admin'),
          input.reason ?? null,
          contextOf(identity),
        ),
      ),
    forgetSubject: (input, identity) => {
      const tenantId = auditedTenant(identity, 'audit-admin');
      return parts.forget.forget(notOneself(input.subject, identity), input.reason ?? null, {
        tenantId,
        ...contextOf(identity),
      });
    },
  };
}

const MEDIA_TYPE = { jsonl: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' } as const;

export function auditStreamHandlers(queries: AuditQueries): StreamHandlers<AuditStreams> {
  return {
    exportEntries: (input, identity) =>
      translated(async () => {
        const tenantId = auditedTenant(identity);
        if (input.format !== 'jsonl' && input.format !== 'csv')
          throw new ServiceClientError(ServiceClientErrorCode.InvalidInput, 'format must be jsonl or csv');
        checkFilters(input);
        return { contentType: MEDIA_TYPE[input.format], body: queries.export(tenantId, input) };
      }),
  };
}
