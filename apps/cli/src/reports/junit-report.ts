import type { CaseView, RunView } from '@evalvault/service-apis';
import { describeFailedRule } from '../exit-codes.js';
import { baselineText, caseName, datasetLabel, durationSeconds } from '../output/run-report-text.js';
import { memoryProperties, type MemoryReport } from './memory-report.js';
import { attributes, escapeXml } from './xml.js';

/**
 * JUnit XML, the format every CI system shows: one test case per gate rule (a failure
 * carries actual vs threshold), and one per case the platform could not evaluate (an error
 * with its line and reason), so a red build points at the exact rule and row.
 */
export function renderJunit(view: RunView, cases: readonly CaseView[], memory: MemoryReport | null = null): string {
  const time = (durationSeconds(view) ?? 0).toFixed(3);
  const rules = view.gate?.rules ?? [];
  const failedRules = rules.filter((rule) => !rule.passed);
  const failedCases = cases.filter((item) => item.status === 'failed');
  const dataset = datasetLabel(view);

  const ruleCases = rules.map((rule) => {
    const head = `    <testcase${attributes({ classname: `evalvault.gate.${dataset}`, name: rule.rule, time: '0' })}`;
    if (rule.passed) return `${head}/>`;
    const message = `gate rule failed: ${describeFailedRule(rule)}`;
    const failure = `<failure${attributes({ type: 'GateRuleFailed', message })}>`;
    return `${head}>\n      ${failure}${escapeXml(`${message}\nrun ${view.runId}`)}</failure>\n    </testcase>`;
  });
  const caseCases = failedCases.map((item) => {
    const message = item.error?.reason ?? 'the case could not be evaluated';
    const testcase = attributes({ classname: `evalvault.cases.${dataset}`, name: caseName(item), time: '0' });
    const error = attributes({ type: item.error?.code ?? 'CaseFailed', message });
    return `    <testcase${testcase}>\n      <error${error}>${escapeXml(message)}</error>\n    </testcase>`;
  });
  const properties = [
    ['runId', view.runId],
    ['status', view.status],
    ['configHash', view.configHash],
    ['verdict', view.verdict ?? ''],
    ...(baselineText(view) ? [['baseline', baselineProperty(view)]] : []),
    ['dataset', dataset],
    ['casesTotal', String(view.counts.total ?? '')],
    ['casesEvaluated', String(view.counts.evaluated)],
    ['casesFailed', String(view.counts.failed)],
    ...view.aggregates.map((a) => [`mean.${a.metric}`, String(a.mean)]),
    ...memoryProperties(view, memory),
  ].map(([name, value]) => `      <property${attributes({ name: name!, value: value! })}/>`);

  const gateSuiteAttributes = attributes({
    name: `evalvault gate: ${dataset}`,
    tests: rules.length,
    failures: failedRules.length,
    errors: 0,
    skipped: 0,
    time,
    timestamp: view.requestedAt,
  });
  const gateSuite = [
    `  <testsuite${gateSuiteAttributes}>`,
    `    <properties>\n${properties.join('\n')}\n    </properties>`,
    ...ruleCases,
    '  </testsuite>',
  ];
  const caseSuiteAttributes = attributes({
    name: `evalvault cases: ${dataset}`,
    tests: failedCases.length,
    failures: 0,
    errors: failedCases.length,
    skipped: 0,
    time: '0',
  });
  const caseSuite =
    failedCases.length === 0 ? [] : [`  <testsuite${caseSuiteAttributes}>`, ...caseCases, '  </testsuite>'];
  const suitesAttributes = attributes({
    name: 'evalvault',
    tests: rules.length + failedCases.length,
    failures: failedRules.length,
    errors: failedCases.length,
    time,
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${suitesAttributes}>`,
    ...gateSuite,
    ...caseSuite,
    '</testsuites>',
    '',
  ].join('\n');
}

/** The baseline run's id (or `none yet`), or for a run gated against memory, which learned baselines. */
function baselineProperty(view: RunView): string {
  if (view.gate?.baselineSource?.kind === 'memory') return baselineText(view) ?? 'memory';
  return view.gate?.baselineRunId ?? 'none yet';
}
