import { START, type EventStore, type GlobalPosition, type Scope } from '@evalvault/platform';
import type { ScheduleView } from '@evalvault/service-apis';
import { evolveSchedule, initialScheduleState, type ScheduleEvent, type ScheduleState } from './schedule.decider.js';
import { ScheduleError, ScheduleErrorCode } from './schedule.errors.js';
import { cronOf, nextSlot } from './schedule-slots.js';
import { SCHEDULE_STREAM_PREFIX, scheduleStreamId, type ScheduleRepository } from './schedule.repository.js';

const PAGE = 500;
const RECENT_RUNS = 20;

/**
 * Schedules as the API shows them, folded from their streams: a project has a handful, so they are
 * read from the store (the tenant's schedule streams, an indexed read) rather than kept in a table.
 */
export class ScheduleQueries {
  constructor(
    private readonly store: EventStore,
    private readonly schedules: ScheduleRepository,
    private readonly now: () => number,
  ) {}

  async get(scope: Scope, scheduleId: string): Promise<ScheduleView> {
    // Another project's schedule throws ForeignStreamError: the API answers it as not found, flagged for the audit log.
    const { state } = await this.schedules.load(scheduleStreamId(scheduleId), scope);
    if (state.status === 'none' || state.status === 'deleted') throw notFound(scheduleId);
    return this.viewOf(scope.projectId, state);
  }

  async list(scope: Scope): Promise<ScheduleView[]> {
    const states = new Map<string, ScheduleState>();
    for (let from: GlobalPosition = START; ; ) {
      const page = await this.store.readAll(from, {
        maxCount: PAGE,
        filter: { streamPrefixes: [SCHEDULE_STREAM_PREFIX], tenantId: scope.tenantId },
      });
      for (const { event, streamId } of page)
        if (event.projectId === scope.projectId)
          states.set(
            streamId,
            evolveSchedule(states.get(streamId) ?? initialScheduleState, event as unknown as ScheduleEvent),
          );
      if (page.length < PAGE) break;
      from = page.at(-1)!.position;
    }
    return [...states.values()]
      .filter((state) => state.status === 'active' || state.status === 'paused')
      .map((state) => this.viewOf(scope.projectId, state))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private viewOf(projectId: string, state: ScheduleState): ScheduleView {
    const s = state.schedule!;
    const next =
      state.status === 'active' ? nextSlot(cronOf(s.cron, s.timeZone), Math.max(state.notBefore, this.now())) : null;
    return {
      scheduleId: s.scheduleId,
      projectId,
      name: s.name,
      cron: s.cron,
      timeZone: s.timeZone,
      dataset: { id: s.datasetId, version: s.datasetVersion },
      metrics: s.metrics,
      gateRules: s.gateRules,
      drift: { threshold: s.driftThreshold, baselineRuns: s.driftBaselineRuns },
      status: state.status === 'paused' ? 'paused' : 'active',
      nextSlotAt: next === null ? null : new Date(next).toISOString(),
      recentRunIds: state.runIds.slice(-RECENT_RUNS).reverse(),
      drifting: Object.entries(state.openDrifts).map(([metric, { runId, baseline }]) => ({ metric, runId, baseline })),
    };
  }
}

const notFound = (scheduleId: string): ScheduleError =>
  new ScheduleError(ScheduleErrorCode.NotFound, `schedule ${scheduleId} not found`);
