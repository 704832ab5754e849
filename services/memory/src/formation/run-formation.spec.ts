import type { MetricAggregate } from '@evalvault/contracts';
import { BEHAVIOUR_DECIDER, decideBehaviour, type BehaviourState } from '../domain/behaviour.decider.js';
import { FACT_DECIDER, decideFact, initialFactState, type FactState } from '../domain/fact.decider.js';
import { LEARNING_DECIDER, decideLearning } from '../domain/learning.js';
import { factIdOf, learningIdOf } from '../domain/memory-ids.js';
import { DEFAULT_MEMORY_POLICY } from '../domain/memory-policy.js';
import { RunFormation, faithfulnessMetricOf, formRun, type FormationCase, type FormationRun } from './run-formation.js';

const run = (metrics: string[], runId = 'run-1'): FormationRun => ({
  tenantId: 't1',
  projectId: 'p1',
  runId,
  datasetKey: 'ds-geo',
  datasetName: 'geo-qa',
  metrics,
});

const aCase = (id: string, over: Partial<FormationCase> = {}): FormationCase => ({
  id,
  question: 'What is the capital of France?',
  answer: 'Paris is the capital of France.',
  contexts: ['Paris is the capital and largest city of France.'],
  metadataJson: null,
  scores: {},
  failed: false,
  ...over,
});

const aggregate = (metric: string, mean: number, count = 2): MetricAggregate => ({
  metric,
  count,
  mean,
  min: 0,
  max: 1,
  p10: mean,
  p50: mean,
  p90: mean,
});

const policy = DEFAULT_MEMORY_POLICY;

describe('run formation: facts', () => {
  it('forms facts at faithfulness ≥ 0.7 (0.7 included, 0.69 not)', () => {
    const result = formRun(
      run(['faithfulness']),
      [
        aCase('c-70', { scores: { faithfulness: 0.7 } }),
        aCase('c-69', { scores: { faithfulness: 0.69 }, answer: 'Lyon is a city in France.' }),
      ],
      policy,
      [],
    );
    expect(result.facts).toEqual([
      {
        factId: factIdOf('t1', 'p1', 'Paris', 'is', 'the capital of France'),
        subject: 'Paris',
        predicate: 'is',
        object: 'the capital of France',
        domain: 'geo-qa',
        language: 'en',
        score: 0.7,
        caseId: 'c-70',
        sources: [
          { kind: 'run', id: 'run-1', runId: null },
          { kind: 'case', id: 'c-70', runId: 'run-1' },
        ],
      },
    ]);
  });

  it('uses faithfulness_lexical only when the run has no faithfulness', () => {
    expect(faithfulnessMetricOf(['token_f1', 'faithfulness_lexical'])).toBe('faithfulness_lexical');
    expect(faithfulnessMetricOf(['faithfulness_lexical', 'faithfulness'])).toBe('faithfulness');
    expect(faithfulnessMetricOf(['token_f1'])).toBeNull();
    const lexical = formRun(
      run(['token_f1', 'faithfulness_lexical']),
      [aCase('c1', { scores: { token_f1: 0.1, faithfulness_lexical: 0.75 } })],
      policy,
      [],
    );
    expect(lexical.facts.map((f) => [f.subject, f.score])).toEqual([['Paris', 0.75]]);
    const both = formRun(
      run(['faithfulness', 'faithfulness_lexical']),
      [aCase('c1', { scores: { faithfulness: 0.5, faithfulness_lexical: 0.95 } })],
      policy,
      [],
    );
    expect(both.facts).toEqual([]);
    expect(formRun(run(['token_f1']), [aCase('c1', { scores: { token_f1: 1 } })], policy, []).facts).toEqual([]);
  });

  it('metadata.facts takes precedence over the extractor; domain and language from metadata', () => {
    const metadataJson = JSON.stringify({
      domain: 'geography',
      language: 'fr',
      facts: [
        { subject: 'Paris', predicate: 'capitale de', object: 'la France' },
        { subject: 'paris', predicate: 'Capitale de', object: 'la France.' },
      ],
    });
    const result = formRun(
      run(['faithfulness']),
      [
        aCase('c1', { scores: { faithfulness: 0.9 }, metadataJson }),
        aCase('c2', { scores: { faithfulness: 0.9 }, metadata: { facts: [] } }),
      ],
      policy,
      [],
    );
    // The same triple twice in one case is one proposal; an empty facts list forms nothing (no extractor).
    expect(result.facts.map((f) => [f.caseId, f.subject, f.predicate, f.object, f.domain, f.language])).toEqual([
      ['c1', 'Paris', 'capitale de', 'la France', 'geography', 'fr'],
    ]);
  });

  it('forms no fact from a failed case, nor with a policy threshold above its score', () => {
    const strict = { ...policy, formation: { ...policy.formation, factMinFaithfulness: 0.95 } };
    expect(formRun(run(['faithfulness']), [aCase('c1', { scores: { faithfulness: 0.9 } })], strict, []).facts).toEqual(
      [],
    );
    expect(
      formRun(run(['faithfulness']), [aCase('c1', { scores: { faithfulness: 0.9 }, failed: true })], policy, []).facts,
    ).toEqual([]);
  });
});

describe('run formation: patterns and behaviours', () => {
  const metrics = ['token_f1', 'faithfulness_lexical'];
  const cases = [
    // Every score ≥ 0.8 (0.8 included): a success.
    aCase('good', { scores: { token_f1: 0.8, faithfulness_lexical: 0.9 } }),
    // token_f1 < 0.5: a failure on token_f1; not a success.
    aCase('low', {
      question: 'Why is Paris the capital?',
      contexts: [],
      scores: { token_f1: 0.4, faithfulness_lexical: 0.79 },
    }),
    // CaseFailed: a failure on every metric, no scores.
    aCase('broken', { question: 'Is Paris big?', contexts: ['a', 'b', 'c', 'd', 'e'], failed: true }),
  ];
  const result = formRun(run(metrics), cases, policy, [
    aggregate('token_f1', 0.6),
    aggregate('faithfulness_lexical', 0.85),
  ]);

  it('counts failure patterns per metric: question type, contexts, and the metric that went wrong', () => {
    const tokenF1 = result.learnings.find((l) => l.metric === 'token_f1')!;
    expect(tokenF1.failurePatterns.map((p) => [p.dimension, p.value, p.count])).toEqual([
      ['contexts', 'many', 1],
      ['contexts', 'none', 1],
      ['metric', 'token_f1', 1],
      ['question_type', 'why', 1],
      ['question_type', 'yes_no', 1],
    ]);
    const lexical = result.learnings.find((l) => l.metric === 'faithfulness_lexical')!;
    expect(lexical.failurePatterns.map((p) => [p.dimension, p.value, p.count])).toEqual([
      ['contexts', 'many', 1],
      ['question_type', 'yes_no', 1],
    ]);
    expect(result.runFailurePatterns).toContainEqual({ dimension: 'metric', value: 'token_f1', count: 1 });
  });

  it('success patterns and behaviours come from cases with every score ≥ behaviourMinScore', () => {
    expect(result.runSuccessPatterns).toEqual([
      { dimension: 'contexts', value: 'one', count: 1 },
      { dimension: 'question_type', value: 'what', count: 1 },
    ]);
    expect(result.behaviours.map((b) => [b.caseId, b.trigger, b.succeeded])).toEqual([
      ['good', 'what:capital', true],
      ['low', 'why:capital', false],
    ]);
    expect(result.behaviours[0]!.action).toBe('answer from 1 context, cite them, ≤ 10 words');
  });

  it('learns baselines from the aggregates and pass rates from the cases', () => {
    const tokenF1 = result.learnings.find((l) => l.metric === 'token_f1')!;
    expect(tokenF1.learningId).toBe(learningIdOf('t1', 'p1', 'ds-geo', 'token_f1'));
    // token_f1: 0.8 passes, 0.4 does not: 1 / 2.
    expect(tokenF1.baseline).toEqual({ count: 1, mean: 0.6, p10: 0.6, p50: 0.6, p90: 0.6, passRate: 0.5 });
  });
});

describe('run formation: learnings over runs', () => {
  it('keeps an EMA of relation and entity types across cases and runs (0.3 × 0.5 + 0.7 × 0.8 = 0.71)', () => {
    const first = formRun(
      run(['token_f1']),
      [aCase('c1', { scores: { token_f1: 0.8 }, metadata: { entityType: 'city' } })],
      policy,
      [aggregate('token_f1', 0.8, 1)],
    );
    const previous = new Map(first.learnings.map((l) => [l.metric, l]));
    const second = formRun(
      run(['token_f1'], 'run-2'),
      [aCase('c1', { scores: { token_f1: 0.5 }, metadata: { entityType: 'city' } })],
      policy,
      [aggregate('token_f1', 0.6, 1)],
      previous,
    );
    const learning = second.learnings[0]!;
    expect(learning.reliability.map((r) => [r.type, r.name, r.samples])).toEqual([
      ['entity', 'city', 2],
      ['relation', 'is', 2],
    ]);
    expect(learning.reliability[0]!.ema).toBeCloseTo(0.71, 12);
    expect(learning.baseline.count).toBe(2);
    expect(learning.baseline.mean).toBeCloseTo(0.7, 12);
    expect(learning.baseline.passRate).toBeCloseTo(1, 12);
  });
});

describe('run formation: idempotent', () => {
  it('a re-formed run proposes the same, and the deciders decide nothing the second time', () => {
    const cases = [
      aCase('c1', { scores: { faithfulness: 0.9, token_f1: 0.9 } }),
      aCase('c2', { scores: { faithfulness: 0.8, token_f1: 0.85 } }),
    ];
    const aggregates = [aggregate('faithfulness', 0.85), aggregate('token_f1', 0.875)];
    const once = formRun(run(['faithfulness', 'token_f1']), cases, policy, aggregates);
    const twice = formRun(run(['faithfulness', 'token_f1']), cases, policy, aggregates);
    expect(twice).toEqual(once);
    // Both cases state the same triple: one fact, proposed by c1 and supported by c2.
    expect(new Set(once.facts.map((f) => f.factId)).size).toBe(1);

    const facts = new Map<string, FactState>();
    const behaviours = new Map<string, BehaviourState>();
    let learning = LEARNING_DECIDER.initialState;
    const apply = (result: typeof once): string[] => {
      const decided: string[] = [];
      for (const f of result.facts) {
        const state = facts.get(f.factId) ?? initialFactState;
        const proposal = {
          factId: f.factId,
          keyId: f.factId,
          sealed: Buffer.from('sealed'),
          domain: f.domain,
          language: f.language,
          kind: 'inferred',
          verificationScore: f.score,
          sources: f.sources,
        };
        const events = decideFact({ type: 'ProposeFact', proposal, at: 1 }, state);
        facts.set(f.factId, FACT_DECIDER.evolveWith(state, events));
        decided.push(...events.map((e) => e.type));
      }
      for (const b of result.behaviours.filter((b) => b.succeeded)) {
        const state = behaviours.get(b.behaviourId) ?? BEHAVIOUR_DECIDER.initialState;
        const behaviour = {
          behaviourId: b.behaviourId,
          keyId: b.behaviourId,
          sealed: Buffer.from('sealed'),
          successRate: 1,
          useCount: 1,
          tokensSaved: b.tokensSaved,
          sources: [b.source],
        };
        const events = decideBehaviour({ type: 'RecordBehaviour', behaviour }, state);
        behaviours.set(b.behaviourId, BEHAVIOUR_DECIDER.evolveWith(state, events));
        decided.push(...events.map((e) => e.type));
      }
      for (const l of result.learnings.filter((l) => l.metric === 'token_f1')) {
        const events = decideLearning({ type: 'UpdateLearning', learning: l }, learning);
        learning = LEARNING_DECIDER.evolveWith(learning, events);
        decided.push(...events.map((e) => e.type));
      }
      return decided;
    };
    expect(apply(once)).toEqual([
      'FactProposed',
      'FactSupported',
      'BehaviourRecorded',
      'BehaviourObserved',
      'LearningUpdated',
    ]);
    expect(apply(twice)).toEqual([]);
  });

  it('streams: RunFormation fed case by case equals formRun', () => {
    const cases = [aCase('c1', { scores: { faithfulness: 0.9 } }), aCase('c2', { scores: { faithfulness: 0.2 } })];
    const formation = new RunFormation(run(['faithfulness']), policy);
    for (const c of cases) formation.addCase(c);
    expect(formation.result([aggregate('faithfulness', 0.55)])).toEqual(
      formRun(run(['faithfulness']), cases, policy, [aggregate('faithfulness', 0.55)]),
    );
  });
});
