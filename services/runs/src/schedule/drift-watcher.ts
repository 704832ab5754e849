import type { MetricAggregate, RunCompleted } from '@evalvault/contracts';
import type { CommandContext } from '@evalvault/platform';
import type { Logger } from 'pino';
import type { RunsQueries } from '../projection/index.js';
import { runStreamId, type RunRepository } from '../run/run.repository.js';
import type { MetricMeans } from './drift.js';
import { SCHEDULE_LABEL, scheduleStreamId, type ScheduleRepository } from './schedule.repository.js';

const meansOf = (aggregates: readonly MetricAggregate[]): MetricMeans =>
  Object.fromEntries(aggregates.map((aggregate) => [aggregate.metric, aggregate.mean]));

/**
 * The watcher role: when a run a schedule requested completes, its means are compared with the
 * means of the schedule's previous finished runs (from the read model) on the schedule's stream,
 * which records DriftDetected / DriftResolved (see drift.ts for the episode rule).
 */
export class DriftWatcher {
  constructor(
    private readonly runs: RunRepository,
    private readonly schedules: ScheduleRepository,
    private readonly queries: RunsQueries,
    private readonly logger: Logger,
  ) {}

  async onRunCompleted(event: RunCompleted): Promise<void> {
    const { runId, aggregates } = event.payload;
    const scheduleId = (await this.runs.requestOf(runStreamId(runId)))?.payload.labels[SCHEDULE_LABEL];
    if (!scheduleId) return; // not a scheduled run
    const scope = { tenantId: event.tenantId, projectId: event.projectId };
    const { state } = await this.schedules.load(scheduleStreamId(scheduleId), scope);
    const position = state.runIds.indexOf(runId);
    if (!state.schedule || position < 0) return;
    const previous: MetricMeans[] = [];
    const runIds: string[] = [];
    for (const earlier of state.runIds.slice(0, position).reverse()) {
      if (previous.length >= state.schedule.driftBaselineRuns) break;
      const view = await this.queries.getRun(scope.tenantId, scope.projectId, earlier);
      if (view?.status !== 'completed') continue; // failed or cancelled runs are no baseline
      previous.unshift(meansOf(view.aggregates));
      runIds.unshift(earlier);
    }
    const context: CommandContext = {
      ...scope,
      actor: { subject: 'system:runs-watcher', authMethod: 'system', apiKeyId: null },
      correlationId: event.correlationId,
      causationId: event.eventId,
    };
    const { events } = await this.schedules.handle(
      scheduleStreamId(scheduleId),
      { type: 'AssessDrift', runId, current: meansOf(aggregates), previous, runIds },
      context,
    );
    for (const recorded of events) this.logger.warn({ scheduleId, runId, event: recorded.type }, 'schedule drift');
  }
}
