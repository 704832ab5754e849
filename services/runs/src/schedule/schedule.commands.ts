import type { ScheduleCreatedPayload } from '@evalvault/contracts';
import { GateRuleListError, parseGateRules, printGateRule } from '@evalvault/evaluation';
import type { CommandContext } from '@evalvault/platform';
import type { CreateScheduleRequest, ScheduleView } from '@evalvault/service-apis';
import { ScheduleError, ScheduleErrorCode } from './schedule.errors.js';
import type { ScheduleQueries } from './schedule.queries.js';
import { assertTimeZone, cronOf } from './schedule-slots.js';
import { scheduleStreamId, type ScheduleRepository } from './schedule.repository.js';

const DEFAULT_DRIFT = { threshold: 0.05, baselineRuns: 5 };
const MAX_BASELINE_RUNS = 50;

/** The schedule commands the gateway calls: validate (each refusal names its field), then decide on the stream. */
export class ScheduleCommands {
  /** isMetric: whether the runs service can score a metric (built in or a loaded plugin's). */
  constructor(
    private readonly schedules: ScheduleRepository,
    private readonly queries: ScheduleQueries,
    private readonly isMetric: (name: string) => boolean,
    private readonly now: () => number,
    private readonly newId: () => string,
  ) {}

  async create(input: CreateScheduleRequest, context: CommandContext): Promise<ScheduleView> {
    const schedule = this.validated(input);
    await this.schedules.handle(scheduleStreamId(schedule.scheduleId), { type: 'CreateSchedule', schedule }, context);
    return this.queries.get(context, schedule.scheduleId);
  }

  async pause(scheduleId: string, reason: string | null, context: CommandContext): Promise<ScheduleView> {
    await this.schedules.handle(scheduleStreamId(scheduleId), { type: 'PauseSchedule', reason }, context);
    return this.queries.get(context, scheduleId);
  }

  async resume(scheduleId: string, context: CommandContext): Promise<ScheduleView> {
    await this.schedules.handle(scheduleStreamId(scheduleId), { type: 'ResumeSchedule', now: this.now() }, context);
    return this.queries.get(context, scheduleId);
  }

  async delete(scheduleId: string, context: CommandContext): Promise<{ scheduleId: string; deleted: true }> {
    await this.schedules.handle(scheduleStreamId(scheduleId), { type: 'DeleteSchedule' }, context);
    return { scheduleId, deleted: true };
  }

  private validated(input: CreateScheduleRequest): ScheduleCreatedPayload {
    const name = input.name?.trim();
    if (!name) throw invalid('name', 'is required');
    const timeZone = input.timeZone ?? 'UTC';
    assertTimeZone(timeZone);
    cronOf(input.cron, timeZone);
    const unknown = input.metrics.filter((metric) => !this.isMetric(metric));
    if (input.metrics.length === 0) throw invalid('metrics', 'at least one metric is required');
    if (unknown.length > 0) throw invalid('metrics', `unknown metric(s) ${unknown.join(', ')}`);
    const drift = { ...DEFAULT_DRIFT, ...(input.drift ?? {}) };
    if (!(drift.threshold > 0 && drift.threshold <= 1)) throw invalid('drift.threshold', 'must be in (0, 1]');
    if (!Number.isInteger(drift.baselineRuns) || drift.baselineRuns < 1 || drift.baselineRuns > MAX_BASELINE_RUNS)
      throw invalid('drift.baselineRuns', `must be an integer from 1 to ${MAX_BASELINE_RUNS}`);
    return {
      scheduleId: this.newId(),
      name,
      cron: input.cron.trim(),
      timeZone,
      datasetId: input.dataset.id,
      datasetVersion: input.dataset.version ?? null,
      metrics: [...new Set(input.metrics)],
      gateRules: validRules(input.gate?.rules ?? []),
      driftThreshold: drift.threshold,
      driftBaselineRuns: drift.baselineRuns,
      notBefore: this.now(),
    };
  }
}

function validRules(rules: string[]): string[] {
  try {
    return parseGateRules(rules).map(printGateRule);
  } catch (error) {
    if (!(error instanceof GateRuleListError)) throw error;
    const [first] = error.issues;
    throw invalid(`gate.rules[${first?.index ?? 0}]`, error.issues.map((issue) => issue.message).join('; '));
  }
}

const invalid = (field: string, message: string): ScheduleError =>
  new ScheduleError(ScheduleErrorCode.InvalidInput, message, field);
