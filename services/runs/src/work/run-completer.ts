import type { MetricAggregate, RunRequestedPayload } from '@evalvault/contracts';
import { aggregateMetrics, evaluateGate, gateIdentity, parseGateRules } from '@evalvault/evaluation';
import type { CommandContext, EventStore } from '@evalvault/platform';
import type { RunState } from '../run/run.decider.js';
import type { RunRepository } from '../run/run.repository.js';
import { datasetKeyOf } from '../projection/index.js';

/** Finds the project's last passing run on the same dataset, for `baseline` rules. */
export interface BaselineFinder {
  findBaseline(tenantId: string, projectId: string, datasetKey: string, excludeRunId: string): Promise<{ runId: string; aggregates: MetricAggregate[] } | null>;
}

/**
 * Completes a run whose cases are all accounted for: aggregates per metric, the gate
 * verdict (against the baseline run when a rule asks for one), the gate's identity for
 * notifications, and the run's duration since it started.
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
    const rules = parseGateRules(request.gateRules);
    const needsBaseline = rules.some((rule) => rule.threshold.kind === 'baseline');
    const baseline = needsBaseline
      ? await this.baselines.findBaseline(context.tenantId, context.projectId, datasetKeyOf(request.dataset), request.runId)
      : null;
    const verdict = evaluateGate(rules, state.scores, baseline);
    const gateId = gateIdentity({ tenant: context.tenantId, project: context.projectId, dataset: datasetScope(request) }, rules);
    await this.runs.handle(streamId, {
      type: 'CompleteRun',
      aggregates: aggregateMetrics(state.scores),
      durationMs: Math.max(0, this.now() - (await this.startedAt(streamId))),
      verdict: {
        passed: verdict.passed, gateId, rules: verdict.rules, baselineRunId: verdict.baselineRunId,
        subject: { runId: request.runId, dataset: request.dataset, prompt: request.prompt, modelProfile: request.modelProfile, configHash: request.configHash },
      },
    }, context);
  }

  private async startedAt(streamId: string): Promise<number> {
    const first = await this.store.readStream(streamId, { maxCount: 2 });
    return first.find((recorded) => recorded.event.type === 'RunStarted')?.event.occurredAt ?? this.now();
  }
}

function datasetScope(request: RunRequestedPayload): { id: string } | { name: string } {
  return request.dataset.version === null ? { name: request.dataset.name ?? request.dataset.id } : { id: request.dataset.id };
}
