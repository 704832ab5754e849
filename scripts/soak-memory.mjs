// What the soak test measures of each service's memory: resident set (from /proc), V8 heap in use
// and external memory (the service's own /metrics, answered on loopback), and how many metric
// series it exports (a label of unbounded values shows as a count that keeps growing). Samples are
// taken through the run, so growth can be told from a heap still settling. The verdict compares levels,
// not two single readings: the median of the first minute's samples after warm-up (the baseline and the
// next three, 15 s apart) against the median of the last minute's. One reading swings by ±10 % with when
// V8 last collected and when the allocator last gave pages back; a leak moves the level. The report shows
// every sample, and the single baseline → end readings beside the levels.
import { readFileSync } from 'node:fs';

const MB = 1024 * 1024;

function gauge(text, name, labels = '') {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}`) || (!labels && l.startsWith(`${name} `)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
}

const statusMb = (status, field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 1024;

/** Samples that make a level: a minute at the soak's 15 s interval. */
const LEVEL_SAMPLES = 4;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** The allocator a live process runs on: jemalloc when its library is mapped, glibc's malloc otherwise. */
export function allocatorOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/maps`, 'utf8').includes('libjemalloc') ? 'jemalloc' : 'glibc';
  } catch {
    return '?';
  }
}

/** One sample of one process: MB figures and the number of exported series. */
export async function sampleMemory(pid, url) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = statusMb(status, 'VmRSS');
  const text = await fetch(`${url}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
  const series = text.split('\n').filter((l) => l && !l.startsWith('#'));
  const byMetric = {};
  for (const line of series) {
    const name = /^[^{ ]+/.exec(line)[0];
    byMetric[name] = (byMetric[name] ?? 0) + 1;
  }
  return {
    rss,
    // Anonymous memory (heaps, malloc) apart from file pages (the node binary's code, touched lazily).
    rssAnon: statusMb(status, 'RssAnon'),
    rssFile: statusMb(status, 'RssFile'),
    heapUsed: gauge(text, 'nodejs_heap_size_used_bytes') / MB,
    heapTotal: gauge(text, 'nodejs_heap_size_total_bytes') / MB,
    newSpace: gauge(text, 'nodejs_heap_space_size_total_bytes', 'space="new"') / MB,
    external: gauge(text, 'nodejs_external_memory_bytes') / MB,
    series: series.length,
    byMetric,
  };
}

/** Samples every process every `everyMs` until stopped; `samples[name]` in time order. */
export function memorySampler(processes, everyMs) {
  const samples = Object.fromEntries(Object.keys(processes).map((name) => [name, []]));
  const take = async () => {
    for (const [name, { pid, url }] of Object.entries(processes)) samples[name].push(await sampleMemory(pid, url));
  };
  let timer;
  return {
    samples,
    take,
    start() {
      timer = setInterval(() => void take().catch(() => undefined), everyMs);
    },
    stop() {
      clearInterval(timer);
    },
  };
}

const span = (first, last, field) => `${first[field].toFixed(0)} → ${last[field].toFixed(0)}`;
const pct = (from, to) => `${(((to - from) / from) * 100).toFixed(1)} %`;

/** Markdown rows: RSS levels (first and last minute) and single readings, heap and series, with every sample. */
export function memoryReport(samples, allocators = {}) {
  const lines = [
    '| process | allocator | RSS MB level, first → last minute | growth | RSS MB baseline → end | anon / file MB | ' +
      'V8 heap committed MB (new space) | heap used MB | external MB | series | RSS samples MB |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const growth = {};
  for (const [name, list] of Object.entries(samples)) {
    const first = list[0];
    const last = list.at(-1);
    const rss = list.map((sample) => sample.rss);
    // A short soak has fewer samples: the two levels then take half each, never the same sample.
    const n = Math.max(1, Math.min(LEVEL_SAMPLES, Math.floor(rss.length / 2)));
    const [from, to] = [median(rss.slice(0, n)), median(rss.slice(-n))];
    growth[name] = (to - from) / from;
    lines.push(
      `| ${name} | ${allocators[name] ?? '?'} | ${from.toFixed(0)} → ${to.toFixed(0)} | ${pct(from, to)} | ` +
        `${span(first, last, 'rss')} | ` +
        `${span(first, last, 'rssAnon')} / ${span(first, last, 'rssFile')} | ` +
        `${span(first, last, 'heapTotal')} (${span(first, last, 'newSpace')}) | ${span(first, last, 'heapUsed')} | ` +
        `${span(first, last, 'external')} | ` +
        `${first.series} → ${last.series} | ${rss.map((mb) => mb.toFixed(0)).join(' ')} |`,
    );
  }
  return { table: lines.join('\n'), growth, seriesGrowth: seriesGrowth(samples) };
}

/** The metrics whose series grew from the baseline to the end, per process (labels seen for the first time). */
function seriesGrowth(samples) {
  const grown = {};
  for (const [name, list] of Object.entries(samples)) {
    const [first, last] = [list[0].byMetric, list.at(-1).byMetric];
    const more = Object.entries(last)
      .map(([metric, n]) => [metric, n - (first[metric] ?? 0)])
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3);
    if (more.length > 0) grown[name] = Object.fromEntries(more);
  }
  return grown;
}
