import type { RunInsights, RunView } from '@evalvault/service-apis';
import { xmlProblems } from '../../test/support/xml-well-formed.js';
import { ApiError } from '../api/problem.js';
import { renderRunResult } from '../output/run-report-text.js';
import { renderJunit } from './junit-report.js';
import { renderMarkdown } from './markdown-report.js';
import { memoryReportOf, type InsightsWait, type MemoryReport } from './memory-report.js';
import { renderJson } from './write-reports.js';

const learningId = 'f'.repeat(32);

function view(use: boolean): RunView {
  const rule = 'mean(faithfulness_lexical) >= baseline - 0.05';
  return {
    runId: 'run-2',
    projectId: 'default',
    status: 'completed',
    counts: { total: 2, evaluated: 2, failed: 0 },
    metrics: ['faithfulness_lexical'],
    aggregates: [
      { metric: 'faithfulness_lexical', count: 2, mean: 0.7, min: 0.6, max: 0.8, p10: 0.62, p50: 0.7, p90: 0.78 },
    ],
    gateRules: [rule],
    verdict: 'failed',
    gate: {
      passed: false,
      rules: [
        {
          rule,
          metric: 'faithfulness_lexical',
          aggregate: 'mean',
          comparator: '>=',
          threshold: 0.75,
          actual: 0.7,
          passed: false,
          baselineValue: 0.8,
          noBaseline: false,
        },
      ],
      baselineRunId: null,
      baselineSource: use
        ? {
            kind: 'memory',
            runId: null,
            learnings: [{ metric: 'faithfulness_lexical', learningId, version: 1, runId: 'run-1' }],
          }
        : null,
    },
    memory: { use },
    configHash: 'c'.repeat(64),
    lineage: {
      dataset: { id: 'inline-1', name: 'help-desk', version: null, contentHash: 'h' },
      datasetKey: 'name:help-desk',
      prompt: null,
      modelProfile: null,
      judge: null,
    },
    labels: {},
    retryOf: null,
    requestedBy: 'ci',
    requestedAt: '2026-12-05T10:00:00.000Z',
    startedAt: '2026-12-05T10:00:01.000Z',
    finishedAt: '2026-12-05T10:00:02.000Z',
    costUsd: 0,
    usage: { requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, cacheHits: 0, costUsd: 0 },
    failure: null,
  };
}

const insights: RunInsights = {
  runId: 'run-2',
  datasetKey: 'inline:help-desk',
  trends: [{ metric: 'faithfulness_lexical', mean: 0.7, baselineMean: 0.8, delta: -0.1, direction: 'worse' }],
  repeatedFailurePatterns: [{ dimension: 'question_type', value: 'why', count: 3, lastRunId: 'run-2' }],
};

/** A clock that moves only when the wait sleeps: no wall-clock time in the test. */
function fakeWait(timeoutMs = 1_000): InsightsWait & { slept: number } {
  let now = 0;
  const wait = {
    timeoutMs,
    intervalMs: 100,
    slept: 0,
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
      wait.slept += 1;
    },
  };
  return wait;
}

describe('memoryReportOf', () => {
  it('asks nothing for a run that did not use memory', async () => {
    let asked = 0;
    const source = {
      insights: async () => {
        asked += 1;
        return insights;
      },
    };
    expect(await memoryReportOf(view(false), source, fakeWait())).toBeNull();
    expect(asked).toBe(0);
  });

  it('waits while memory has not formed from the run (404), then has its insights', async () => {
    let calls = 0;
    const source = {
      insights: async () => {
        calls += 1;
        if (calls < 3) throw new ApiError(404, 'Not Found', 'no insights of run run-2');
        return insights;
      },
    };
    const wait = fakeWait();
    expect(await memoryReportOf(view(true), source, wait)).toEqual({ available: true, insights });
    expect(wait.slept).toBe(2);
  });

  it('says the insights are unavailable when memory is unreachable, without failing', async () => {
    const source = {
      insights: async () => {
        throw new ApiError(503, 'Service Unavailable', 'memory service unreachable');
      },
    };
    const report = await memoryReportOf(view(true), source, fakeWait());
    expect(report).toEqual({
      available: false,
      reason: 'memory insights are unavailable: 503 Service Unavailable: memory service unreachable',
    });
  });

  it('gives up waiting after the timeout and says memory has not formed yet', async () => {
    const source = {
      insights: async () => {
        throw new ApiError(404, 'Not Found', null);
      },
    };
    const wait = fakeWait(300);
    const report = await memoryReportOf(view(true), source, wait);
    const notFormed = expect.stringContaining('has not formed from run run-2');
    expect(report).toMatchObject({ available: false, reason: notFormed });
    expect(wait.slept).toBe(3);
  });
});

describe('the Memory section of a report', () => {
  const available: MemoryReport = { available: true, insights };
  const unavailable: MemoryReport = { available: false, reason: 'memory insights are unavailable: 503 down' };

  it('shows trends against learned baselines, repeated failure patterns and the baseline the gate used', () => {
    const text = renderRunResult(view(true), [], available);
    expect(text).toContain('\nMemory\n');
    expect(text).toContain(
      `gate baseline: memory's learned baseline of faithfulness_lexical (learning ${learningId.slice(0, 12)} v1, ` +
        'last run run-1)',
    );
    expect(text).toMatch(/faithfulness_lexical\s+0\.700\s+0\.800\s+-0\.100\s+worse/);
    expect(text).toContain('repeated failure patterns: question_type=why (3 cases)');
    expect(text).toContain("compared with memory's learned baseline (faithfulness_lexical v1)");

    const markdown = renderMarkdown(view(true), [], available);
    expect(markdown).toContain('### Memory');
    expect(markdown).toContain('| faithfulness_lexical | 0.700 | 0.800 | -0.100 | worse |');
    expect(markdown).toContain('Repeated failure patterns: `question_type=why` (3 cases).');

    const xml = renderJunit(view(true), [], available);
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml).toContain('name="memory.trend.faithfulness_lexical" value="worse: mean 0.700, learned 0.800');
    expect(xml).toContain('name="memory.repeatedFailurePatterns" value="question_type=why (3 cases)"');

    expect(JSON.parse(renderJson(view(true), [], available)).memory).toEqual(available);
  });

  it('says clearly when the insights are unavailable, and still reports the run', () => {
    const text = renderRunResult(view(true), [], unavailable);
    expect(text).toContain('Memory\ngate baseline:');
    expect(text).toContain('memory insights are unavailable: 503 down');
    expect(text).toContain('mean(faithfulness_lexical) >= baseline - 0.05');
    expect(renderMarkdown(view(true), [], unavailable)).toContain('⚠️ memory insights are unavailable: 503 down');
    expect(renderJunit(view(true), [], unavailable)).toContain(
      'name="memory" value="memory insights are unavailable: 503 down"',
    );
  });

  it('is absent from the report of a run that did not use memory', () => {
    expect(renderRunResult(view(false), [], null)).not.toContain('Memory');
    expect(renderMarkdown(view(false), [], null)).not.toContain('### Memory');
    expect(renderJunit(view(false), [], null)).not.toContain('name="memory');
    expect(JSON.parse(renderJson(view(false), [], null))).not.toHaveProperty('memory');
  });
});
