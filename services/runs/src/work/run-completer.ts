import { parseGateRules, type BaselineRun, type GateBaseline, type LearnedBaselines } from '@evalvault/evaluation';
import type { CommandContext } from '@evalvault/platform';
import type { RunState } from '../run/run.decider.js';
import type { RunRepository } from '../run/run.repository.js';
import { datasetKeyOf, memoryDatasetKeyOf } from '../projection/index.js';

/**
 * Finds what `baseline` rules compare with: the project's last passing run on the same dataset,
 * with its case scores (every aggregate a rule can name is computed from them as for the run
 * judged), or, for a run that uses memory, Domain Memory's learned baselines of the dataset as
 * this service last heard of them (LearningUpdated).
 */
export interface BaselineFinder {
  findBaseline(
    tenantId: string,
    projectId: string,
    datasetKey: string,
    excludeRunId: string,
  ): Promise<BaselineRun | null>;
  findLearnedBaselines(
    tenantId: string,
    projectId: string,
    memoryDatasetKey: string,
    metrics: readonly string[],
  ): Promise<LearnedBaselines>;
}

/**
 * Completes a run whose cases are all accounted for: gathers what the decision needs (the run's
 * scores, the baseline when a rule asks for one, when the run started) from the repository and
 * the baseline finder; the run decider computes the aggregates and decides the gate.
 */
export class RunCompleter {
  constructor(
    private readonly runs: RunRepository,
    private readonly baselines: BaselineFinder,
    private readonly now: () => number,
  ) {}

  async complete(streamId: string, state: RunState, context: CommandContext): Promise<void> {
    const baseline = await this.baselineOf(state, context);
    const startedAt = (await this.runs.startedAt(streamId)) ?? this.now();
    // Every case is accounted for, so the stream gains no more scores: these are all of them.
    const scores = await this.runs.scoresOf(streamId);
    await this.runs.handle(
      streamId,
      {
        type: 'CompleteRun',
        scope: { tenant: context.tenantId, project: context.projectId },
        baseline,
        durationMs: Math.max(0, this.now() - startedAt),
        scores,
      },
      context,
    );
  }

  /** None unless a rule names the baseline; memory's learnings for a run using memory, else the last passing run. */
  private async baselineOf(state: RunState, context: CommandContext): Promise<GateBaseline | null> {
    const request = state.request!;
    const baselineRules = parseGateRules(request.gateRules).filter((rule) => rule.threshold.kind === 'baseline');
    if (baselineRules.length === 0) return null;
    const { tenantId, projectId } = context;
    if (request.memory?.use) {
      const metrics = [...new Set(baselineRules.map((rule) => rule.metric))];
      return this.baselines.findLearnedBaselines(tenantId, projectId, memoryDatasetKeyOf(request.dataset), metrics);
    }
    return this.baselines.findBaseline(tenantId, projectId, datasetKeyOf(request.dataset), request.runId);
  }
}
