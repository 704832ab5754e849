import { parseGateRules, type BaselineRun } from '@evalvault/evaluation';
import type { CommandContext } from '@evalvault/platform';
import type { RunState } from '../run/run.decider.js';
import type { RunRepository } from '../run/run.repository.js';
import { datasetKeyOf } from '../projection/index.js';

/**
 * Finds the project's last passing run on the same dataset, for `baseline` rules, with its case
 * scores: every aggregate a rule can name is computed from them as for the run judged.
 */
export interface BaselineFinder {
  findBaseline(
    tenantId: string,
    projectId: string,
    datasetKey: string,
    excludeRunId: string,
  ): Promise<BaselineRun | null>;
}

/**
 * Completes a run whose cases are all accounted for: gathers what the decision needs (the run's
 * scores, the baseline run when a rule asks for one, when the run started) from the repository and
 * the baseline finder; the run decider computes the aggregates and decides the gate.
 */
export class RunCompleter {
  constructor(
    private readonly runs: RunRepository,
    private readonly baselines: BaselineFinder,
    private readonly now: () => number,
  ) {}

  async complete(streamId: string, state: RunState, context: CommandContext): Promise<void> {
    const request = state.request!;
    const needsBaseline = parseGateRules(request.gateRules).some((rule) => rule.threshold.kind === 'baseline');
    const baseline: BaselineRun | null = needsBaseline
      ? await this.baselines.findBaseline(
          context.tenantId,
          context.projectId,
          datasetKeyOf(request.dataset),
          request.runId,
        )
      : null;
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
}
