import type { LearningUpdatedPayload, MemoryPattern, MemoryReliability, MetricAggregate } from '@evalvault/contracts';
import type { MemoryPolicy } from '@evalvault/service-apis';
import type { CaseText } from '../runs/run-case-texts.js';
import type { TrackedCase } from '../runs/run-tracker.js';
import { normaliseText as normalise } from '../domain/index.js';

/** A triple as formation found it, before it is sealed and proposed. */
export interface FormedFact {
  subject: string;
  predicate: string;
  object: string;
  domain: string;
  language: string;
  score: number;
  caseId: string;
}

export interface FormedBehaviour {
  trigger: string;
  action: string;
  succeeded: boolean;
  caseId: string;
}

export interface FormationResult {
  facts: FormedFact[];
  behaviours: FormedBehaviour[];
  /** Per metric: the learning after this run (ids filled in by the caller). */
  learnings: Omit<LearningUpdatedPayload, 'learningId'>[];
  /** This run's own failure patterns (counts in this run only), for its insights. */
  runFailurePatterns: { dimension: string; value: string; count: number }[];
}

const QUESTION_WORDS = new Set(['what', 'how', 'why', 'when', 'who', 'where', 'which']);
const YES_NO = new Set([
  'is',
  'are',
  'am',
  'do',
  'does',
  'did',
  'can',
  'could',
  'should',
  'will',
  'would',
  'was',
  'were',
  'has',
  'have',
  'had',
  'may',
  'must',
  'shall',
]);
const STOPWORDS = new Set([
  ...QUESTION_WORDS,
  ...YES_NO,
  'the',
  'and',
  'for',
  'with',
  'from',
  'that',
  'this',
  'there',
  'their',
  'into',
  'about',
  'your',
  'you',
  'our',
  'not',
  'any',
  'all',
  'its',
  'they',
  'them',
  'then',
  'than',
  'long',
  'often',
  'much',
  'many',
]);
const VERBS = 'is|are|was|were|has|have|contains|includes|uses|requires|supports';
const TRIPLE = new RegExp(`^(.{2,120}?)\\s+(${VERBS})\\s+(.{1,300})$`, 'i');
const MAX_TEXT = 500;

/** what/how/why/when/who/where/which, yes_no, or other: the first word's class. */
export function questionType(question: string): string {
  const first = /[\p{L}]+/u.exec(question.toLowerCase())?.[0] ?? '';
  if (QUESTION_WORDS.has(first)) return first;
  return YES_NO.has(first) ? 'yes_no' : 'other';
}

export function contextsBucket(count: number): string {
  return count === 0 ? 'none' : count === 1 ? 'one' : count <= 4 ? 'few' : 'many';
}

/** The longest word of the question that is not a stopword (ties: the first). */
export function topKeyword(question: string): string {
  let best = '';
  for (const word of question.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
    if (word.length >= 3 && !STOPWORDS.has(word) && word.length > best.length) best = word;
  return best || 'any';
}

const clean = (text: string): string =>
  text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s.,;:!?]+$/u, '');

/** Triples from an answer's sentences: "X is|are|…|supports Y". Deterministic, small, English only. */
export function extractTriples(answer: string): { subject: string; predicate: string; object: string }[] {
  const triples = [];
  for (const sentence of answer.split(/(?<=[.!?])\s+|\n+/)) {
    const match = TRIPLE.exec(clean(sentence));
    if (!match) continue;
    const [, subject, predicate, object] = match as unknown as [string, string, string, string];
    if (clean(subject) && clean(object))
      triples.push({ subject: clean(subject), predicate: predicate.toLowerCase(), object: clean(object) });
  }
  return triples;
}

/** metadata.facts when it holds well-formed triples, else null. */
function metadataTriples(metadata: Record<string, unknown> | undefined) {
  const facts = metadata?.['facts'];
  if (!Array.isArray(facts)) return null;
  const triples = [];
  for (const fact of facts) {
    if (typeof fact !== 'object' || fact === null) continue;
    const { subject, predicate, object } = fact as Record<string, unknown>;
    if ([subject, predicate, object].every((v) => typeof v === 'string' && clean(v).length > 0 && v.length <= MAX_TEXT))
      triples.push({
        subject: clean(subject as string),
        predicate: clean(predicate as string),
        object: clean(object as string),
      });
  }
  return triples;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value.trim() : null);

class Counts {
  private readonly counts = new Map<string, { dimension: string; value: string; count: number }>();
  add(dimension: string, value: string): void {
    const key = `${dimension}\0${value}`;
    const entry = this.counts.get(key) ?? { dimension, value, count: 0 };
    entry.count += 1;
    this.counts.set(key, entry);
  }
  all() {
    return [...this.counts.values()];
  }
}

function mergePatterns(previous: readonly MemoryPattern[], run: Counts, runId: string): MemoryPattern[] {
  const merged = new Map(previous.map((p) => [`${p.dimension}\0${p.value}`, { ...p }]));
  for (const { dimension, value, count } of run.all()) {
    const key = `${dimension}\0${value}`;
    const before = merged.get(key);
    merged.set(key, { dimension, value, count: (before?.count ?? 0) + count, lastRunId: runId });
  }
  return [...merged.values()].sort(
    (a, b) => b.count - a.count || a.dimension.localeCompare(b.dimension) || a.value.localeCompare(b.value),
  );
}

/**
 * Memory formed from one completed run's cases, fed in dataset order (each with its scores):
 * facts from faithful cases, failure patterns from failed ones, success patterns and behaviours
 * from cases scoring well on every metric, and per metric the learning after the run (running
 * baseline over runs, EMA reliability of relation and entity types, merged patterns).
 */
export class RunFormation {
  readonly facts: FormedFact[] = [];
  readonly behaviours: FormedBehaviour[] = [];
  private readonly failures = new Map<string, Counts>();
  private readonly successes = new Counts();
  private readonly runFailures = new Counts();
  private readonly reliability = new Map<string, Map<string, MemoryReliability>>();
  private readonly passes = new Map<string, { passed: number; scored: number }>();
  private readonly faithfulness: string | null;

  constructor(
    private readonly run: { runId: string; datasetKey: string; datasetName: string | null; metrics: string[] },
    private readonly policy: MemoryPolicy,
    private readonly previous: ReadonlyMap<string, LearningUpdatedPayload>,
  ) {
    this.faithfulness = run.metrics.includes('faithfulness')
      ? 'faithfulness'
      : run.metrics.includes('faithfulness_lexical')
        ? 'faithfulness_lexical'
        : null;
    for (const metric of run.metrics) {
      this.failures.set(metric, new Counts());
      const before = previous.get(metric)?.reliability ?? [];
      this.reliability.set(metric, new Map(before.map((r) => [`${r.type}\0${r.name}`, { ...r }])));
    }
  }

  addCase(text_: CaseText, tracked: TrackedCase | undefined): void {
    const scores = tracked?.scores ?? {};
    const failed = tracked?.failed ?? false;
    const caseId = text_.id;
    const qType = questionType(text_.question);
    const contexts = contextsBucket(text_.contexts.length);
    const metadata = text_.metadata;
    const triples = metadataTriples(metadata) ?? extractTriples(text_.answer);
    const scored = Object.entries(scores).filter(([metric]) => this.failures.has(metric));

    // Facts from faithful cases.
    const faith = this.faithfulness === null ? undefined : scores[this.faithfulness];
    if (!failed && faith !== undefined && faith >= this.policy.formation.factMinFaithfulness) {
      const domain = text(metadata?.['domain']) ?? this.run.datasetName ?? this.run.datasetKey;
      const language = text(metadata?.['language']) ?? 'en';
      for (const triple of triples) this.facts.push({ ...triple, domain, language, score: faith, caseId });
    }

    // Failure patterns: a failed case, or any metric below 0.5.
    const low = scored.filter(([, score]) => score < 0.5).map(([metric]) => metric);
    if (failed || low.length > 0) {
      for (const metric of failed ? [...this.failures.keys()] : low) {
        const counts = this.failures.get(metric)!;
        counts.add('question_type', qType);
        counts.add('contexts', contexts);
        counts.add('metric', metric);
      }
      this.runFailures.add('question_type', qType);
      this.runFailures.add('contexts', contexts);
      for (const metric of low) this.runFailures.add('metric', metric);
    }

    // Success patterns and behaviours: every score at least behaviourMinScore.
    const succeeded =
      !failed && scored.length > 0 && scored.every(([, score]) => score >= this.policy.formation.behaviourMinScore);
    if (succeeded) {
      this.successes.add('question_type', qType);
      this.successes.add('contexts', contexts);
    }
    if (!failed && scored.length > 0) {
      const words = Math.max(10, Math.ceil(text_.answer.split(/\s+/).filter(Boolean).length / 10) * 10);
      const n = text_.contexts.length;
      this.behaviours.push({
        trigger: `${qType}:${topKeyword(text_.question)}`,
        action: `answer from ${n} context${n === 1 ? '' : 's'}, cite them, ≤ ${words} words`,
        succeeded,
        caseId,
      });
    }

    // Reliability: EMA of each metric's score over the case's relation and entity types.
    const alpha = this.policy.learning.emaAlpha;
    const entityType = text(metadata?.['entityType']) ?? 'unknown';
    const names = [...new Set(triples.map((t) => `relation\0${normalise(t.predicate)}`)), `entity\0${entityType}`];
    for (const [metric, score] of scored) {
      const pass = this.passes.get(metric) ?? { passed: 0, scored: 0 };
      pass.scored += 1;
      if (score >= 0.5) pass.passed += 1;
      this.passes.set(metric, pass);
      const table = this.reliability.get(metric)!;
      for (const key of names) {
        const [type, name] = key.split('\0') as [string, string];
        const before = table.get(key);
        table.set(
          key,
          before
            ? { type, name, ema: alpha * score + (1 - alpha) * before.ema, samples: before.samples + 1 }
            : { type, name, ema: score, samples: 1 },
        );
      }
    }
  }

  result(aggregates: readonly MetricAggregate[]): FormationResult {
    const learnings: FormationResult['learnings'] = [];
    for (const aggregate of aggregates) {
      if (!this.failures.has(aggregate.metric) || aggregate.count === 0) continue;
      const before = this.previous.get(aggregate.metric);
      const n = before?.baseline.count ?? 0;
      const running = (old: number | undefined, now: number) => (old === undefined ? now : (old * n + now) / (n + 1));
      const pass = this.passes.get(aggregate.metric);
      const passRate = pass && pass.scored > 0 ? pass.passed / pass.scored : 0;
      learnings.push({
        datasetKey: this.run.datasetKey,
        metric: aggregate.metric,
        runId: this.run.runId,
        baseline: {
          count: n + 1,
          mean: running(before?.baseline.mean, aggregate.mean),
          p10: running(before?.baseline.p10, aggregate.p10),
          p50: running(before?.baseline.p50, aggregate.p50),
          p90: running(before?.baseline.p90, aggregate.p90),
          passRate: running(before?.baseline.passRate, passRate),
        },
        reliability: [...this.reliability.get(aggregate.metric)!.values()].sort(
          (a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name),
        ),
        failurePatterns: mergePatterns(
          before?.failurePatterns ?? [],
          this.failures.get(aggregate.metric)!,
          this.run.runId,
        ),
        successPatterns: mergePatterns(before?.successPatterns ?? [], this.successes, this.run.runId),
      });
    }
    return { facts: this.facts, behaviours: this.behaviours, learnings, runFailurePatterns: this.runFailures.all() };
  }
}
