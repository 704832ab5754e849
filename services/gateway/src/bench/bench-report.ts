import type { Figure } from './bench-support.js';
import type { LoadResult } from './load-result.js';

interface Summary {
  requests: number;
  perSecond: number;
  /** Over every response of every round. */
  p50Ms: number;
  p99Ms: number;
  /** The servers' thread's CPU per answer (µs), over every round. */
  cpuMicrosPerAnswer: number;
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

function summary(rounds: readonly LoadResult[]): Summary {
  const latencies = new Float64Array(rounds.reduce((total, round) => total + round.latenciesMs.length, 0));
  let requests = 0;
  let seconds = 0;
  let cpuMicros = 0;
  for (const round of rounds) {
    latencies.set(round.latenciesMs, requests);
    requests += round.requests;
    seconds += round.seconds;
    cpuMicros += round.serverCpuMicros ?? Number.NaN;
  }
  latencies.sort();
  return {
    requests,
    perSecond: requests / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    cpuMicrosPerAnswer: cpuMicros / requests,
  };
}

/** As the req/s ratio reads: the bare server's CPU per answer over the gateway's (1 = as cheap). */
const cpuRatio = (gateway: Summary, baseline: Summary): number =>
  baseline.cpuMicrosPerAnswer / gateway.cpuMicrosPerAnswer;
const count = (value: number): string => Math.round(value).toLocaleString('en-US');
const fixed = (value: number, digits: number): number => Number(value.toFixed(digits));

/** The human table (stdout), then one machine-readable BENCH_JSON line per figure. */
export function report(header: string, figures: readonly Figure[]): void {
  const rows = figures.map((figure) => ({
    figure,
    gateway: summary(figure.gateway),
    baseline: summary(figure.baseline),
  }));
  const lines = [
    header,
    `${'route'.padEnd(38)}${'gateway req/s'.padStart(14)}${'baseline req/s'.padStart(16)}${'ratio'.padStart(8)}` +
      `${'gateway p99 ms'.padStart(16)}${'baseline p99 ms'.padStart(17)}${'ratio'.padStart(8)}` +
      `${'gateway CPU µs'.padStart(16)}${'baseline CPU µs'.padStart(17)}${'ratio'.padStart(8)}`,
    ...rows.map(
      ({ figure, gateway, baseline }) =>
        `${figure.label.padEnd(38)}${count(gateway.perSecond).padStart(14)}${count(baseline.perSecond).padStart(16)}` +
        `${(gateway.perSecond / baseline.perSecond).toFixed(2).padStart(8)}${gateway.p99Ms.toFixed(2).padStart(16)}` +
        `${baseline.p99Ms.toFixed(2).padStart(17)}${(gateway.p99Ms / baseline.p99Ms).toFixed(2).padStart(8)}` +
        `${gateway.cpuMicrosPerAnswer.toFixed(1).padStart(16)}${baseline.cpuMicrosPerAnswer.toFixed(1).padStart(17)}` +
        `${cpuRatio(gateway, baseline).toFixed(2).padStart(8)}`,
    ),
  ];
  console.log(lines.join('\n'));
  console.log(`\n${markdown(rows)}\n`);
  for (const { figure, gateway, baseline } of rows) {
    console.log(
      `BENCH_JSON ${JSON.stringify({
        path: figure.key,
        gateway_req_per_s: Math.round(gateway.perSecond),
        baseline_req_per_s: Math.round(baseline.perSecond),
        req_per_s_ratio: fixed(gateway.perSecond / baseline.perSecond, 3),
        gateway_p99_ms: fixed(gateway.p99Ms, 3),
        baseline_p99_ms: fixed(baseline.p99Ms, 3),
        p99_ratio: fixed(gateway.p99Ms / baseline.p99Ms, 3),
        gateway_p50_ms: fixed(gateway.p50Ms, 3),
        baseline_p50_ms: fixed(baseline.p50Ms, 3),
        gateway_cpu_us_per_answer: fixed(gateway.cpuMicrosPerAnswer, 1),
        baseline_cpu_us_per_answer: fixed(baseline.cpuMicrosPerAnswer, 1),
        cpu_ratio: fixed(cpuRatio(gateway, baseline), 3),
        gateway_requests: gateway.requests,
        baseline_requests: baseline.requests,
      })}`,
    );
  }
}

/** The same figures as the table docs/performance.md records, with the command and the date. */
function markdown(rows: readonly { figure: Figure; gateway: Summary; baseline: Summary }[]): string {
  return [
    `\`npm run bench:gateway\`, ${new Date().toISOString().slice(0, 10)}:`,
    '',
    '| route | gateway req/s | baseline req/s | ratio | gateway p99 ms | baseline p99 ms | ratio | ' +
      'gateway CPU µs/answer | baseline CPU µs/answer | ratio |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      ({ figure, gateway, baseline }) =>
        `| \`${figure.label.replace(/ +/g, ' ')}\` | ${count(gateway.perSecond)} | ${count(baseline.perSecond)} | ` +
        `${(gateway.perSecond / baseline.perSecond).toFixed(2)} | ${gateway.p99Ms.toFixed(2)} | ` +
        `${baseline.p99Ms.toFixed(2)} | ${(gateway.p99Ms / baseline.p99Ms).toFixed(2)} | ` +
        `${gateway.cpuMicrosPerAnswer.toFixed(1)} | ${baseline.cpuMicrosPerAnswer.toFixed(1)} | ` +
        `${cpuRatio(gateway, baseline).toFixed(2)} |`,
    ),
  ].join('\n');
}
