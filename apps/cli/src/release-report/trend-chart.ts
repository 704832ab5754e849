import type { TrendPoint } from './release-report.js';

const BARS = '▁▂▃▄▅▆▇█';

/** A metric's means as Unicode bars (scores are in [0, 1], so the scale is fixed); a gap is "·". */
export function sparkline(points: readonly TrendPoint[]): string {
  return points
    .map((p) => (p.mean === null ? '·' : BARS[Math.min(BARS.length - 1, Math.floor(clamp(p.mean) * BARS.length))]!))
    .join('');
}

const clamp = (value: number): number => Math.max(0, Math.min(1, value));

/** Text safe anywhere in HTML or SVG: element content and quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const WIDTH = 180;
const HEIGHT = 48;
const PAD = 5;

/**
 * A small inline SVG line chart of a metric's means over the runs, y from 0 to 1 (fixed, so
 * charts compare across metrics), the last point (the reported run) filled; each point's
 * tooltip names its run. Runs without the metric break the line.
 */
export function trendSvg(metric: string, points: readonly TrendPoint[]): string {
  const step = points.length > 1 ? (WIDTH - 2 * PAD) / (points.length - 1) : 0;
  const x = (index: number): number => (points.length > 1 ? PAD + index * step : WIDTH / 2);
  const y = (mean: number): number => PAD + (1 - clamp(mean)) * (HEIGHT - 2 * PAD);
  const segments: string[][] = [[]];
  points.forEach((p, index) => {
    if (p.mean === null) segments.push([]);
    else segments[segments.length - 1]!.push(`${x(index).toFixed(1)},${y(p.mean).toFixed(1)}`);
  });
  const lines = segments
    .filter((segment) => segment.length > 1)
    .map((segment) => `<polyline points="${segment.join(' ')}" fill="none" stroke="#4063d8" stroke-width="1.5"/>`);
  const dots = points.flatMap((p, index) => {
    if (p.mean === null) return [];
    const last = index === points.length - 1;
    const title = escapeHtml(`${p.runId} (${p.requestedAt}): ${p.mean.toFixed(3)}`);
    return [
      `<circle cx="${x(index).toFixed(1)}" cy="${y(p.mean).toFixed(1)}" r="${last ? 3.5 : 2.5}" ` +
        `fill="${last ? '#4063d8' : '#fff'}" stroke="#4063d8"><title>${title}</title></circle>`,
    ];
  });
  return (
    `<svg width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
    `role="img" aria-label="${escapeHtml(`${metric} mean over ${points.length} runs`)}">` +
    `<line x1="0" y1="${PAD}" x2="${WIDTH}" y2="${PAD}" stroke="#eee"/>` +
    `<line x1="0" y1="${HEIGHT - PAD}" x2="${WIDTH}" y2="${HEIGHT - PAD}" stroke="#ddd"/>` +
    `${lines.join('')}${dots.join('')}</svg>`
  );
}
