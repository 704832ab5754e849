import type { MetricAggregate } from '@evalvault/contracts';
import { parseGateRules, type BaselineRun } from '@evalvault/evaluation';
import type { CommandContext, EventStore } from '@evalvault/platform';
import type { RunState } from '../run/run.decider.js';
import type { RunRepository } from '../run/run.repository.js';
import { datasetKeyOf } from '../projection/index.js';

/** Finds the project's last passing run on the same dataset, for `baseline` rules. */
export interface BaselineFinder {
  findBaseline(
    tenantId: string,
    projectId: string,
    datasetKey: string,
    excludeRunId: string,
  ): Promise<{ runId: string; aggregates: MetricAggregate[] } | null>;
}

/**
 * Completes a run whose cases are all accounted for. The I/O is here: the baseline run when a
 * rule asks for one, and when the run started; the run decider computes the aggregates and
 * decides the gate.
 */
export class RunCompleter {
  constructor(
    private readonly runs: RunRepository,
    private readonly store: EventStore,
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
    await this.runs.handle(
      streamId,
      {
        type: 'CompleteRun',
        scope: { tenant: context.tenantId, project: context.projectId },
        baseline,
        durationMs: Math.max(0, this.now() - (await this.startedAt(streamId))),
      },
      context,
    );
  }

  private async startedAt(streamId: string): Promise<number> {
    const first = await this.store.readStream(streamId, { maxCount: 2 });
    return first.find((recorded) => recorded.event.type === 'RunStarted')?.event.occurredAt ?? this.now();
  }
}
