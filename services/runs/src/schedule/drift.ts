import type { DriftDetectedPayload, DriftResolvedPayload, ScheduleCreatedPayload } from '@evalvault/contracts';
import { comparePaired, type PairedComparison, type PairedScore } from '@evalvault/evaluation';

/** One run's scores: per case (keyed by case id, as run comparison pairs them), per metric. */
export type CaseScores = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** A drift episode under way: the run that opened it and the baseline (runs and mean) it fell below. */
export interface OpenDrift {
  runId: string;
  baseline: number;
  baselineRunIds: readonly string[];
}

export type DriftEvent =
  | { type: 'DriftDetected'; payload: DriftDetectedPayload }
  | { type: 'DriftResolved'; payload: DriftResolvedPayload };

export interface DriftAssessment {
  schedule: ScheduleCreatedPayload;
  runId: string;
  current: CaseScores;
  /** The schedule's finished runs before this one, oldest first: a new episode's baseline is the last N. */
  runIds: readonly string[];
  /** Case scores of the runs a baseline may use (those last N, open episodes' baseline runs), by run id. */
  scores: Readonly<Record<string, CaseScores>>;
  open: Readonly<Record<string, OpenDrift>>;
}

/**
 * One drift episode per metric, judged with run comparison's paired statistics. Each case the run
 * scored is paired with the mean of its scores over the baseline runs that scored it (cases no
 * baseline run scored are left out). A metric drifts when the drop is significant — comparePaired's
 * verdict is `regressed` (Wilcoxon p < alpha) and the bootstrap interval of the mean difference lies
 * wholly below 0 — and the mean drop exceeds the schedule's threshold, a minimum practical effect.
 * A drift opens an episode (DriftDetected) against the previous N runs; while it is open, later runs
 * are compared with that episode's baseline runs, so a degradation that lasts raises nothing more,
 * and the first run that no longer drifts against them ends it (DriftResolved). No previous run or
 * no paired case: no baseline, nothing decided.
 */
export function assessDrift(input: DriftAssessment): DriftEvent[] {
  const { schedule, runId, open } = input;
  const { scheduleId, datasetId, driftThreshold: threshold } = schedule;
  const window = input.runIds.slice(-schedule.driftBaselineRuns);
  const events: DriftEvent[] = [];
  for (const metric of metricsOf(input.current)) {
    const episode = open[metric];
    if (episode) {
      if (episode.runId === runId) continue; // this run opened it: assessed again after a redelivery
      const comparison = compare(input, metric, episode.baselineRunIds);
      if (!comparison || drifts(comparison.stats, threshold)) continue;
      const { stats } = comparison;
      events.push({
        type: 'DriftResolved',
        payload: {
          scheduleId,
          runId,
          metric,
          current: stats.meanCandidate,
          baseline: episode.baseline,
          detectedByRunId: episode.runId,
          datasetId,
          pValue: stats.test.pValue,
          meanDifference: stats.meanDifference,
        },
      });
      continue;
    }
    const comparison = compare(input, metric, window);
    if (!comparison || !drifts(comparison.stats, threshold)) continue;
    events.push({ type: 'DriftDetected', payload: detected(comparison, { scheduleId, runId, metric, datasetId }) });
  }
  return events;
}

/** The rule run comparison flags as `regressed`, with its interval below 0, by more than the threshold. */
function drifts(stats: PairedComparison, threshold: number): boolean {
  return stats.verdict === 'regressed' && stats.interval.high < 0 && -stats.meanDifference > threshold;
}

interface Comparison {
  stats: PairedComparison;
  /** The baseline runs that scored at least one paired case. */
  baselineRunIds: string[];
  threshold: number;
}

function compare(input: DriftAssessment, metric: string, baselineRunIds: readonly string[]): Comparison | null {
  const used = new Set<string>();
  const pairs: PairedScore[] = [];
  for (const [caseId, scores] of Object.entries(input.current)) {
    const candidate = scores[metric];
    if (candidate === undefined) continue;
    const base: number[] = [];
    for (const baselineRunId of baselineRunIds) {
      const score = input.scores[baselineRunId]?.[caseId]?.[metric];
      if (score === undefined) continue;
      base.push(score);
      used.add(baselineRunId);
    }
    if (base.length > 0) pairs.push({ caseId, base: mean(base), candidate });
  }
  if (pairs.length === 0) return null;
  return {
    stats: comparePaired(pairs),
    baselineRunIds: baselineRunIds.filter((id) => used.has(id)),
    threshold: input.schedule.driftThreshold,
  };
}

function detected(
  { stats, baselineRunIds, threshold }: Comparison,
  ids: Pick<DriftDetectedPayload, 'scheduleId' | 'runId' | 'metric' | 'datasetId'>,
): DriftDetectedPayload {
  const { low, high, confidence } = stats.interval;
  return {
    ...ids,
    current: stats.meanCandidate,
    baseline: stats.meanBase,
    drop: -stats.meanDifference,
    threshold,
    baselineRunIds,
    pairedCases: stats.cases,
    pValue: stats.test.pValue,
    interval: { low, high, confidence },
    effectSize: { cohensDz: stats.effectSize.cohensDz, rankBiserial: stats.effectSize.rankBiserial },
  };
}

function metricsOf(current: CaseScores): string[] {
  return [...new Set(Object.values(current).flatMap((scores) => Object.keys(scores)))].sort();
}

const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
