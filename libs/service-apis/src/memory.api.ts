import type { Page } from './runs.api.js';

/**
 * The memory service's internal API (Domain Memory, issue 15; design: the memory spec). Every
 * operation runs for the tenant and project of the signed internal identity; an id of another
 * tenant or project is a not-found, never a refusal. The gateway serves them under
 * `/v1/projects/{project}/memory/…`; the owner checks the roles too (verify/reject: approver;
 * deletions, maintenance, policy: admin).
 */
export const FACT_KINDS = ['verified', 'inferred', 'contradictory'] as const;
export type FactKind = (typeof FACT_KINDS)[number];
export const FACT_STATUSES = ['proposed', 'verified', 'rejected'] as const;
export type FactStatus = (typeof FACT_STATUSES)[number];

/** Where an entry came from: a run, one of its cases, or a source document. */
export interface MemorySourceView {
  kind: 'run' | 'case' | 'document';
  id: string;
  runId: string | null;
}

export interface FactView {
  factId: string;
  subject: string;
  predicate: string;
  object: string;
  domain: string;
  language: string;
  kind: FactKind;
  status: FactStatus;
  /** In [0, 1]; decays without re-verification (policy). */
  verificationScore: number;
  verificationCount: number;
  lastVerifiedAt: string | null;
  proposedAt: string;
  sources: MemorySourceView[];
  /** Facts flagged as conflicting with this one (same subject and predicate, another object). */
  conflictsWith: string[];
  /** A search hit's hybrid score (text rank, verification score, recency); null outside a search. */
  score?: number | null;
  /** In a search: whether the project's policy lets the fact be used (see SearchFactsQuery.usable). */
  usable?: boolean;
}

export interface BehaviourView {
  behaviourId: string;
  trigger: string;
  action: string;
  successRate: number;
  useCount: number;
  tokensSaved: number;
  sources: MemorySourceView[];
  score?: number | null;
}

export interface MemoryPatternView {
  dimension: 'question_type' | 'metric' | 'contexts';
  value: string;
  count: number;
  lastRunId: string;
}

export interface LearningView {
  learningId: string;
  datasetKey: string;
  metric: string;
  runId: string;
  baseline: { count: number; mean: number; p10: number; p50: number; p90: number; passRate: number };
  reliability: { type: 'entity' | 'relation'; name: string; ema: number; samples: number }[];
  failurePatterns: MemoryPatternView[];
  successPatterns: MemoryPatternView[];
  updatedAt: string;
}

/** What a search page says about how it searched: pgvector is used where present, never required. */
export interface MemorySearchMeta {
  query: string | null;
  vector: boolean;
}

export interface SearchFactsQuery {
  /** Full-text query (websearch syntax); none: newest first. */
  q?: string;
  domain?: string;
  kind?: FactKind;
  status?: FactStatus;
  /** Facts whose verification score is at least this, in [0, 1]. */
  minScore?: number;
  /**
   * true: only facts usable as knowledge under the policy (verified, or imported as verified, or
   * proposed inferred ones when `inferredUsableBeforeVerification`; never rejected or
   * contradictory); false: only the others. Absent: every fact (a reviewer's view).
   */
  usable?: boolean;
  limit?: number;
  cursor?: string;
}

export interface SearchBehavioursQuery {
  q?: string;
  /** Behaviours whose success rate is at least this, in [0, 1]. */
  minScore?: number;
  limit?: number;
  cursor?: string;
}

export interface ListLearningsQuery {
  /** A registered dataset id, or `inline:<name>`. */
  dataset?: string;
  metric?: string;
  limit?: number;
  cursor?: string;
}

export type FactPage = Page<FactView> & { meta: MemorySearchMeta };
export type BehaviourPage = Page<BehaviourView> & { meta: MemorySearchMeta };

export interface MemoryPolicy {
  inferredUsableBeforeVerification: boolean;
  formation: { factMinFaithfulness: number; behaviourMinScore: number };
  decay: { factor: number; periodDays: number };
  forgetting: { maxAgeDays: number; minVerificationCount: number; minScore: number };
  consolidation: { enabled: boolean; objectSimilarity: number };
  search: { textWeight: number; verificationWeight: number; recencyWeight: number; recencyHalfLifeDays: number };
  learning: { emaAlpha: number };
  maintenance: { intervalMinutes: number };
}

/** Sets the policy whole: a section left out keeps its defaults, and so does a field left out of a section. */
export interface SetMemoryPolicyRequest {
  inferredUsableBeforeVerification?: boolean;
  formation?: Partial<MemoryPolicy['formation']>;
  decay?: Partial<MemoryPolicy['decay']>;
  forgetting?: Partial<MemoryPolicy['forgetting']>;
  consolidation?: Partial<MemoryPolicy['consolidation']>;
  search?: Partial<MemoryPolicy['search']>;
  learning?: Partial<MemoryPolicy['learning']>;
  maintenance?: Partial<MemoryPolicy['maintenance']>;
  /** Why, for the audit log. */
  reason?: string | null;
}

export interface MemoryPolicyView {
  projectId: string;
  /** 0: never set (the defaults); one more per change. */
  version: number;
  policy: MemoryPolicy;
}

export interface MemoryDeletionRequest {
  target: 'subject' | 'document';
  /** The subject (normalised like a fact's) or the document id; never stored, only its hash. */
  value: string;
}

export interface MemoryDeletionResult {
  requestId: string;
  /** How many facts and behaviours it removed for good. */
  forgotten: number;
}

/**
 * A deletion request as the project's admins see it: what kind of target, how many entries it
 * removed, who filed it and when. Never the value asked for, nor its hash.
 */
export interface MemoryDeletionView {
  requestId: string;
  target: 'subject' | 'document';
  /** Facts and behaviours it removed for good. */
  forgotten: number;
  requestedBy: string | null;
  requestedAt: string;
}

export interface ListDeletionsQuery {
  limit?: number;
  cursor?: string;
}

/** A plain triple as exported and imported (`format: evalvault.memory.triples/v1`). */
export interface MemoryTriple {
  subject: string;
  predicate: string;
  object: string;
  domain?: string;
  language?: string;
  kind?: FactKind;
  status?: FactStatus;
  verificationScore?: number;
  verificationCount?: number;
  sources?: MemorySourceView[];
}

export const MEMORY_EXPORT_FORMAT = 'evalvault.memory.triples/v1';

export interface MemoryExport {
  format: typeof MEMORY_EXPORT_FORMAT;
  projectId: string;
  exportedAt: string;
  facts: MemoryTriple[];
}

export interface MemoryImportRequest {
  format?: typeof MEMORY_EXPORT_FORMAT;
  facts: MemoryTriple[];
}

export interface MemoryImportResult {
  /** New facts proposed. */
  proposed: number;
  /** Triples the project already had: recorded as support. */
  supported: number;
}

export interface MemoryMaintenanceResult {
  decayed: number;
  forgotten: number;
  consolidated: number;
  conflictsResolved: number;
  policyVersion: number;
}

/** A run against what memory learned: per-metric trend against the baseline, failure patterns it repeats. */
export interface RunInsights {
  runId: string;
  datasetKey: string | null;
  trends: {
    metric: string;
    mean: number | null;
    baselineMean: number | null;
    delta: number | null;
    direction: 'better' | 'worse' | 'same' | 'no baseline';
  }[];
  repeatedFailurePatterns: MemoryPatternView[];
}

export interface MemoryOperations {
  searchFacts: { input: SearchFactsQuery; output: FactPage };
  getFact: { input: { factId: string }; output: FactView };
  verifyFact: { input: { factId: string; reason?: string | null }; output: FactView };
  rejectFact: { input: { factId: string; reason: string }; output: FactView };
  searchBehaviours: { input: SearchBehavioursQuery; output: BehaviourPage };
  getBehaviour: { input: { behaviourId: string }; output: BehaviourView };
  listLearnings: { input: ListLearningsQuery; output: Page<LearningView> };
  requestDeletion: { input: MemoryDeletionRequest; output: MemoryDeletionResult };
  /** Admins only: the project's deletion requests, newest first. */
  listDeletions: { input: ListDeletionsQuery; output: Page<MemoryDeletionView> };
  getMemoryPolicy: { input: Record<string, never>; output: MemoryPolicyView };
  setMemoryPolicy: { input: SetMemoryPolicyRequest; output: MemoryPolicyView };
  exportMemory: { input: Record<string, never>; output: MemoryExport };
  importMemory: { input: MemoryImportRequest; output: MemoryImportResult };
  runMaintenance: { input: Record<string, never>; output: MemoryMaintenanceResult };
  runInsights: { input: { runId: string }; output: RunInsights };
}
