import type { RunCompleted } from '@evalvault/contracts';
import type { CommandContext } from '@evalvault/platform';
import type { Logger } from 'pino';
import type { RunsQueries } from '../projection/index.js';
import { runStreamId, type RunRepository } from '../run/run.repository.js';
import type { CaseScores } from './drift.js';
import type { ScheduleState } from './schedule.decider.js';
import { SCHEDULE_LABEL, scheduleStreamId, type ScheduleRepository } from './schedule.repository.js';

type Scope = { tenantId: string; projectId: string };

/**
 * The watcher role: when a run a schedule requested completes, its case scores are compared with
 * those of the schedule's previous finished runs (from the read model, through the query run
 * comparison pairs cases with) on the schedule's stream, which records DriftDetected / DriftResolved
 * (see drift.ts for the rule).
 */
export class DriftWatcher {
  constructor(
    private readonly runs: RunRepository,
    private readonly schedules: ScheduleRepository,
    private readonly queries: RunsQueries,
    private readonly logger: Logger,
  ) {}

  async onRunCompleted(event: RunCompleted): Promise<void> {
    const { runId } = event.payload;
    const scheduleId = (await this.runs.requestOf(runStreamId(runId)))?.payload.labels[SCHEDULE_LABEL];
    if (!scheduleId) return; // not a scheduled run
    const scope = { tenantId: event.tenantId, projectId: event.projectId };
    const { state } = await this.schedules.load(scheduleStreamId(scheduleId), scope);
    const position = state.runIds.indexOf(runId);
    if (!state.schedule || position < 0) return;
    // This consumer group may be ahead of the read model's: retried until the run's cases are all there.
    const view = await this.queries.getRun(scope.tenantId, scope.projectId, runId);
    if (view?.status !== 'completed')
      throw new Error(`drift watcher: run ${runId} is not completed in the read model yet`);
    const runIds = await this.finishedBefore(scope, state, position);
    const { current, scores } = await this.caseScores(scope, runId, baselineRunsOf(state, runIds));
    const context: CommandContext = {
      ...scope,
      actor: { subject: 'system:runs-watcher', authMethod: 'system', apiKeyId: null },
      correlationId: event.correlationId,
      causationId: event.eventId,
    };
    const { events } = await this.schedules.handle(
      scheduleStreamId(scheduleId),
      { type: 'AssessDrift', runId, current, runIds, scores },
      context,
    );
    for (const recorded of events) this.logger.warn({ scheduleId, runId, event: recorded.type }, 'schedule drift');
  }

  /** The last N completed runs before this one, oldest first: failed or cancelled runs are no baseline. */
  private async finishedBefore(scope: Scope, state: ScheduleState, position: number): Promise<string[]> {
    const runIds: string[] = [];
    for (const earlier of state.runIds.slice(0, position).reverse()) {
      if (runIds.length >= (state.schedule?.driftBaselineRuns ?? 0)) break;
      const view = await this.queries.getRun(scope.tenantId, scope.projectId, earlier);
      if (view?.status === 'completed') runIds.unshift(earlier);
    }
    return runIds;
  }

  /**
   * Each baseline run's scores of the cases it shares with this run, and this run's scores of those
   * cases: run comparison's query, once per baseline run. A case no baseline run scored is unpaired
   * and left out, as the comparison would leave it out.
   */
  private async caseScores(
    scope: Scope,
    runId: string,
    baselineRunIds: readonly string[],
  ): Promise<{ current: CaseScores; scores: Record<string, CaseScores> }> {
    const current: Record<string, Readonly<Record<string, number>>> = {};
    const scores: Record<string, CaseScores> = {};
    for (const baselineRunId of baselineRunIds) {
      const shared = await this.queries.sharedCaseScores(scope.tenantId, scope.projectId, baselineRunId, runId);
      scores[baselineRunId] = Object.fromEntries(shared.map((entry) => [entry.caseId, entry.base]));
      for (const entry of shared) current[entry.caseId] = entry.candidate;
    }
    return { current, scores };
  }
}

/** The runs a baseline may use: the last N finished ones and the baseline runs of open episodes. */
function baselineRunsOf(state: ScheduleState, runIds: readonly string[]): string[] {
  const episodes = Object.values(state.openDrifts).flatMap((open) => open.baselineRunIds);
  return [...new Set([...runIds, ...episodes])];
}
