// What the soak test measures of each service's memory: resident set (from /proc), V8 heap in use
// and external memory (the service's own /metrics, answered on loopback), and how many metric
// series it exports (a label of unbounded values shows as a count that keeps growing). Samples are
// taken through the run, so growth can be told from a heap still settling: the verdict compares the
// baseline after warm-up with the end, and the report shows every sample between.
import { readFileSync } from 'node:fs';

const MB = 1024 * 1024;

function gauge(text, name, labels = '') {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}`) || (!labels && l.startsWith(`${name} `)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
}

const statusMb = (status, field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 1024;

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

/** Markdown rows: baseline and end of RSS, heap and series, with the RSS samples between. */
export function memoryReport(samples) {
  const lines = [
    '| process | RSS MB baseline → end | growth | anon / file MB | V8 heap committed MB (new space) | ' +
      'heap used MB | external MB | series | RSS samples MB |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const growth = {};
  for (const [name, list] of Object.entries(samples)) {
    const first = list[0];
    const last = list.at(-1);
    growth[name] = (last.rss - first.rss) / first.rss;
    lines.push(
      `| ${name} | ${first.rss.toFixed(0)} → ${last.rss.toFixed(0)} | ${pct(first.rss, last.rss)} | ` +
        `${span(first, last, 'rssAnon')} / ${span(first, last, 'rssFile')} | ` +
        `${span(first, last, 'heapTotal')} (${span(first, last, 'newSpace')}) | ${span(first, last, 'heapUsed')} | ` +
        `${span(first, last, 'external')} | ` +
        `${first.series} → ${last.series} | ${list.map((s) => s.rss.toFixed(0)).join(' ')} |`,
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
