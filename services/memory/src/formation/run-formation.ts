import type { LearningUpdatedPayload, MemoryReliability, MemorySource, MetricAggregate } from '@evalvault/contracts';
import type { MemoryPolicy } from '@evalvault/service-apis';
import { emaStep, foldBaseline, mergePatterns, sortReliability } from '../domain/learning.js';
import { behaviourIdOf, factIdOf, learningIdOf, normaliseText } from '../domain/memory-ids.js';
import { behaviourAction, behaviourTrigger, contextsBucket, questionType } from './question.js';
import { caseMetadata, extractTriples, metadataTriples, type Triple } from './triples.js';

/** One case of a completed run: its texts (inline or from the content store) and its scores. */
export interface FormationCase {
  id: string;
  question: string;
  answer: string;
  contexts: readonly string[];
  /** The case's metadata: the object, or the TestCase's metadataJson text. */
  metadata?: Record<string, unknown> | null;
  metadataJson?: string | null;
  /** metric → score in [0, 1] (CaseEvaluated); empty for a case that failed before scoring. */
  scores: Readonly<Record<string, number>>;
  /** CaseFailed. */
  failed: boolean;
}

/** The run formation learns from. */
export interface FormationRun {
  tenantId: string;
  projectId: string;
  runId: string;
  /** datasetKeyOf(the run's dataset): the registered id, or inline:<name>. */
  datasetKey: string;
  /** The dataset's name: a fact's domain when its case's metadata names none. */
  datasetName: string | null;
  /** The metrics the run asked for. */
  metrics: readonly string[];
}

export interface FactProposal extends Triple {
  factId: string;
  domain: string;
  language: string;
  /** The case's faithfulness (or faithfulness_lexical): the fact's verificationScore / support score. */
  score: number;
  caseId: string;
  /** The run and the case. */
  sources: MemorySource[];
}

export interface BehaviourProposal {
  behaviourId: string;
  trigger: string;
  action: string;
  /** Every score ≥ formation.behaviourMinScore: record it (RecordBehaviour); else only observe (ObserveBehaviour). */
  succeeded: boolean;
  caseId: string;
  /** 0: a run scored without memory saved nothing; counted when a run that used memory reports it. */
  tokensSaved: number;
  source: MemorySource;
}

export interface PatternCount {
  dimension: 'question_type' | 'metric' | 'contexts';
  value: string;
  count: number;
}

export interface FormationResult {
  facts: FactProposal[];
  behaviours: BehaviourProposal[];
  /** Per metric of the run with scores: the whole learning after this run, for LearningUpdated. */
  learnings: LearningUpdatedPayload[];
  /** This run's own pattern counts (not merged with earlier runs), for its insights. */
  runFailurePatterns: PatternCount[];
  runSuccessPatterns: PatternCount[];
}

/** The faithfulness metric facts are judged by: faithfulness, else faithfulness_lexical, else none (no facts). */
export function faithfulnessMetricOf(metrics: readonly string[]): string | null {
  if (metrics.includes('faithfulness')) return 'faithfulness';
  return metrics.includes('faithfulness_lexical') ? 'faithfulness_lexical' : null;
}

/** A score below this is a failure (failure patterns) and is not a pass (baseline passRate). */
export const FAILURE_SCORE = 0.5;

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value.trim() : null);

class PatternCounts {
  private readonly counts = new Map<string, PatternCount>();
  add(dimension: PatternCount['dimension'], value: string): void {
    const key = `${dimension}\0${value}`;
    const entry = this.counts.get(key) ?? { dimension, value, count: 0 };
    entry.count += 1;
    this.counts.set(key, entry);
  }
  all(): PatternCount[] {
    return [...this.counts.values()].sort(
      (a, b) => b.count - a.count || a.dimension.localeCompare(b.dimension) || a.value.localeCompare(b.value),
    );
  }
}

/**
 * Memory formed from one completed run, fed its cases one at a time (a run may have a million):
 * - facts from cases not failed whose faithfulness (faithfulness_lexical when the run has no
 *   faithfulness) is ≥ formation.factMinFaithfulness: metadata.facts when present, else the
 *   extractor over the answer; domain = metadata.domain or the dataset name, language =
 *   metadata.language or en; sources: the run and the case;
 * - failure patterns (question type, contexts, metric) from cases that failed or have a score < 0.5;
 * - success patterns and behaviours from cases whose every score is ≥ formation.behaviourMinScore
 *   (other scored cases are observed against an existing behaviour, never create one);
 * - per metric, the learning after the run: baseline (running means of the run aggregates),
 *   EMA reliability of relation types (predicates) and entity types (metadata.entityType or
 *   unknown), failure and success patterns added to the earlier ones.
 * Pure and deterministic: the same run formed twice gives the same proposals, whose sources the
 * deciders already have, so nothing is decided twice.
 */
export class RunFormation {
  private readonly facts: FactProposal[] = [];
  private readonly behaviours: BehaviourProposal[] = [];
  private readonly failures = new Map<string, PatternCounts>();
  private readonly successes = new PatternCounts();
  private readonly runFailures = new PatternCounts();
  private readonly reliability = new Map<string, Map<string, MemoryReliability>>();
  private readonly passes = new Map<string, { passed: number; scored: number }>();
  private readonly faithfulness: string | null;
  private readonly runSource: MemorySource;

  constructor(
    private readonly run: FormationRun,
    private readonly policy: MemoryPolicy,
    /** metric → the learning before this run (LearningUpdated's payload), if any. */
    private readonly previous: ReadonlyMap<string, LearningUpdatedPayload> = new Map(),
  ) {
    this.faithfulness = faithfulnessMetricOf(run.metrics);
    this.runSource = { kind: 'run', id: run.runId, runId: null };
    for (const metric of run.metrics) {
      this.failures.set(metric, new PatternCounts());
      const before = previous.get(metric)?.reliability ?? [];
      this.reliability.set(metric, new Map(before.map((r) => [`${r.type}\0${r.name}`, { ...r }])));
    }
  }

  addCase(testCase: FormationCase): void {
    const metadata = caseMetadata(testCase.metadata ?? testCase.metadataJson);
    const triples = metadataTriples(metadata) ?? extractTriples(testCase.answer);
    const scored = Object.entries(testCase.scores).filter(
      ([metric, score]) => this.failures.has(metric) && Number.isFinite(score),
    );
    const qType = questionType(testCase.question);
    const contexts = contextsBucket(testCase.contexts.length);
    const caseSource: MemorySource = { kind: 'case', id: testCase.id, runId: this.run.runId };

    this.formFacts(testCase, metadata, triples, caseSource);

    const low = scored.filter(([, score]) => score < FAILURE_SCORE).map(([metric]) => metric);
    if (testCase.failed || low.length > 0) {
      for (const metric of testCase.failed ? this.failures.keys() : low) {
        const counts = this.failures.get(metric)!;
        counts.add('question_type', qType);
        counts.add('contexts', contexts);
        if (!testCase.failed) counts.add('metric', metric);
      }
      this.runFailures.add('question_type', qType);
      this.runFailures.add('contexts', contexts);
      for (const metric of low) this.runFailures.add('metric', metric);
    }

    if (!testCase.failed && scored.length > 0) {
      const succeeded = scored.every(([, score]) => score >= this.policy.formation.behaviourMinScore);
      if (succeeded) {
        this.successes.add('question_type', qType);
        this.successes.add('contexts', contexts);
      }
      const trigger = behaviourTrigger(testCase.question);
      this.behaviours.push({
        behaviourId: behaviourIdOf(this.run.tenantId, this.run.projectId, trigger),
        trigger,
        action: behaviourAction(testCase.contexts.length, testCase.answer),
        succeeded,
        caseId: testCase.id,
        tokensSaved: 0,
        source: caseSource,
      });
    }

    const alpha = this.policy.learning.emaAlpha;
    const entityType = text(metadata['entityType']) ?? 'unknown';
    const types: ['entity' | 'relation', string][] = [
      ...[...new Set(triples.map((t) => normaliseText(t.predicate)))].map((name): ['relation', string] => [
        'relation',
        name,
      ]),
      ['entity', entityType],
    ];
    for (const [metric, score] of scored) {
      const pass = this.passes.get(metric) ?? { passed: 0, scored: 0 };
      pass.scored += 1;
      if (score >= FAILURE_SCORE) pass.passed += 1;
      this.passes.set(metric, pass);
      const table = this.reliability.get(metric)!;
      for (const [type, name] of types) {
        const key = `${type}\0${name}`;
        const before = table.get(key);
        table.set(key, {
          type,
          name,
          ema: emaStep(before?.ema ?? null, score, alpha),
          samples: (before?.samples ?? 0) + 1,
        });
      }
    }
  }

  private formFacts(
    testCase: FormationCase,
    metadata: Record<string, unknown>,
    triples: readonly Triple[],
    caseSource: MemorySource,
  ): void {
    if (testCase.failed || this.faithfulness === null) return;
    const score = testCase.scores[this.faithfulness];
    if (score === undefined || !Number.isFinite(score) || score < this.policy.formation.factMinFaithfulness) return;
    const domain = text(metadata['domain']) ?? this.run.datasetName ?? this.run.datasetKey;
    const language = text(metadata['language']) ?? 'en';
    const seen = new Set<string>();
    for (const triple of triples) {
      const factId = factIdOf(this.run.tenantId, this.run.projectId, triple.subject, triple.predicate, triple.object);
      if (seen.has(factId)) continue;
      seen.add(factId);
      this.facts.push({
        factId,
        ...triple,
        domain,
        language,
        score,
        caseId: testCase.id,
        sources: [this.runSource, caseSource],
      });
    }
  }

  /** Ends the run: its learnings from the run's aggregates (RunCompleted), with what the cases taught. */
  result(aggregates: readonly MetricAggregate[]): FormationResult {
    const learnings: LearningUpdatedPayload[] = [];
    const successes = this.successes.all();
    for (const aggregate of aggregates) {
      const failures = this.failures.get(aggregate.metric);
      if (!failures || aggregate.count === 0) continue;
      const before = this.previous.get(aggregate.metric) ?? null;
      const pass = this.passes.get(aggregate.metric);
      learnings.push({
        learningId: learningIdOf(this.run.tenantId, this.run.projectId, this.run.datasetKey, aggregate.metric),
        datasetKey: this.run.datasetKey,
        metric: aggregate.metric,
        runId: this.run.runId,
        baseline: foldBaseline(before?.baseline ?? null, {
          mean: aggregate.mean,
          p10: aggregate.p10,
          p50: aggregate.p50,
          p90: aggregate.p90,
          passRate: pass && pass.scored > 0 ? pass.passed / pass.scored : 0,
        }),
        reliability: sortReliability([...this.reliability.get(aggregate.metric)!.values()]),
        failurePatterns: mergePatterns(before?.failurePatterns ?? [], failures.all(), this.run.runId),
        successPatterns: mergePatterns(before?.successPatterns ?? [], successes, this.run.runId),
      });
    }
    return {
      facts: [...this.facts],
      behaviours: [...this.behaviours],
      learnings,
      runFailurePatterns: this.runFailures.all(),
      runSuccessPatterns: successes,
    };
  }
}

/** The whole formation of a run whose cases are at hand (see RunFormation for a streamed run). */
export function formRun(
  run: FormationRun,
  cases: Iterable<FormationCase>,
  policy: MemoryPolicy,
  aggregates: readonly MetricAggregate[],
  previous: ReadonlyMap<string, LearningUpdatedPayload> = new Map(),
): FormationResult {
  const formation = new RunFormation(run, policy, previous);
  for (const testCase of cases) formation.addCase(testCase);
  return formation.result(aggregates);
}
