import type { DriftDetectedPayload, DriftResolvedPayload } from '@evalvault/contracts';

const round = (value: number): string => Number(value.toFixed(4)).toString();

/**
 * What a drift notification says moved: the metric's means, the drop, the baseline runs and, from
 * version 2 events, the paired statistics it was judged by (p-value, interval of the mean difference,
 * effect sizes), so whoever is paged can tell a sharp, certain fall from a marginal one.
 */
export function driftDetectedMessage(p: DriftDetectedPayload): string {
  const base =
    `${p.metric} mean ${round(p.current)} fell ${round(p.drop)} below the baseline ${round(p.baseline)} ` +
    `of runs ${p.baselineRunIds.join(', ')} (threshold ${round(p.threshold)})`;
  if (p.pValue === null) return base; // a version 1 event: compared means only
  const figures = [`${p.pairedCases} paired cases`, `Wilcoxon p = ${round(p.pValue)}`];
  if (p.interval) {
    const { low, high, confidence } = p.interval;
    figures.push(`${round(confidence * 100)}% interval of the difference [${round(low)}, ${round(high)}]`);
  }
  if (p.effectSize) {
    const { cohensDz, rankBiserial } = p.effectSize;
    figures.push(`Cohen's dz ${cohensDz === null ? 'n/a' : round(cohensDz)}, rank-biserial ${round(rankBiserial)}`);
  }
  return `${base}; ${figures.join('; ')}`;
}

export function driftResolvedMessage(p: DriftResolvedPayload): string {
  if (p.pValue === null || p.meanDifference === null)
    return `${p.metric} mean ${round(p.current)} is back within the threshold of the baseline ${round(p.baseline)}`;
  return (
    `${p.metric} mean ${round(p.current)} is no longer significantly below the baseline ${round(p.baseline)} ` +
    `(mean difference ${round(p.meanDifference)}, Wilcoxon p = ${round(p.pValue)})`
  );
}
