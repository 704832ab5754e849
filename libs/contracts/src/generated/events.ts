// Generated from libs/contracts/schemas by `npm run contracts:generate`. Do not edit.
/* eslint-disable */

/** Fields every event starts with (schemas/envelope.avsc). */
export interface EventEnvelope<T extends string = string> {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Event type name, equal to the record name, e.g. RunRequested. */
  type: T;
  /** Published version of this event type's schema the producer wrote with. */
  schemaVersion: number;
  /** When the change happened, milliseconds since the Unix epoch, UTC. */
  occurredAt: number;
  tenantId: string;
  projectId: string;
  /** Event-store stream the event belongs to; also the Kafka message key. */
  streamId: string;
  actor: Actor;
  /** Shared by every event caused, directly or not, by one request. */
  correlationId: string;
  /** eventId of the event that caused this one, if any. */
  causationId: null | string;
  /** W3C trace context of the producing span. */
  traceparent: null | string;
}

/** Who caused the change and how they proved it. */
export interface Actor {
  /** OIDC subject, API key owner, or 'system:<service>'. */
  subject: string;
  /** One of oidc, api_key, internal, system. */
  authMethod: string;
  apiKeyId: null | string;
}

export interface AccessDenied extends EventEnvelope<'AccessDenied'> {
  payload: AccessDeniedPayload;
}

/** The gateway refused a request: a resource of another tenant or project, a missing role, or a refused credential. Recorded so compliance sees attempts, not only successes. */
export interface AccessDeniedPayload {
  /** HTTP method of the refused request. */
  method: string;
  /** Route pattern, e.g. /v1/projects/{project}/runs/{runId}; never the raw URL with its query. */
  route: string;
  /** run, api-key, member, … when the refusal concerns one resource. */
  resourceType: null | string;
  resourceId: null | string;
  /** Documented strings: cross-tenant, missing-role, unknown-project. */
  reason: string;
  requiredRole: null | string;
  /** HTTP status answered (404 for another tenant's resource, 403 for a missing role). */
  status: number;
}

export interface ApiKeyIssued extends EventEnvelope<'ApiKeyIssued'> {
  payload: ApiKeyIssuedPayload;
}

export interface ApiKeyIssuedPayload {
  apiKeyId: string;
  name: string;
  role: string;
  /** Empty: the gateway keeps the hash to itself. Older events carry its keyed hash, never the secret. */
  secretHash: string;
  /** First characters of the key, to recognise it in lists. */
  prefix: string;
  expiresAt: null | number;
  /** Tenant roles the key also holds (auditor, audit-admin), granted by an admin of project default when the key was issued. */
  tenantRoles: string[];
}

export interface ApiKeyRevoked extends EventEnvelope<'ApiKeyRevoked'> {
  payload: ApiKeyRevokedPayload;
}

export interface ApiKeyRevokedPayload {
  apiKeyId: string;
  reason: null | string;
}

export interface AuditRetentionChanged extends EventEnvelope<'AuditRetentionChanged'> {
  payload: AuditRetentionChangedPayload;
}

/** A tenant's audit retention changed, or a shortening of it was scheduled or cancelled. A shortening takes effect only at effectiveAt (a delay after it was asked for, with a reason); until then purges keep the longer retention. A lengthening takes effect at once. */
export interface AuditRetentionChangedPayload {
  /** Documented strings: applied (in force from effectiveAt, which is when it was asked for), shortening-scheduled (in force from effectiveAt, later), shortening-cancelled (a scheduled shortening dropped before it took effect). */
  change: string;
  /** Retention in force when the change was asked for, in days; null: entries are kept for ever. */
  fromDays: null | number;
  /** Retention asked for (for a cancellation: the one dropped), in days; null: for ever. */
  toDays: null | number;
  /** Why, as the caller gave it; required for a shortening. */
  reason: null | string;
  /** When the new retention takes effect; null for a cancellation. */
  effectiveAt: null | number;
}

export interface BehaviourForgotten extends EventEnvelope<'BehaviourForgotten'> {
  payload: BehaviourForgottenPayload;
}

/** Domain Memory: a behaviour was forgotten and its content key destroyed. */
export interface BehaviourForgottenPayload {
  behaviourId: string;
  /** Documented strings: stale, weak, deletion_request. */
  reason: string;
  requestId: null | string;
}

export interface BehaviourObserved extends EventEnvelope<'BehaviourObserved'> {
  payload: BehaviourObservedPayload;
}

/** Domain Memory: one more case matched a behaviour's trigger; it succeeded (every score at least formation.behaviourMinScore) or not. */
export interface BehaviourObservedPayload {
  behaviourId: string;
  succeeded: boolean;
  tokensSaved: number;
  source: MemorySource;
}

/** What supports a Domain Memory entry: a run, one case of a run, or a source document. */
export interface MemorySource {
  /** Documented strings: run, case, document. */
  kind: string;
  /** The run id, the case id, or the document's id (sha256 hex of its name). */
  id: string;
  /** The run a case belongs to; null otherwise. */
  runId: null | string;
}

export interface BehaviourRecorded extends EventEnvelope<'BehaviourRecorded'> {
  payload: BehaviourRecordedPayload;
}

/** Domain Memory: a behaviour (a trigger on the question and an action recipe) learned from cases that scored well. Key memorybehaviour-<behaviourId>. */
export interface BehaviourRecordedPayload {
  /** 32 hex of sha256(tenant, project, trigger). */
  behaviourId: string;
  /** Content key the text is sealed with (the behaviour id). */
  keyId: string;
  /** AES-256-GCM (iv 12 bytes + tag 16 bytes + ciphertext) of the JSON {trigger, action}. */
  sealed: Buffer;
  /** In [0, 1]. */
  successRate: number;
  useCount: number;
  tokensSaved: number;
  sources: MemorySource[];
}

export interface CaseBatchScheduled extends EventEnvelope<'CaseBatchScheduled'> {
  payload: CaseBatchScheduledPayload;
}

/** A batch of a run's cases handed to the runs workers. Its stream is runbatch-<runId>-<batchNo>, so batches spread over the work topic's partitions. */
export interface CaseBatchScheduledPayload {
  runId: string;
  /** From 0, in dataset order. */
  batchNo: number;
  cases: ScheduledCase[];
}

export interface ScheduledCase {
  /** Position of the case in the dataset, from 0. */
  caseIndex: number;
  /** 1-based line in the dataset file, when read from a file. */
  line: null | number;
  testCase: TestCase;
}

export interface TestCase {
  id: string;
  question: string;
  answer: string;
  contexts: string[];
  groundTruth: null | string;
  /** Free-form case metadata as a JSON text. */
  metadataJson: null | string;
}

export interface CaseEvaluated extends EventEnvelope<'CaseEvaluated'> {
  payload: CaseEvaluatedPayload;
}

/** Cases of one run scored together (one scored batch). The top-level case fields hold the first case; moreCases the rest (version 2). Read every case with evaluatedCases(payload). */
export interface CaseEvaluatedPayload {
  runId: string;
  caseId: string;
  /** Position of the case in the dataset, from 0. */
  caseIndex: number;
  scores: MetricScore[];
  durationMs: number;
  usage: null | LlmUsage;
  /** Version 2: the other cases of the same batch, in dataset order. A reader of version 1 sees only the first case of each event; empty in events written before version 2. */
  moreCases: EvaluatedCase[];
}

export interface MetricScore {
  metric: string;
  /** In [0, 1]. */
  score: number;
  explanation: string;
}

export interface LlmUsage {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  cacheHits: number;
}

/** One scored case, the same fields as a CaseEvaluated event's own case. */
export interface EvaluatedCase {
  caseId: string;
  caseIndex: number;
  scores: MetricScore[];
  durationMs: number;
  usage: null | LlmUsage;
}

export interface CaseFailed extends EventEnvelope<'CaseFailed'> {
  payload: CaseFailedPayload;
}

export interface CaseFailedPayload {
  runId: string;
  /** Null when the row was too broken to carry an id. */
  caseId: null | string;
  caseIndex: number;
  /** 1-based line of the dataset file, when read from a file. */
  line: null | number;
  errorCode: string;
  reason: string;
  /** Version 2: what its paid LLM calls cost, retries included; null if none, and before version 2. */
  usage: null | LlmUsage;
}

export interface DatasetVersionRegistered extends EventEnvelope<'DatasetVersionRegistered'> {
  payload: DatasetVersionRegisteredPayload;
}

export interface DatasetVersionRegisteredPayload {
  datasetId: string;
  name: string;
  version: number;
  contentHash: string;
  /** jsonl, json or csv. */
  format: string;
  caseCount: number;
  /** Where the content is stored (blob key); content itself is never in the event. */
  contentRef: string;
  description: null | string;
}

export interface DriftDetected extends EventEnvelope<'DriftDetected'> {
  payload: DriftDetectedPayload;
}

/** A scheduled run's metric fell significantly below the schedule's rolling baseline: paired by case with the mean of each case's scores over the previous runs, the Wilcoxon signed-rank test is significant, the bootstrap interval of the mean difference lies below 0, and the mean drop exceeds the schedule's threshold (since version 2; version 1 compared means only). */
export interface DriftDetectedPayload {
  scheduleId: string;
  runId: string;
  metric: string;
  /** The run's mean of the metric over the paired cases (version 1: over all its cases). */
  current: number;
  /** The mean of the paired cases' baseline scores, each the mean of that case's scores over the baseline runs (version 1: the mean of the baseline runs' means). */
  baseline: number;
  /** baseline - current. */
  drop: number;
  threshold: number;
  baselineRunIds: string[];
  /** The schedule's dataset: routes' dedup groups drifts of one schedule and metric. */
  datasetId: string;
  /** Cases the run and at least one baseline run scored on this metric (0 in version 1 events). */
  pairedCases: number;
  /** Two-sided Wilcoxon signed-rank p-value over the paired cases (null in version 1 events). */
  pValue: null | number;
  /** Paired bootstrap interval of the mean difference (run - baseline) (null in version 1 events). */
  interval: null | DriftInterval;
  /** Effect sizes of the difference (null in version 1 events). */
  effectSize: null | DriftEffectSize;
}

export interface DriftInterval {
  low: number;
  high: number;
  /** Coverage, e.g. 0.95. */
  confidence: number;
}

export interface DriftEffectSize {
  /** Mean difference / standard deviation of the differences; null when they do not vary. */
  cohensDz: null | number;
  /** Matched-pairs rank-biserial correlation in [-1, 1]. */
  rankBiserial: number;
}

export interface DriftResolved extends EventEnvelope<'DriftResolved'> {
  payload: DriftResolvedPayload;
}

/** A scheduled run's metric is no longer significantly below the baseline its drift was detected against (or within the schedule's threshold of it): the drift episode ends. */
export interface DriftResolvedPayload {
  scheduleId: string;
  runId: string;
  metric: string;
  /** The run's mean of the metric over the cases paired with the episode's baseline (version 1: over all its cases). */
  current: number;
  /** The baseline of the DriftDetected this resolves. */
  baseline: number;
  /** The run whose DriftDetected opened the episode. */
  detectedByRunId: string;
  datasetId: string;
  /** Wilcoxon signed-rank p-value against the episode's baseline runs (null in version 1 events). */
  pValue: null | number;
  /** Mean of run - baseline over the paired cases (null in version 1 events). */
  meanDifference: null | number;
}

export interface EntriesForgotten extends EventEnvelope<'EntriesForgotten'> {
  payload: EntriesForgottenPayload;
}

/** Domain Memory: summary of the entries one maintenance pass or deletion request forgot (each also has its own FactForgotten or BehaviourForgotten). */
export interface EntriesForgottenPayload {
  entries: MemoryEntryRef[];
  /** Documented strings: stale, weak, deletion_request, consolidated, maintenance. */
  reason: string;
  requestId: null | string;
}

export interface MemoryEntryRef {
  /** Documented strings: fact, behaviour. */
  kind: string;
  id: string;
}

export interface FactConflictFlagged extends EventEnvelope<'FactConflictFlagged'> {
  payload: FactConflictFlaggedPayload;
}

/** Domain Memory: two facts share subject and predicate but their objects differ. Appended on both facts' streams; resolved by verification or maintenance, never merged. */
export interface FactConflictFlaggedPayload {
  /** The fact of this stream. */
  factId: string;
  /** The other fact. */
  conflictingFactId: string;
}

export interface FactContradicted extends EventEnvelope<'FactContradicted'> {
  payload: FactContradictedPayload;
}

/** Domain Memory: a conflict was resolved against this fact; its kind becomes contradictory. */
export interface FactContradictedPayload {
  factId: string;
  /** The better-verified fact kept instead. */
  keptFactId: string;
  /** Documented strings: verified (a reviewer verified the other), better_verified (maintenance). */
  reason: string;
}

export interface FactDecayed extends EventEnvelope<'FactDecayed'> {
  payload: FactDecayedPayload;
}

/** Domain Memory: maintenance lowered a fact's verification score for whole decay periods without re-verification (score x factor^periods). */
export interface FactDecayedPayload {
  factId: string;
  from: number;
  to: number;
  /** Whole periods decayed by this event, each counted once. */
  periods: number;
  /** End of the last period counted: the next decay counts periods from here (null: occurredAt). */
  decayedThrough: null | number;
}

export interface FactForgotten extends EventEnvelope<'FactForgotten'> {
  payload: FactForgottenPayload;
}

/** Domain Memory: a fact was forgotten and its content key destroyed, so its text is unreadable in every event. */
export interface FactForgottenPayload {
  factId: string;
  /** Documented strings: stale, weak, deletion_request, consolidated. */
  reason: string;
  /** The deletion request, for deletion_request. */
  requestId: null | string;
}

export interface FactProposed extends EventEnvelope<'FactProposed'> {
  payload: FactProposedPayload;
}

/** Domain Memory: a new fact (subject-predicate-object triple) was proposed, from a run or an import. Key memoryfact-<factId>. Its text travels sealed under the fact's own content key, so deleting that key makes it unreadable in every event. */
export interface FactProposedPayload {
  /** 32 hex of sha256(tenant, project, normalised subject, predicate, object): the same triple in a project is one fact. */
  factId: string;
  /** Content key the text is sealed with (the fact id). */
  keyId: string;
  /** AES-256-GCM (iv 12 bytes + tag 16 bytes + ciphertext) of the JSON {subject, predicate, object}. */
  sealed: Buffer;
  /** The case's metadata.domain, or the dataset name. */
  domain: string;
  /** The case's metadata.language, or en. */
  language: string;
  /** Documented strings: inferred (formed from a run), verified (imported as verified). */
  kind: string;
  /** In [0, 1]: the supporting case's faithfulness. */
  verificationScore: number;
  /** The run and case (or document) it came from. */
  sources: MemorySource[];
}

export interface FactRejected extends EventEnvelope<'FactRejected'> {
  payload: FactRejectedPayload;
}

/** Domain Memory: a reviewer (the envelope's actor) rejected a proposed fact; it is no longer used or searched by default. */
export interface FactRejectedPayload {
  factId: string;
  /** Why, as the reviewer said it. */
  reason: string;
}

export interface FactSupported extends EventEnvelope<'FactSupported'> {
  payload: FactSupportedPayload;
}

/** Domain Memory: another case or run states a known fact. Only sources the fact did not have yet. */
export interface FactSupportedPayload {
  factId: string;
  /** The new sources, never one the fact already has. */
  sources: MemorySource[];
  /** In [0, 1]: the supporting case's faithfulness. */
  score: number;
}

export interface FactVerified extends EventEnvelope<'FactVerified'> {
  payload: FactVerifiedPayload;
}

/** Domain Memory: a reviewer (the envelope's actor, with the memory.verify role) verified a fact, or maintenance kept it in a conflict. */
export interface FactVerifiedPayload {
  factId: string;
  /** Why, as the reviewer said it. */
  reason: null | string;
  /** In [0, 1], after this verification. */
  verificationScore: number;
  /** Verifications of the fact so far, this one included. */
  verificationCount: number;
}

export interface FactsConsolidated extends EventEnvelope<'FactsConsolidated'> {
  payload: FactsConsolidatedPayload;
}

/** Domain Memory: near-duplicate facts (same subject and predicate, similar objects) merged into the better-verified one. On the kept fact's stream; each merged fact gets FactForgotten (consolidated). */
export interface FactsConsolidatedPayload {
  keptFactId: string;
  mergedFactIds: string[];
  /** Sources of the merged facts the kept one did not have. */
  sources: MemorySource[];
}

export interface GateFailed extends EventEnvelope<'GateFailed'> {
  payload: GateFailedPayload;
}

export interface GateFailedPayload {
  /** Stable identity of the gate: hash of project, dataset id or name, and rules. */
  gateId: string;
  subject: RunSubject;
  rules: GateRuleResult[];
  baselineRunId: null | string;
  /** Where baseline rules took their baseline (run or memory, with the learnings' versions); null: no baseline rule, or before v3. */
  baselineSource: null | GateBaselineSource;
}

/** What a run evaluated: carried by verdict events so consumers need no other lookup. */
export interface RunSubject {
  runId: string;
  dataset: VersionRef;
  prompt: null | VersionRef;
  modelProfile: null | VersionRef;
  configHash: string;
}

/** A pinned version of a registry resource (dataset, prompt or model profile). */
export interface VersionRef {
  id: string;
  name: null | string;
  /** Null for an inline dataset submitted with the run. */
  version: null | number;
  /** sha256 of the resource content, hex. */
  contentHash: string;
}

/** One gate rule with the value it was judged on. */
export interface GateRuleResult {
  /** The rule as written, e.g. mean(faithfulness) >= 0.8. */
  rule: string;
  metric: string;
  /** mean, min, p10, p50, p90 or pass_rate. */
  aggregate: string;
  comparator: string;
  /** Resolved threshold (baseline expressions already evaluated). */
  threshold: number;
  /** Null when the metric produced no scores. */
  actual: null | number;
  passed: boolean;
  /** A baseline rule's baseline value (threshold = it + offset); null for a fixed threshold. */
  baselineValue: null | number;
  /** A baseline rule judged without a baseline value: passed follows missingBaseline. */
  noBaseline: boolean;
}

/** Where a gate's baseline rules took their baseline: the project's last passing run, or Domain Memory. */
export interface GateBaselineSource {
  /** Documented strings: run (the last passing run on the dataset), memory. */
  kind: string;
  /** kind run: the baseline run; null when there was none yet (the rules say noBaseline). */
  runId: null | string;
  /** kind memory: the learnings used, one per metric of a baseline rule that had one. */
  learnings: LearnedBaselineRef[];
}

/** A Domain Memory learning a gate compared with, at the version it had. */
export interface LearnedBaselineRef {
  metric: string;
  /** The learning (LearningUpdated.learningId). */
  learningId: string;
  /** Runs it had learned from (its baseline.count): one more per LearningUpdated. */
  version: number;
  /** The last run it had learned from. */
  runId: string;
}

export interface GatePassed extends EventEnvelope<'GatePassed'> {
  payload: GatePassedPayload;
}

export interface GatePassedPayload {
  /** Stable identity of the gate: hash of project, dataset id or name, and rules. */
  gateId: string;
  subject: RunSubject;
  rules: GateRuleResult[];
  baselineRunId: null | string;
  /** Where baseline rules took their baseline (run or memory, with the learnings' versions); null: no baseline rule, or before v3. */
  baselineSource: null | GateBaselineSource;
}

export interface IncidentResolved extends EventEnvelope<'IncidentResolved'> {
  payload: IncidentResolvedPayload;
}

/** PagerDuty accepted a resolve for the incident a failing gate opened, because the same gate passed again. */
export interface IncidentResolvedPayload {
  notificationId: string;
  routeId: string;
  /** pagerduty. */
  system: string;
  dedupKey: string;
  /** The GatePassed that resolved it. */
  triggerEventId: string;
}

export interface LearningUpdated extends EventEnvelope<'LearningUpdated'> {
  payload: LearningUpdatedPayload;
}

/** Domain Memory: what a run taught about one dataset and metric; the whole learning after the run. Key memorylearning-<learningId>. */
export interface LearningUpdatedPayload {
  /** 32 hex of sha256(tenant, project, datasetKey, metric). */
  learningId: string;
  /** The registered dataset's id, or inline:<name> for an inline dataset. */
  datasetKey: string;
  metric: string;
  /** The run learned from. */
  runId: string;
  baseline: MemoryBaseline;
  reliability: MemoryReliability[];
  failurePatterns: MemoryPattern[];
  successPatterns: MemoryPattern[];
}

/** The metric's aggregates over the project's runs of the dataset (running means over runs). */
export interface MemoryBaseline {
  /** Runs learned from. */
  count: number;
  mean: number;
  p10: number;
  p50: number;
  p90: number;
  /** Share of cases scoring at least 0.5. */
  passRate: number;
}

/** Exponential moving average of the metric's score over cases about one entity or relation type. */
export interface MemoryReliability {
  /** Documented strings: entity, relation. */
  type: string;
  /** The entity type (metadata.entityType or unknown) or relation (predicate). */
  name: string;
  /** In [0, 1]. */
  ema: number;
  samples: number;
}

/** A recurring trait of cases that failed (or all scored well) for one dataset and metric. */
export interface MemoryPattern {
  /** Documented strings: question_type, metric, contexts. */
  dimension: string;
  /** question_type: what, how, why, when, who, where, which, yes_no, other; metric: its name; contexts: none, one, few (2-4), many. */
  value: string;
  /** Cases with this trait over every run learned from. */
  count: number;
  /** The last run that had a case with this trait. */
  lastRunId: string;
}

export interface MemoryDeletionRequested extends EventEnvelope<'MemoryDeletionRequested'> {
  payload: MemoryDeletionRequestedPayload;
}

/** Domain Memory: someone (the envelope's actor, with memory.forget) asked to delete everything about a subject or from a source document. Key memorydeletion-<requestId>. The target text is never stored. */
export interface MemoryDeletionRequestedPayload {
  requestId: string;
  /** Documented strings: subject, document. */
  target: string;
  /** sha256 hex of the normalised target. */
  targetHash: string;
  /** Entries it matched (and EntriesForgotten lists). */
  matched: number;
}

export interface MemoryEntryForgotten extends EventEnvelope<'MemoryEntryForgotten'> {
  payload: MemoryEntryForgottenPayload;
}

export interface MemoryEntryForgottenPayload {
  entryId: string;
  reason: null | string;
}

export interface MemoryEntryRecorded extends EventEnvelope<'MemoryEntryRecorded'> {
  payload: MemoryEntryRecordedPayload;
}

export interface MemoryEntryRecordedPayload {
  entryId: string;
  /** fact, learning or behaviour. */
  kind: string;
  content: string;
  sourceRunId: null | string;
  confidence: number;
  tags: string[];
}

export interface MemoryEntryVerified extends EventEnvelope<'MemoryEntryVerified'> {
  payload: MemoryEntryVerifiedPayload;
}

export interface MemoryEntryVerifiedPayload {
  entryId: string;
  note: null | string;
}

export interface MemoryMaintenanceCompleted extends EventEnvelope<'MemoryMaintenanceCompleted'> {
  payload: MemoryMaintenanceCompletedPayload;
}

/** Domain Memory: one scheduled maintenance pass of a project finished; what it changed. Key memorymaintenance-<hash>. */
export interface MemoryMaintenanceCompletedPayload {
  decayed: number;
  forgotten: number;
  consolidated: number;
  conflictsResolved: number;
  /** The memory policy version applied (0: defaults). */
  policyVersion: number;
}

export interface MemoryPolicyChanged extends EventEnvelope<'MemoryPolicyChanged'> {
  payload: MemoryPolicyChangedPayload;
}

/** Domain Memory: a project's memory policy (formation thresholds, decay, forgetting, consolidation, search weights) was set. Key memorypolicy-<hash>. */
export interface MemoryPolicyChangedPayload {
  /** The whole validated policy as JSON, with its version (1 for the first set, one more per change). */
  policyJson: string;
}

export interface ModelProfileVersionRegistered extends EventEnvelope<'ModelProfileVersionRegistered'> {
  payload: ModelProfileVersionRegisteredPayload;
}

export interface ModelProfileVersionRegisteredPayload {
  modelProfileId: string;
  name: string;
  version: number;
  contentHash: string;
  /** openai, azure_openai, anthropic or ollama. */
  provider: string;
  model: string;
  /** Provider parameters (temperature, max tokens, ...) as a JSON text; never secrets. */
  parametersJson: string;
}

export interface NotificationAttemptFailed extends EventEnvelope<'NotificationAttemptFailed'> {
  payload: NotificationAttemptFailedPayload;
}

/** One delivery attempt failed and another is scheduled (the last one ends in NotificationFailed instead). */
export interface NotificationAttemptFailedPayload {
  notificationId: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** What went wrong; never a secret or a secret-bearing URL. */
  error: string;
  /** The destination's HTTP status, if it answered. */
  statusCode: null | number;
  /** What the destination's Retry-After asked for. */
  retryAfterMs: null | number;
  nextAttemptAt: number;
}

export interface NotificationDelivered extends EventEnvelope<'NotificationDelivered'> {
  payload: NotificationDeliveredPayload;
}

export interface NotificationDeliveredPayload {
  notificationId: string;
  routeId: string;
  /** jira, pagerduty, teams or slack. */
  destinationType: string;
  triggerEventId: string;
  remoteId: null | string;
  attempts: number;
}

export interface NotificationFailed extends EventEnvelope<'NotificationFailed'> {
  payload: NotificationFailedPayload;
}

export interface NotificationFailedPayload {
  notificationId: string;
  routeId: string;
  destinationType: string;
  triggerEventId: string;
  error: string;
  attempts: number;
}

export interface NotificationIntended extends EventEnvelope<'NotificationIntended'> {
  payload: NotificationIntendedPayload;
}

/** The notifier decided to tell a destination about an event: the first event of stream notification-<notificationId>, carrying everything the message says, so delivery needs no other lookup. */
export interface NotificationIntendedPayload {
  /** Derived from (triggerEventId, routeId): a redelivered trigger intends nothing new. */
  notificationId: string;
  routeId: string;
  routeName: string;
  /** jira, pagerduty, teams or slack. */
  destinationType: string;
  /** The route's destination when intended (secret references only). */
  destinationJson: string;
  severity: string;
  /** trigger (ticket, incident or message) or resolve (PagerDuty, when the gate passes again). */
  action: string;
  /** The PagerDuty dedup_key (per route and gate) or the Jira label naming this notification. */
  dedupKey: string;
  triggerEventId: string;
  /** GateFailed, GatePassed or RunFailed. */
  triggerType: string;
  triggerOccurredAt: number;
  runId: string;
  runUrl: string;
  gateId: null | string;
  /** Dataset, prompt and model-profile versions of the run, when known. */
  subject: null | RunSubject;
  /** Every rule of the verdict with its actual value; empty for RunFailed. */
  rules: GateRuleResult[];
  /** RunFailed's reason. */
  failureReason: null | string;
  failureMessage: null | string;
}

export interface NotificationRouteCreated extends EventEnvelope<'NotificationRouteCreated'> {
  payload: NotificationRouteCreatedPayload;
}

/** A project admin routed events to a destination (stream notifroute-<routeId>, owned by the notifier). */
export interface NotificationRouteCreatedPayload {
  routeId: string;
  /** Unique among the project's routes. */
  name: string;
  /** Event types that trigger it: GateFailed, RunFailed, GatePassed. */
  on: string[];
  /** critical, error, warning or info (PagerDuty's levels; mapped to Jira priorities). */
  severity: string;
  /** jira, pagerduty, teams or slack. */
  destinationType: string;
  /** The destination as JSON: URLs, keys and secret references (env:NAME or file:/path), never a secret itself. */
  destinationJson: string;
}

export interface NotificationRouteRemoved extends EventEnvelope<'NotificationRouteRemoved'> {
  payload: NotificationRouteRemovedPayload;
}

/** A route stopped: no new notification is intended for it; those already intended are still delivered. */
export interface NotificationRouteRemovedPayload {
  routeId: string;
  name: string;
}

export interface ProjectPolicyChanged extends EventEnvelope<'ProjectPolicyChanged'> {
  payload: ProjectPolicyChangedPayload;
}

/** A project's policy was set: what its runs may use (models, metrics, approved versions) and spend. */
export interface ProjectPolicyChangedPayload {
  /** The whole policy from now on, with its revision. */
  policy: ProjectPolicy;
  /** The fields this change set to another value, e.g. dailyCapUsd, allowedModels. */
  changed: string[];
  /** Why, as the admin said it. */
  reason: null | string;
}

/** What a project's runs may use and spend, as its admins set it; a null field does not limit. */
export interface ProjectPolicy {
  /** 1 for the policy first set, one more per change; 0 for the default policy (never set). */
  revision: number;
  /** provider:model or provider:* entries every model a run names (judge, model profile) must match. */
  allowedModels: null | string[];
  /** The metrics a run may name. */
  allowedMetrics: null | string[];
  /** The project's LLM spend per UTC day, across its runs, beside its budget. */
  dailyCapUsd: null | number;
  /** The project's LLM spend per UTC calendar month, across its runs. */
  monthlyCapUsd: null | number;
  /** Runs pin approved registry versions only (also on for projects the operator names). */
  approvedVersionsOnly: boolean;
}

export interface ProjectRoleGranted extends EventEnvelope<'ProjectRoleGranted'> {
  payload: ProjectRoleGrantedPayload;
}

export interface ProjectRoleGrantedPayload {
  subject: string;
  /** viewer, editor, approver, admin (project), or auditor, audit-admin (tenant: the stream of the tenant's roles, project *). */
  role: string;
}

export interface ProjectRoleRevoked extends EventEnvelope<'ProjectRoleRevoked'> {
  payload: ProjectRoleRevokedPayload;
}

/** A member lost their role in the project (the stream is the project's members). */
export interface ProjectRoleRevokedPayload {
  subject: string;
  /** The role the subject held until now. */
  role: string;
}

export interface PromptVersionRegistered extends EventEnvelope<'PromptVersionRegistered'> {
  payload: PromptVersionRegisteredPayload;
}

export interface PromptVersionRegisteredPayload {
  promptId: string;
  name: string;
  version: number;
  contentHash: string;
  template: string;
  variables: string[];
}

export interface RegistryVersionApproved extends EventEnvelope<'RegistryVersionApproved'> {
  payload: RegistryVersionApprovedPayload;
}

export interface RegistryVersionApprovedPayload {
  /** dataset, prompt or model_profile. */
  kind: string;
  resourceId: string;
  version: number;
  comment: null | string;
}

export interface RegistryVersionRejected extends EventEnvelope<'RegistryVersionRejected'> {
  payload: RegistryVersionRejectedPayload;
}

export interface RegistryVersionRejectedPayload {
  /** dataset, prompt or model_profile. */
  kind: string;
  resourceId: string;
  version: number;
  /** Why the version was rejected; required. */
  reason: string;
}

export interface RunCancelled extends EventEnvelope<'RunCancelled'> {
  payload: RunCancelledPayload;
}

export interface RunCancelledPayload {
  runId: string;
  reason: null | string;
}

export interface RunCompleted extends EventEnvelope<'RunCompleted'> {
  payload: RunCompletedPayload;
}

export interface RunCompletedPayload {
  runId: string;
  totalCases: number;
  evaluatedCases: number;
  failedCases: number;
  aggregates: MetricAggregate[];
  durationMs: number;
  usage: null | LlmUsage;
}

export interface MetricAggregate {
  metric: string;
  count: number;
  mean: number;
  min: number;
  max: number;
  p10: number;
  p50: number;
  p90: number;
}

export interface RunFailed extends EventEnvelope<'RunFailed'> {
  payload: RunFailedPayload;
}

export interface RunFailedPayload {
  runId: string;
  /** Machine-readable: budget, dataset_unreadable, provider_unavailable, internal. */
  reason: string;
  message: string;
  /** What the run evaluated (dataset, prompt, model versions, config hash); null in events written before version 2. */
  subject: null | RunSubject;
}

export interface RunRequested extends EventEnvelope<'RunRequested'> {
  payload: RunRequestedPayload;
}

export interface RunRequestedPayload {
  runId: string;
  dataset: VersionRef;
  prompt: null | VersionRef;
  modelProfile: null | VersionRef;
  metrics: string[];
  /** Empty: the run has no gate, no GatePassed or GateFailed (verdict none). */
  gateRules: string[];
  evaluatorVersion: string;
  /** sha256 of what the run pinned: dataset, prompt, model profile, metrics, gate, evaluator, judge, plugins. */
  configHash: string;
  labels: Record<string, string>;
  /** Run this one retries, if any. */
  retryOf: null | string;
  /** Cases submitted with the request instead of a registered dataset. */
  inlineCases: null | TestCase[];
  /** Rows of an inline dataset's file the client skipped as invalid (--skip-invalid), with their lines. */
  rejectedRows: null | RejectedRow[];
  /** A baseline rule without a baseline value: fail or pass. Before v3 gates passed it. */
  missingBaseline: string;
  /** Part of configHash; null when every metric is deterministic, and before v3. */
  judge: null | JudgeSnapshot;
  /** The project's policy at submission, checked then; its caps stop the judge. Not in configHash; null: none set. */
  policy: null | ProjectPolicy;
  /** Part of configHash when use is true; null: memory not used (and before v5). */
  memory: null | RunMemoryUse;
  /** Part of configHash when set; null: every metric is built in (and before v6). */
  plugins: null | PluginSnapshot[];
}

/** A dataset row the client could not submit; the run records it as a failed case. */
export interface RejectedRow {
  /** 1-based line of the client's dataset file. */
  line: number;
  /** The reader's code, e.g. INVALID_JSON, MISSING_FIELD. */
  errorCode: string;
  reason: string;
}

/** The LLM judge a run's judged metrics are scored with, as pinned at submission. */
export interface JudgeSnapshot {
  /** openai, azure_openai, anthropic or ollama. */
  provider: string;
  /** The model (Azure: the deployment). */
  model: string;
  /** JSON of what else shapes its answers (endpoint, temperature); never a secret. */
  parametersJson: string;
}

/** How the run uses Domain Memory. */
export interface RunMemoryUse {
  /** Baseline rules compare with memory's learned baseline of the dataset and metric; the report shows memory's insights. */
  use: boolean;
}

/** A plugin package whose metrics the run uses, as the runs service loaded it at submission. */
export interface PluginSnapshot {
  /** The npm package name. */
  name: string;
  /** The package version. */
  version: string;
  /** sha256:<hex> of the package's files (docs/plugins.md). */
  checksum: string;
}

export interface RunStarted extends EventEnvelope<'RunStarted'> {
  payload: RunStartedPayload;
}

export interface RunStartedPayload {
  runId: string;
  /** Known once the dataset has been read; null while streaming. */
  totalCases: null | number;
}

export interface ScheduleCreated extends EventEnvelope<'ScheduleCreated'> {
  payload: ScheduleCreatedPayload;
}

/** A project's scheduled evaluation: a cron expression in an IANA time zone runs a dataset with a metric set and gate. */
export interface ScheduleCreatedPayload {
  scheduleId: string;
  name: string;
  /** Five-field cron expression (minute hour day-of-month month day-of-week). */
  cron: string;
  /** IANA time zone the cron expression is read in, e.g. Europe/Paris. */
  timeZone: string;
  datasetId: string;
  /** The registered version every run uses; null: the latest approved version at each slot. */
  datasetVersion: null | number;
  metrics: string[];
  gateRules: string[];
  /** A metric's mean dropping by more than this below the schedule's baseline raises DriftDetected. */
  driftThreshold: number;
  /** How many previous scheduled runs the baseline is the mean of. */
  driftBaselineRuns: number;
  /** Epoch ms: the first slot considered is the first after this (the creation time). */
  notBefore: number;
}

export interface ScheduleDeleted extends EventEnvelope<'ScheduleDeleted'> {
  payload: ScheduleDeletedPayload;
}

/** A schedule ended for good: no run starts from it again (runs it started stay). */
export interface ScheduleDeletedPayload {
  scheduleId: string;
}

export interface SchedulePaused extends EventEnvelope<'SchedulePaused'> {
  payload: SchedulePausedPayload;
}

/** A schedule stopped starting runs until resumed; slots passing meanwhile are skipped, not caught up. */
export interface SchedulePausedPayload {
  scheduleId: string;
  reason: null | string;
}

export interface ScheduleResumed extends EventEnvelope<'ScheduleResumed'> {
  payload: ScheduleResumedPayload;
}

/** A paused schedule starts runs again, from the first slot after the resumption. */
export interface ScheduleResumedPayload {
  scheduleId: string;
  /** Epoch ms: slots up to this time are not caught up. */
  notBefore: number;
}

export interface ScheduledRunStarted extends EventEnvelope<'ScheduledRunStarted'> {
  payload: ScheduledRunStartedPayload;
}

/** A scheduler claimed a slot of a schedule and requested its run. Appended at the schedule stream's expected revision, so one slot starts one run however many schedulers race for it. */
export interface ScheduledRunStartedPayload {
  scheduleId: string;
  /** Epoch ms of the cron slot this run is for. */
  slot: number;
  runId: string;
  /** Earlier slots missed (downtime) that this one run stands for: a missed schedule runs once. */
  skippedSlots: number;
  /** The dataset version the run was given (the latest approved one when the schedule names no version); null: none was found and no run was requested. */
  dataset: null | VersionRef;
}

export interface SubjectForgotten extends EventEnvelope<'SubjectForgotten'> {
  payload: SubjectForgottenPayload;
}

export interface SubjectForgottenPayload {
  subject: string;
  reason: null | string;
}

export interface TicketCreated extends EventEnvelope<'TicketCreated'> {
  payload: TicketCreatedPayload;
}

export interface TicketCreatedPayload {
  notificationId: string;
  routeId: string;
  /** jira or pagerduty. */
  system: string;
  ticketKey: string;
  ticketUrl: null | string;
  triggerEventId: string;
}

export const EVENT_TYPES = [
  'AccessDenied',
  'ApiKeyIssued',
  'ApiKeyRevoked',
  'AuditRetentionChanged',
  'BehaviourForgotten',
  'BehaviourObserved',
  'BehaviourRecorded',
  'CaseBatchScheduled',
  'CaseEvaluated',
  'CaseFailed',
  'DatasetVersionRegistered',
  'DriftDetected',
  'DriftResolved',
  'EntriesForgotten',
  'FactConflictFlagged',
  'FactContradicted',
  'FactDecayed',
  'FactForgotten',
  'FactProposed',
  'FactRejected',
  'FactSupported',
  'FactVerified',
  'FactsConsolidated',
  'GateFailed',
  'GatePassed',
  'IncidentResolved',
  'LearningUpdated',
  'MemoryDeletionRequested',
  'MemoryEntryForgotten',
  'MemoryEntryRecorded',
  'MemoryEntryVerified',
  'MemoryMaintenanceCompleted',
  'MemoryPolicyChanged',
  'ModelProfileVersionRegistered',
  'NotificationAttemptFailed',
  'NotificationDelivered',
  'NotificationFailed',
  'NotificationIntended',
  'NotificationRouteCreated',
  'NotificationRouteRemoved',
  'ProjectPolicyChanged',
  'ProjectRoleGranted',
  'ProjectRoleRevoked',
  'PromptVersionRegistered',
  'RegistryVersionApproved',
  'RegistryVersionRejected',
  'RunCancelled',
  'RunCompleted',
  'RunFailed',
  'RunRequested',
  'RunStarted',
  'ScheduleCreated',
  'ScheduleDeleted',
  'SchedulePaused',
  'ScheduleResumed',
  'ScheduledRunStarted',
  'SubjectForgotten',
  'TicketCreated',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export type EvalVaultEvent =
  | AccessDenied
  | ApiKeyIssued
  | ApiKeyRevoked
  | AuditRetentionChanged
  | BehaviourForgotten
  | BehaviourObserved
  | BehaviourRecorded
  | CaseBatchScheduled
  | CaseEvaluated
  | CaseFailed
  | DatasetVersionRegistered
  | DriftDetected
  | DriftResolved
  | EntriesForgotten
  | FactConflictFlagged
  | FactContradicted
  | FactDecayed
  | FactForgotten
  | FactProposed
  | FactRejected
  | FactSupported
  | FactVerified
  | FactsConsolidated
  | GateFailed
  | GatePassed
  | IncidentResolved
  | LearningUpdated
  | MemoryDeletionRequested
  | MemoryEntryForgotten
  | MemoryEntryRecorded
  | MemoryEntryVerified
  | MemoryMaintenanceCompleted
  | MemoryPolicyChanged
  | ModelProfileVersionRegistered
  | NotificationAttemptFailed
  | NotificationDelivered
  | NotificationFailed
  | NotificationIntended
  | NotificationRouteCreated
  | NotificationRouteRemoved
  | ProjectPolicyChanged
  | ProjectRoleGranted
  | ProjectRoleRevoked
  | PromptVersionRegistered
  | RegistryVersionApproved
  | RegistryVersionRejected
  | RunCancelled
  | RunCompleted
  | RunFailed
  | RunRequested
  | RunStarted
  | ScheduleCreated
  | ScheduleDeleted
  | SchedulePaused
  | ScheduleResumed
  | ScheduledRunStarted
  | SubjectForgotten
  | TicketCreated;

export type EventOfType<T extends EventType> = Extract<EvalVaultEvent, { type: T }>;
