import type { CaseView, RunView } from '@evalvault/service-apis';
import { xmlProblems } from '../../test/support/xml-well-formed.js';
import { renderJunit } from './junit-report.js';
import { renderMarkdown } from './markdown-report.js';
import { renderJson } from './write-reports.js';
import { escapeXml } from './xml.js';

const rule = (text: string, metric: string, actual: number | null, threshold: number, passed: boolean) => ({
  rule: text,
  metric,
  aggregate: 'mean',
  comparator: '>=',
  threshold,
  actual,
  passed,
  baselineValue: null,
  noBaseline: false,
});

function view(overrides: Partial<RunView> = {}): RunView {
  return {
    runId: 'run-1',
    projectId: 'default',
    status: 'completed',
    counts: { total: 3, evaluated: 2, failed: 1 },
    metrics: ['token_f1'],
    aggregates: [{ metric: 'token_f1', count: 2, mean: 0.55, min: 0.1, max: 1, p10: 0.1, p50: 0.55, p90: 1 }],
    gateRules: ['mean(token_f1) >= 0.6', 'min(token_f1) >= 0'],
    verdict: 'failed',
    gate: {
      passed: false,
      rules: [
        rule('mean(token_f1) >= 0.6', 'token_f1', 0.55, 0.6, false),
        rule('min(token_f1) >= 0', 'token_f1', 0.1, 0, true),
      ],
      baselineRunId: null,
      baselineSource: null,
    },
    memory: { use: false },
    configHash: 'c'.repeat(64),
    lineage: {
      dataset: { id: 'inline-1', name: 'qa <"R&D">', version: null, contentHash: 'h' },
      datasetKey: 'k',
      prompt: null,
      modelProfile: null,
      judge: null,
    },
    labels: {},
    retryOf: null,
    requestedBy: 'ci',
    requestedAt: '2026-11-26T10:00:00.000Z',
    startedAt: '2026-11-26T10:00:01.000Z',
    finishedAt: '2026-11-26T10:00:03.500Z',
    costUsd: 0,
    usage: { requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, cacheHits: 0, costUsd: 0 },
    failure: null,
    ...overrides,
  };
}

const cases: CaseView[] = [
  {
    caseIndex: 0,
    caseId: 'good',
    status: 'evaluated',
    scores: [{ metric: 'token_f1', score: 1, explanation: 'F1 1.00' }],
    durationMs: 3,
    error: null,
  },
  {
    caseIndex: 1,
    caseId: 'weak | one',
    status: 'evaluated',
    scores: [{ metric: 'token_f1', score: 0.1, explanation: 'F1 0.10 <b>' }],
    durationMs: 3,
    error: null,
  },
  {
    caseIndex: 2,
    caseId: null,
    status: 'failed',
    scores: [],
    durationMs: null,
    error: { code: 'INVALID_JSON', reason: `line 7: invalid JSON near "}" & '<' \u0007`, line: 7 },
  },
];

describe('JUnit report', () => {
  it('is well-formed XML even when rules, names and reasons carry markup, quotes and control characters', () => {
    const xml = renderJunit(view(), cases);
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml).toContain('R&amp;D');
    expect(xml).not.toContain('\u0007');
  });

  it('has one test per gate rule, failing with actual against threshold, and one error per failed case + line', () => {
    const xml = renderJunit(view(), cases);
    expect(xml).toMatch(/<testsuites name="evalvault" tests="3" failures="1" errors="1"/);
    expect(xml).toContain(
      '<testcase classname="evalvault.gate.qa &lt;&quot;R&amp;D&quot;&gt;" name="min(token_f1) &gt;= 0" time="0"/>',
    );
    expect(xml).toContain('message="gate rule failed: mean(token_f1) &gt;= 0.6 (actual 0.55, threshold 0.6)"');
    expect(xml).toMatch(
      /<testcase [^>]*name="line 7"[^>]*>\s*<error type="INVALID_JSON" message="line 7: invalid JSON/,
    );
    expect(xml).toContain('time="2.500"');
  });

  it('escapes the five XML specials, and the checker catches what it would otherwise let through', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    expect(xmlProblems('<a><b></a></b>')).not.toEqual([]);
    expect(xmlProblems('<a x="1 & 2"/>')).not.toEqual([]);
    expect(xmlProblems('<a>1 < 2</a>')).not.toEqual([]);
  });
});

describe('Markdown report', () => {
  it('leads with the verdict and shows rules, metrics, the weakest cases and failed rows with pipes escaped', () => {
    const markdown = renderMarkdown(view(), cases);
    expect(markdown.split('\n')[0]).toBe(
      '## ❌ EvalVault: gate failed: mean(token_f1) &gt;= 0.6 (actual 0.55, threshold 0.6)',
    ); // renders as >=
    expect(markdown).toContain('| `mean(token_f1) >= 0.6` | 0.550 | 0.600 | ❌ fail |');
    expect(markdown).toContain('| token_f1 | 0.550 | 0.100 | 0.550 | 0.100 | 1.000 |');
    expect(markdown).toContain('| weak \\| one | 0.100 | F1 0.10 &lt;b&gt; |');
    expect(markdown).not.toContain('| good |'); // above the threshold: not among the weakest
    expect(markdown).toContain('| line 7 | 7 |');
  });

  it('says passed with a check mark when the gate passed', () => {
    const passed = view({
      verdict: 'passed',
      gate: {
        passed: true,
        rules: [rule('mean(token_f1) >= 0.5', 'token_f1', 0.55, 0.5, true)],
        baselineRunId: null,
        baselineSource: null,
      },
    });
    expect(renderMarkdown(passed, cases)).toMatch(/^## ✅ EvalVault: gate passed \(1 rule\)/);
  });

  it('names the baseline run, and a rule without a baseline as such', () => {
    const against = { ...rule('mean(token_f1) >= baseline', 'token_f1', 0.55, 0.5, true), baselineValue: 0.5 };
    const gate = { passed: true, rules: [against], baselineRunId: 'run-0', baselineSource: null };
    const compared = view({ verdict: 'passed', gate });
    expect(renderMarkdown(compared, cases)).toContain('Compared with baseline run `run-0`.');
    const none = { ...rule('mean(token_f1) >= baseline', 'token_f1', 0.55, 0, false), noBaseline: true };
    const first = view({ gate: { passed: false, rules: [none], baselineRunId: null, baselineSource: null } });
    const markdown = renderMarkdown(first, cases);
    expect(markdown).toContain('| `mean(token_f1) >= baseline` | 0.550 | no baseline | ❌ fail |');
    expect(markdown).toContain('Compared with no baseline yet.');
  });

  it('says no gate was set for a run without one, neither passed nor failed', () => {
    const ungated = view({ gateRules: [], verdict: 'none', gate: null });
    expect(renderMarkdown(ungated, cases).split('\n')[0]).toBe('## ➖ EvalVault: run run-1 completed; no gate was set');
    expect(renderJunit(ungated, cases)).toContain('<property name="verdict" value="none"/>');
  });
});

describe('JSON report', () => {
  it('is the run view and its cases', () => {
    expect(JSON.parse(renderJson(view(), cases))).toEqual({ run: view(), cases });
  });
});
