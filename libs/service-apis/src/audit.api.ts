/**
 * The audit service's internal API: what the gateway may ask of it, typed once for both
 * sides. Every operation runs for the tenant of the signed internal identity (the audit roles,
 * `auditor` and `audit-admin`, are tenant roles, so the identity names no project); a tenant
 * never comes from input.
 */

/** A resource an audit entry is about, with the version it was used at when the event says. */
export interface AuditResource {
  /** run, dataset, prompt, model_profile, gate, api-key, memory-entry, notification, route, case, subject… */
  type: string;
  id: string;
  version: number | null;
  contentHash: string | null;
}

/**
 * Who acted. `subject` is the decrypted subject, or null once the subject was forgotten
 * (its key destroyed); `pseudonym` stays, so a forgotten subject's entries still line up.
 */
export interface AuditActorView {
  subject: string | null;
  pseudonym: string;
  authMethod: string;
  apiKeyId: string | null;
  forgotten: boolean;
}

/** One entry of the tenant's hash-chained audit log. Times are ISO 8601 UTC with milliseconds. */
export interface AuditEntryView {
  /** Position in the tenant's chain, from 1. */
  seq: number;
  eventId: string;
  /** The event type, e.g. RunRequested or AccessDenied. */
  action: string;
  occurredAt: string;
  tenantId: string;
  projectId: string;
  streamId: string;
  actor: AuditActorView;
  /** The person an access event is about (ProjectRoleGranted, SubjectForgotten), else null. */
  target: Omit<AuditActorView, 'authMethod' | 'apiKeyId'> | null;
  resources: AuditResource[];
  /** success, failure or denied. */
  outcome: string;
  correlationId: string;
  causationId: string | null;
  /** Event-specific facts (reason, status, route of a denied access…), strings, numbers or null. */
  details: Record<string, string | number | boolean | null>;
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  /** The actor's subject as authenticated (OIDC sub, `api-key:<id>`), matched through its pseudonym. */
  actor?: string;
  /** `type:id` (e.g. `dataset:ds-1`) or a bare id. */
  resource?: string;
  /** An event type, e.g. RunRequested or AccessDenied. */
  action?: string;
  /** ISO 8601; from inclusive, to exclusive, on the event's time. */
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export interface AuditPage {
  items: AuditEntryView[];
  nextCursor: string | null;
}

export type AuditExportFormat = 'jsonl' | 'csv';

export interface AuditExportQuery extends Omit<AuditQuery, 'limit' | 'cursor'> {
  format: AuditExportFormat;
}

/** Where a replay found the log and the store to disagree, and how. */
export interface AuditDifference {
  /** Chain position of the entry that differs (for a missing entry: where it should have been, when known). */
  seq: number | null;
  eventId: string | null;
  kind: 'edited' | 'missing' | 'out_of_order' | 'forged' | 'head_mismatch' | 'purged_mismatch';
  /** The first differing field (for `edited`), e.g. `details.reason` or `hash`. */
  field: string | null;
  expected: string | null;
  actual: string | null;
  message: string;
}

export interface AuditReplayReport {
  status: 'verified' | 'mismatch';
  counts: {
    /** Entries in the log now. */
    entries: number;
    /** Events of the tenant in the event store. */
    events: number;
    /** Entries removed by retention (behind the anchor). */
    purged: number;
    /** Entries compared with their rebuilt twin. */
    compared: number;
    /**
     * Events of the store younger than the replay's grace (AUDIT_REPLAY_PENDING_GRACE_MS) with no
     * entry yet: on their way to the audit consumer, not a difference. A later replay accounts for them.
     */
    pending: number;
  };
  /** The chain head after verification (the last entry's hash), for the auditor to keep. */
  headHash: string | null;
  firstDifference: AuditDifference | null;
  durationMs: number;
}

export interface RetentionPolicy {
  /** Entries whose event is older than this many days are purged; null: kept for ever. */
  retentionDays: number | null;
}

/**
 * The retention wanted. One not shorter than the retention in force takes effect at once (and
 * drops a scheduled shortening); a shorter one needs a reason and is scheduled: it takes effect
 * only after the audit service's shortening delay, and purges keep the longer one until then.
 */
export interface RetentionChangeRequest extends RetentionPolicy {
  /** Why; required (not blank) when the change shortens the retention in force. */
  reason?: string | null;
}

/** A scheduled shortening, not in force yet. */
export interface PendingRetention {
  retentionDays: number;
  reason: string;
  /** ISO 8601: when it was asked for, and when it takes effect (purges use it from then on). */
  requestedAt: string;
  effectiveAt: string;
  /** The AuditRetentionChanged event that scheduled it; its audit entry names who asked. */
  eventId: string;
}

export interface RetentionView extends RetentionPolicy {
  /** retentionDays is the retention in force now; a shortening waiting for its delay is here. */
  pending: PendingRetention | null;
  /** What has been purged so far: the anchor verification starts from. */
  anchor: { throughSeq: number; throughHash: string; purgedCount: number; purgedBefore: string } | null;
}

/** What a retention request did (the AuditRetentionChanged `change`), or null when it changed nothing. */
export type RetentionChange = 'applied' | 'shortening-scheduled' | 'shortening-cancelled';

export interface RetentionChangeView extends RetentionView {
  change: RetentionChange | null;
}

export interface CancelRetentionShorteningRequest {
  reason?: string | null;
}

export interface ForgetSubjectRequest {
  subject: string;
  reason?: string | null;
}

export interface AuditOperations {
  listEntries: { input: AuditQuery; output: AuditPage };
  replay: { input: Record<string, never>; output: AuditReplayReport };
  getRetention: { input: Record<string, never>; output: RetentionView };
  setRetention: { input: RetentionChangeRequest; output: RetentionChangeView };
  cancelRetentionShortening: { input: CancelRetentionShorteningRequest; output: RetentionChangeView };
  forgetSubject: { input: ForgetSubjectRequest; output: { pseudonym: string; eventId: string } };
}

/** Operations answered as a byte stream (constant memory end to end), not as one JSON value. */
export interface AuditStreams {
  exportEntries: { input: AuditExportQuery };
}
