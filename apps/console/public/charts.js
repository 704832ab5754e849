const SVG = 'http://www.w3.org/2000/svg';

function s(tag, attrs = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, String(value));
  element.append(...children);
  return element;
}

/** Scores in [0, 1] counted in `bins` equal bins (a score of 1 in the last). */
export function binCounts(scores, bins = 10) {
  const counts = new Array(bins).fill(0);
  for (const score of scores) counts[Math.min(bins - 1, Math.max(0, Math.floor(score * bins)))] += 1;
  return counts;
}

/**
 * Scores in [0, 1] as a histogram of `bins` bars, an SVG with a text alternative. `scale`: the count a full-height
 * bar stands for, shared by histograms drawn side by side (default: this one's tallest bin).
 */
export function histogram(scores, { bins = 10, label = 'scores', width = 260, height = 90, scale } = {}) {
  const counts = binCounts(scores, bins);
  const top = Math.max(1, scale ?? 0, ...counts);
  const barWidth = width / bins;
  const summary = counts.map((c, i) => `${(i / bins).toFixed(1)}–${((i + 1) / bins).toFixed(1)}: ${c}`).join(', ');
  const scaled = scale === undefined ? '' : `; full height ${top} cases`;
  const svg = s(
    'svg',
    { viewBox: `0 0 ${width} ${height + 14}`, width, height: height + 14, role: 'img', class: 'histogram' },
    s('title', {}, `Distribution of ${label}: ${summary}${scaled}`),
  );
  counts.forEach((count, i) => {
    const barHeight = (count / top) * height;
    svg.append(
      s('rect', { x: i * barWidth + 1, y: height - barHeight, width: barWidth - 2, height: barHeight, class: 'bar' }),
    );
  });
  svg.append(
    s('text', { x: 0, y: height + 12, class: 'axis' }, '0'),
    s('text', { x: width - 8, y: height + 12, class: 'axis' }, '1'),
  );
  return svg;
}

/** Two means side by side with the difference's interval: one row per metric of a comparison. */
export function deltaBar(low, high, difference, { width = 200, height = 18 } = {}) {
  const x = (v) => ((Math.max(-1, Math.min(1, v)) + 1) / 2) * width;
  return s(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'delta' },
    s('title', {}, `difference ${difference.toFixed(3)}, interval ${low.toFixed(3)} to ${high.toFixed(3)}`),
    s('line', { x1: x(0), x2: x(0), y1: 0, y2: height, class: 'zero' }),
    s('line', { x1: x(low), x2: x(high), y1: height / 2, y2: height / 2, class: 'interval' }),
    s('circle', { cx: x(difference), cy: height / 2, r: 4, class: difference < 0 ? 'worse' : 'better' }),
  );
}
