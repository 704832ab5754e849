import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { LearningUpdatedPayload, RunCompleted } from '@evalvault/contracts';
import { contextCausedBy, type ContentStore } from '@evalvault/platform';
import type { LearningView } from '@evalvault/service-apis';
import { learningIdOf, learningStreamId, normaliseText as normalise, objectSimilarity } from '../domain/index.js';
import type { MemoryWriteSide } from '../commands/memory.commands.js';
import type { MemoryMetrics } from '../memory-metrics.js';
import { MEMORY_SCHEMA as S } from '../migrations/memory.migrations.js';
import { RunFormation } from '../formation/index.js';
import { runCaseTexts } from './run-case-texts.js';
import { runInsights } from './run-insights.js';
import type { RunTracker } from './run-tracker.js';

/**
 * Forms memory when a run completes, from the events every run emits (whatever started it: CLI,
 * API or a schedule): the cases' scores kept since RunRequested, their texts (inline, or streamed
 * from the content store), the run's aggregates. Idempotent: a run is formed once
 * (`formed_runs`), and every decider ignores sources it already has, so a redelivered or
 * half-done formation proposes nothing twice.
 */
export class MemoryFormation {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tracker: RunTracker,
    private readonly content: ContentStore,
    private readonly commands: MemoryWriteSide,
    private readonly metrics: MemoryMetrics | null,
    private readonly logger: Logger,
  ) {}

  async formRun(event: RunCompleted): Promise<'formed' | 'skipped'> {
    const { tenantId, projectId } = event;
    const runId = event.payload.runId;
    const done: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM ${S}.formed_runs WHERE tenant_id = $1 AND run_id = $2`,
      [tenantId, runId],
    );
    if (done.length > 0) return 'skipped';
    const run = await this.tracker.run(tenantId, runId);
    if (!run || run.projectId !== projectId) {
      // Its RunRequested was never seen (a consumer that started at the latest offset): nothing to form from.
      await this.markFormed(event, { skipped: 'no RunRequested seen' });
      this.metrics?.runsFormed.inc({ outcome: 'skipped' });
      return 'skipped';
    }
    const timer = this.metrics?.formationDuration.startTimer();
    try {
      const context = contextCausedBy(event);
      const { policy } = await this.commands.policy(context);
      const previous = new Map<string, LearningUpdatedPayload>();
      const learnedBefore: Pick<LearningView, 'metric' | 'baseline' | 'failurePatterns'>[] = [];
      for (const metric of run.metrics) {
        const id = learningIdOf(tenantId, projectId, run.datasetKey, metric);
        const { state } = await this.commands.learnings.load(learningStreamId(id), context);
        if (state.learning) {
          previous.set(metric, state.learning);
          learnedBefore.push(state.learning as unknown as LearningView);
        }
      }
      const formation = new RunFormation(
        { tenantId, projectId, runId, datasetKey: run.datasetKey, datasetName: run.datasetName, metrics: run.metrics },
        policy,
        previous,
      );
      // Texts and scores both come in dataset order: merged as they stream, neither held whole.
      const scores = this.tracker.cases(tenantId, runId)[Symbol.asyncIterator]();
      let next = await scores.next();
      for await (const text of runCaseTexts(run, this.content)) {
        while (!next.done && next.value.caseIndex < text.index) next = await scores.next();
        const scored = !next.done && next.value.caseIndex === text.index ? next.value : undefined;
        formation.addCase({ ...text, scores: scored?.scores ?? {}, failed: scored?.failed ?? false });
      }
      const result = formation.result(event.payload.aggregates);

      const proposedIds: string[] = [];
      for (const fact of result.facts) {
        const events = await this.commands.propose(
          {
            subject: fact.subject,
            predicate: fact.predicate,
            object: fact.object,
            domain: fact.domain,
            language: fact.language,
            kind: 'inferred',
            score: fact.score,
            sources: fact.sources,
          },
          context,
        );
        const proposed = events?.find((e) => e.type === 'FactProposed');
        if (proposed?.type === 'FactProposed') proposedIds.push(proposed.payload.factId);
      }
      await this.flagConflicts(proposedIds, context);
      for (const behaviour of result.behaviours) {
        const { behaviourId, source, tokensSaved } = behaviour;
        if (!behaviour.succeeded) {
          // A case that did not go well only counts against a behaviour that exists.
          const observe = { type: 'ObserveBehaviour' as const, behaviourId, succeeded: false, tokensSaved, source };
          await this.commands.behaviour(behaviourId, observe, context);
          continue;
        }
        const sealed = await this.commands.sealBehaviour(tenantId, behaviourId, behaviour.trigger, behaviour.action);
        if (!sealed) continue;
        const recorded = {
          behaviourId,
          keyId: behaviourId,
          sealed,
          successRate: 1,
          useCount: 1,
          tokensSaved,
          sources: [source],
        };
        await this.commands.behaviour(behaviourId, { type: 'RecordBehaviour', behaviour: recorded }, context);
      }
      const insights = runInsights({
        runId,
        datasetKey: run.datasetKey,
        aggregates: event.payload.aggregates,
        learned: learnedBefore,
        failurePatterns: result.runFailurePatterns as Parameters<typeof runInsights>[0]['failurePatterns'],
        gateFailures: run.gateFailures,
      });
      for (const learning of result.learnings) {
        const handled = await this.commands.learnings.handle(
          learningStreamId(learning.learningId),
          { type: 'UpdateLearning', learning },
          context,
        );
        await this.commands.applied(handled.events);
      }
      await this.dataSource.transaction(async (manager) => {
        await manager.query(
          `INSERT INTO ${S}.run_insights (tenant_id, run_id, project_id, insights, created_at)
           VALUES ($1, $2, $3, $4, now()) ON CONFLICT (tenant_id, run_id) DO NOTHING`,
          [tenantId, runId, projectId, JSON.stringify(insights)],
        );
        await this.markFormed(event, { facts: result.facts.length, behaviours: result.behaviours.length }, manager);
        await this.tracker.forget(tenantId, runId, manager);
      });
      this.metrics?.runsFormed.inc({ outcome: 'formed' });
      this.logger.info(
        { runId, projectId, facts: result.facts.length, learnings: result.learnings.length },
        'memory formed from a completed run',
      );
      return 'formed';
    } catch (error) {
      this.metrics?.runsFormed.inc({ outcome: 'failed' });
      throw error;
    } finally {
      timer?.();
    }
  }

  /** A new fact whose subject and predicate another fact of the project has, with a dissimilar object: both flagged. */
  private async flagConflicts(factIds: readonly string[], context: ReturnType<typeof contextCausedBy>): Promise<void> {
    if (factIds.length === 0) return;
    const { policy } = await this.commands.policy(context);
    const rows: { fact_id: string; subject_norm: string; predicate: string; object: string }[] =
      await this.dataSource.query(
        `SELECT other.fact_id, other.subject_norm, other.predicate, other.object, f.fact_id AS new_id
         FROM ${S}.facts f JOIN ${S}.facts other
           ON other.tenant_id = f.tenant_id AND other.project_id = f.project_id
          AND other.subject_norm = f.subject_norm AND other.fact_id <> f.fact_id
          AND other.status <> 'rejected' AND other.kind <> 'contradictory'
         WHERE f.fact_id = ANY ($1::text[]) AND f.tenant_id = $2`,
        [factIds, context.tenantId],
      );
    const news: { fact_id: string; predicate: string; object: string }[] = await this.dataSource.query(
      `SELECT fact_id, predicate, object FROM ${S}.facts WHERE fact_id = ANY ($1::text[]) AND tenant_id = $2`,
      [factIds, context.tenantId],
    );
    const byId = new Map(news.map((row) => [row.fact_id, row]));
    for (const row of rows as ((typeof rows)[number] & { new_id: string })[]) {
      const fresh = byId.get(row.new_id);
      if (!fresh || normalise(fresh.predicate) !== normalise(row.predicate)) continue;
      if (objectSimilarity(fresh.object, row.object) >= policy.consolidation.objectSimilarity) continue;
      await this.commands.fact(
        fresh.fact_id,
        { type: 'FlagFactConflict', factId: fresh.fact_id, conflictingFactId: row.fact_id },
        context,
      );
      await this.commands.fact(
        row.fact_id,
        { type: 'FlagFactConflict', factId: row.fact_id, conflictingFactId: fresh.fact_id },
        context,
      );
    }
  }

  private async markFormed(
    event: RunCompleted,
    summary: Record<string, unknown>,
    on: Pick<DataSource, 'query'> = this.dataSource,
  ): Promise<void> {
    await on.query(
      `INSERT INTO ${S}.formed_runs (tenant_id, run_id, project_id, formed_at, summary) VALUES ($1, $2, $3, now(), $4)
       ON CONFLICT (tenant_id, run_id) DO NOTHING`,
      [event.tenantId, event.payload.runId, event.projectId, JSON.stringify(summary)],
    );
  }
}
