import type { VersionRef } from '@evalvault/contracts';
import type { CommandContext } from '@evalvault/platform';
import type { Logger } from 'pino';
import type { RunCommands } from '../run/run.commands.js';
import { RunError } from '../run/run.errors.js';
import type { RegisteredDatasets } from './registered-datasets.js';
import type { IndexedSchedule, ScheduleIndex } from './schedule-index.js';
import { cronOf, dueSlot } from './schedule-slots.js';
import {
  SCHEDULE_LABEL,
  SCHEDULE_SLOT_LABEL,
  scheduleStreamId,
  type ScheduleRepository,
} from './schedule.repository.js';

/** What a scheduler started in one tick, for logs and tests. */
export interface StartedSlot {
  scheduleId: string;
  slot: number;
  runId: string | null;
  skippedSlots: number;
}

/**
 * The scheduler role: at each tick, every active schedule whose slot is due requests its run and
 * records `ScheduledRunStarted` on the schedule's stream at the revision it decided on. Any number
 * of schedulers may run: the run's id is derived from (schedule, slot), so a second request is the
 * same run, and the second append conflicts, catches up and decides nothing.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly index: ScheduleIndex,
    private readonly datasets: RegisteredDatasets,
    private readonly schedules: ScheduleRepository,
    private readonly runs: RunCommands,
    private readonly now: () => number,
    private readonly newId: () => string,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.ticking = this.ticking
        .then(() => this.tick())
        .catch((error: unknown) => {
          this.logger.error({ err: error }, 'scheduler tick failed');
        });
    }, intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
  }

  /** Starts every due slot; a schedule that fails is logged and tried again at the next tick. */
  async tick(): Promise<StartedSlot[]> {
    const now = this.now();
    const started: StartedSlot[] = [];
    for (const entry of this.index.active()) {
      const schedule = entry.state.schedule!;
      const due = dueSlot(cronOf(schedule.cron, schedule.timeZone), entry.state.notBefore, now);
      if (!due) continue;
      try {
        const runId = await this.startSlot(entry, due.slot, now);
        if (runId !== undefined)
          started.push({ scheduleId: schedule.scheduleId, slot: due.slot, runId, skippedSlots: due.skipped });
      } catch (error) {
        this.logger.error({ err: error, scheduleId: schedule.scheduleId, slot: due.slot }, 'scheduled run not started');
      }
    }
    return started;
  }

  /** The run id started (null: no dataset version to run), or undefined when another scheduler had started the slot. */
  private async startSlot(entry: IndexedSchedule, slot: number, now: number): Promise<string | null | undefined> {
    const schedule = entry.state.schedule!;
    const context: CommandContext = {
      tenantId: entry.tenantId,
      projectId: entry.projectId,
      actor: { subject: 'system:runs-scheduler', authMethod: 'system', apiKeyId: null },
      correlationId: this.newId(),
      causationId: null,
    };
    const resolved = this.datasets.resolve(entry, schedule.datasetId, schedule.datasetVersion);
    const requested = resolved ? await this.requestRun(entry, resolved, slot, context) : null;
    // A slot with nothing to run (no version; the run refused) is recorded as such, not tried again at every tick.
    const dataset = requested ? resolved : null;
    const runId = requested ?? this.newId();
    const { events } = await this.schedules.handle(
      scheduleStreamId(schedule.scheduleId),
      { type: 'StartSlot', now, runId, dataset },
      context,
    );
    if (events.length === 0) return undefined;
    if (!resolved)
      this.logger.warn({ scheduleId: schedule.scheduleId, slot }, 'no dataset version to run at this slot');
    return requested;
  }

  /** The run requested for the slot; null when the runs service refused it (the project's policy, a metric gone). */
  private async requestRun(
    entry: IndexedSchedule,
    dataset: VersionRef,
    slot: number,
    context: CommandContext,
  ): Promise<string | null> {
    try {
      return await this.submit(entry, dataset, slot, context);
    } catch (error) {
      if (!(error instanceof RunError)) throw error;
      const scheduleId = entry.state.schedule!.scheduleId;
      this.logger.warn({ scheduleId, slot, code: error.code, reason: error.message }, 'scheduled run refused');
      return null;
    }
  }

  private async submit(
    entry: IndexedSchedule,
    dataset: VersionRef,
    slot: number,
    context: CommandContext,
  ): Promise<string> {
    const schedule = entry.state.schedule!;
    const { runId } = await this.runs.submitRun(
      {
        // One run per (schedule, slot), whoever requests it: the run id is derived from the key.
        idempotencyKey: `schedule:${schedule.scheduleId}:${slot}`,
        dataset: { id: dataset.id, version: dataset.version!, contentHash: dataset.contentHash },
        metrics: schedule.metrics,
        gate: schedule.gateRules.length > 0 ? { rules: schedule.gateRules } : null,
        labels: { [SCHEDULE_LABEL]: schedule.scheduleId, [SCHEDULE_SLOT_LABEL]: new Date(slot).toISOString() },
        // Checked against the project's policy of now (allowed metrics and models, spending caps), as a submission is.
        policy: this.datasets.policyOf(entry),
      },
      context,
    );
    return runId;
  }
}
