import type { DriftDetectedPayload, DriftResolvedPayload, ScheduleCreatedPayload } from '@evalvault/contracts';

/** A run's mean score per metric. */
export type MetricMeans = Readonly<Record<string, number>>;

/** A drift episode under way: the run that opened it and the baseline it fell below. */
export interface OpenDrift {
  runId: string;
  baseline: number;
}

export type DriftEvent =
  | { type: 'DriftDetected'; payload: DriftDetectedPayload }
  | { type: 'DriftResolved'; payload: DriftResolvedPayload };

export interface DriftAssessment {
  schedule: ScheduleCreatedPayload;
  runId: string;
  current: MetricMeans;
  /** The means of the schedule's finished runs before this one, oldest first (the baseline uses the last N). */
  previous: readonly MetricMeans[];
  /** Their run ids, in the same order. */
  runIds: readonly string[];
  open: Readonly<Record<string, OpenDrift>>;
}

/**
 * One drift episode per metric: a metric whose mean falls more than the threshold below the mean of
 * the schedule's previous N runs opens one (DriftDetected); while open, later runs are compared with
 * that same baseline, so a degradation that lasts raises nothing more, and the episode ends
 * (DriftResolved) once a run is back within the threshold of it. With no previous run there is no baseline.
 */
export function assessDrift(input: DriftAssessment): DriftEvent[] {
  const { schedule, runId, current, open } = input;
  const { scheduleId, datasetId, driftThreshold: threshold } = schedule;
  const window = input.previous.slice(-schedule.driftBaselineRuns);
  const windowIds = input.runIds.slice(-schedule.driftBaselineRuns);
  const events: DriftEvent[] = [];
  for (const [metric, value] of Object.entries(current)) {
    const episode = open[metric];
    if (episode) {
      if (episode.runId !== runId && value >= episode.baseline - threshold)
        events.push({
          type: 'DriftResolved',
          payload: {
            scheduleId,
            runId,
            metric,
            current: value,
            baseline: episode.baseline,
            detectedByRunId: episode.runId,
            datasetId,
          },
        });
      continue;
    }
    const baseline = meanOf(window.map((means) => means[metric]));
    if (baseline === null || baseline - value <= threshold) continue;
    events.push({
      type: 'DriftDetected',
      payload: {
        scheduleId,
        runId,
        metric,
        current: value,
        baseline,
        drop: baseline - value,
        threshold,
        baselineRunIds: windowIds.filter((_, index) => window[index]![metric] !== undefined),
        datasetId,
      },
    });
  }
  return events;
}

function meanOf(values: readonly (number | undefined)[]): number | null {
  const present = values.filter((value): value is number => value !== undefined);
  return present.length === 0 ? null : present.reduce((sum, value) => sum + value, 0) / present.length;
}
