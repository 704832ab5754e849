/**
 * Scheduled evaluations, owned by the runs service (docs/schedules.md): what the gateway may ask
 * of it. A schedule runs a registered dataset version, or the latest approved one, with a metric
 * set and gate at each slot of a cron expression read in an IANA time zone.
 */
export interface CreateScheduleRequest {
  name: string;
  /** Five fields (minute hour day month weekday), or six with seconds first. */
  cron: string;
  /** IANA time zone, e.g. Europe/Paris; default UTC. */
  timeZone?: string;
  /** version null or absent: the latest approved version at each slot. */
  dataset: { id: string; version?: number | null };
  metrics: string[];
  gate?: { rules: string[] } | null;
  /**
   * DriftDetected when a metric drops significantly (paired by case) and by more than `threshold` below
   * the last `baselineRuns` runs (docs/schedules.md).
   */
  drift?: { threshold?: number; baselineRuns?: number } | null;
}

export type ScheduleStatusView = 'active' | 'paused';

export interface ScheduleView {
  scheduleId: string;
  projectId: string;
  name: string;
  cron: string;
  timeZone: string;
  dataset: { id: string; version: number | null };
  metrics: string[];
  gateRules: string[];
  drift: { threshold: number; baselineRuns: number };
  status: ScheduleStatusView;
  /** ISO 8601: the next slot a scheduler will start (null while paused). */
  nextSlotAt: string | null;
  /** The runs it requested, newest first (at most 20). */
  recentRunIds: string[];
  /** Metrics drifting now, with the run that raised DriftDetected. */
  drifting: Array<{ metric: string; runId: string; baseline: number }>;
}

export interface ScheduleOperations {
  createSchedule: { input: CreateScheduleRequest; output: ScheduleView };
  listSchedules: { input: Record<string, never>; output: { items: ScheduleView[] } };
  getSchedule: { input: { scheduleId: string }; output: ScheduleView };
  pauseSchedule: { input: { scheduleId: string; reason?: string | null }; output: ScheduleView };
  resumeSchedule: { input: { scheduleId: string }; output: ScheduleView };
  deleteSchedule: { input: { scheduleId: string }; output: { scheduleId: string; deleted: true } };
}
