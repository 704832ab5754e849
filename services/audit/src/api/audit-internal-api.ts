import type { InternalIdentity, OperationHandlers, StreamHandlers } from '@evalvault/platform';
import { ServiceClientError, ServiceClientErrorCode } from '@evalvault/platform';
import type { AuditOperations, AuditStreams } from '@evalvault/service-apis';
import type { ForgetSubject } from '../forget/forget-subject.js';
import { checkFilters } from '../query/audit-filter.js';
import { AuditQueryError } from '../query/audit-query.error.js';
import type { AuditQueries } from '../query/audit.queries.js';
import type { AuditRetention } from '../retention/audit-retention.js';
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
    throw error;
  });
}

/**
 * The audit log belongs to the tenant as a whole: only its auditors (a tenant role the
 * gateway checked and signed) reach it, and every operation reads the tenant of the signed
 * identity, never one named in the input.
 */
function auditedTenant(identity: InternalIdentity): string {
  if (!identity.roles.includes('auditor'))
    throw new ServiceClientError(ServiceClientErrorCode.Forbidden, 'the audit log is for the tenant’s auditors');
  return identity.tenantId;
}

/** The audit service's operations behind the service client port; thin: one call each. */
export function auditOperationHandlers(parts: AuditApiParts): OperationHandlers<AuditOperations> {
  return {
    listEntries: (input, identity) => translated(() => parts.queries.list(auditedTenant(identity), input)),
    replay: (_input, identity) => parts.replay.replay(auditedTenant(identity)),
    getRetention: (_input, identity) => parts.retention.get(auditedTenant(identity)),
    setRetention: (input, identity) =>
      parts.retention.set(auditedTenant(identity), { retentionDays: input.retentionDays }),
    forgetSubject: (input, identity) =>
      parts.forget.forget(input.subject, input.reason ?? null, {
        tenantId: auditedTenant(identity),
        actor: identity.actor,
        correlationId: parts.newId(),
      }),
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
