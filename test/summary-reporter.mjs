// Prints one closing line CI systems can read: "jest: N passed, N failed, N skipped", preceded
// by the time each tier took and the slowest suites, because CI has a time budget and the
// default reporter's per-suite times scroll away in a long log.
import { mkdirSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';

const SLOWEST_SHOWN = 12;

function seconds(milliseconds) {
  return `${(milliseconds / 1000).toFixed(1)} s`;
}

function suiteTimes(results) {
  return results.testResults
    .filter((suite) => suite.perfStats?.end > 0)
    .map((suite) => ({
      tier: suite.displayName?.name ?? 'default',
      path: relative(process.cwd(), suite.testFilePath),
      milliseconds: suite.perfStats.end - suite.perfStats.start,
    }));
}

function timingReport(times) {
  const byTier = new Map();
  for (const { tier, milliseconds } of times) byTier.set(tier, (byTier.get(tier) ?? 0) + milliseconds);
  const tiers = [...byTier].map(([tier, total]) => `${tier} ${seconds(total)}`).join(', ');
  const slowest = [...times]
    .sort((a, b) => b.milliseconds - a.milliseconds)
    .slice(0, SLOWEST_SHOWN)
    .map(({ tier, path, milliseconds }) => `  ${seconds(milliseconds).padStart(8)}  ${tier}  ${path}`);
  return `\ntime by tier: ${tiers}\nslowest suites:\n${slowest.join('\n')}\n`;
}

export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    const failedSuites = results.numRuntimeErrorTestSuites;
    const failed = numFailedTests + failedSuites;
    const times = suiteTimes(results);
    if (times.length > 1) process.stdout.write(timingReport(times));
    // Every suite's time, slowest first, for whoever trims the run (test-artifacts/ is not committed).
    mkdirSync('test-artifacts', { recursive: true });
    const sorted = [...times].sort((a, b) => b.milliseconds - a.milliseconds);
    const tiers = [...new Set(times.map((time) => time.tier))].sort().join('+');
    writeFileSync(`test-artifacts/suite-times.${tiers}.json`, `${JSON.stringify(sorted, null, 1)}\n`);
    process.stdout.write(
      `\njest: ${numPassedTests} passed, ${failed} failed, ${numPendingTests + numTodoTests} skipped\n`,
    );
  }
}
