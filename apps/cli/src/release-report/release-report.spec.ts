import { caseView, comparisonOf, runView } from '../../test/support/release-fixtures.js';
import { renderReleaseHtml } from './release-html.js';
import { renderReleaseMarkdown } from './release-markdown.js';
import { buildReleaseReport, type ReleaseReportInput } from './release-report.js';
import { sparkline, trendSvg } from './trend-chart.js';

const HOSTILE = '<img src=x onerror="alert(1)"> & | pipes';
const AT = '2026-12-06T04:00:00.000Z';

function input(over: Partial<ReleaseReportInput> = {}): ReleaseReportInput {
  const r1 = runView('r1', '2026-12-01T00:00:00.000Z', { token_f1: 0.8, rouge_l: 0.6 });
  const r2 = runView('r2', '2026-12-02T00:00:00.000Z', { rouge_l: 0.62 });
  const prompt = { id: 'pr-1', name: 'system', version: 2, contentHash: 'ef'.repeat(32) };
  const run = runView(
    'r3',
    '2026-12-03T00:00:00.000Z',
    { token_f1: 0.5, rouge_l: 0.61 },
    { lineage: { ...r1.lineage, prompt, dataset: { ...r1.lineage.dataset, name: HOSTILE } } },
  );
  return {
    run,
    history: [r1, r2],
    baseline: r2,
    comparison: comparisonOf('r2', 'r3'),
    cases: [caseView('<script>alert(1)</script>', 'answer "missed" <b>the point</b> & more')],
    ...over,
  };
}

describe('release report: what it decides', () => {
  it('flags a passed gate with a significant regression for attention, naming the metric', () => {
    const report = buildReleaseReport(input());
    expect(report.status).toBe('attention');
    expect(report.headline).toBe('gate passed, but a significant regression in token_f1');
    expect(report.changes.map((c) => [c.metric, c.verdict])).toEqual([['token_f1', 'regressed']]);
    expect(report.regressions[0]!.cases[0]!.explanation).toBe('answer "missed" <b>the point</b> & more');
  });

  it('blocks a failed gate with its failing rules, and is ready with nothing to compare with', () => {
    const failedRule = {
      rule: 'mean(token_f1) >= 0.9',
      metric: 'token_f1',
      aggregate: 'mean',
      comparator: '>=',
      threshold: 0.9,
      actual: 0.5,
      passed: false,
      baselineValue: null,
      noBaseline: false,
    };
    const gate = { passed: false, rules: [failedRule], baselineRunId: null, baselineSource: null };
    const blocked = buildReleaseReport(input({ run: { ...input().run, verdict: 'failed', gate } }));
    expect(blocked.status).toBe('blocked');
    expect(blocked.reasons).toEqual(['mean(token_f1) >= 0.9 (actual 0.5, threshold 0.9)']);
    const first = buildReleaseReport(input({ history: [], baseline: null, comparison: null }));
    expect([first.status, first.headline]).toEqual([
      'ready',
      'releasable: gate passed, no earlier run to compare with',
    ]);
    const running = buildReleaseReport(input({ run: { ...input().run, status: 'running', verdict: null } }));
    expect(running.status).toBe('incomplete');
  });

  it('traces each metric over the earlier runs then the run, a run without the metric as a gap', () => {
    const { trend } = buildReleaseReport(input());
    expect(trend.map((t) => [t.metric, t.points.map((p) => p.mean)])).toEqual([
      ['token_f1', [0.8, null, 0.5]],
      ['rouge_l', [0.6, 0.62, 0.61]],
    ]);
  });

  it('shows both runs’ lineage side by side', () => {
    const prompt = buildReleaseReport(input()).lineage.find((row) => row.item === 'prompt')!;
    expect(prompt).toEqual({
      item: 'prompt',
      run: `system v2 sha256:${'ef'.repeat(6)}`,
      baseline: `system v1 sha256:${'cd'.repeat(6)}`,
    });
  });
});

describe('release report: HTML', () => {
  const html = renderReleaseHtml(buildReleaseReport(input()), AT);

  it('escapes every user text: dataset name, case id, explanation', () => {
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>the point');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; | pipes');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('answer &quot;missed&quot; &lt;b&gt;the point&lt;/b&gt; &amp; more');
  });

  it('is self-contained: no script, no link, no external reference; charts are inline SVG', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|<[^>]*\s(src|href)=|url\(|@import|https?:/i);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('<polyline');
    expect(html).toContain('gate passed, but a significant regression in token_f1');
  });
});

describe('release report: Markdown', () => {
  const markdown = renderReleaseMarkdown(buildReleaseReport(input()), AT);

  it('reads as release notes: verdict, trend with bars, significant change, worst case, lineage', () => {
    expect(markdown).toContain('# ⚠️ Release report: run `r3`');
    expect(markdown).toContain('| `rouge_l` | ▅▅▅ | 0.600 | 0.620 | 0.610 |');
    expect(markdown).toContain('| `token_f1` | 🔻 regressed | -0.300 | [-0.350, -0.250] | 0.012 | -1.000 | 3 |');
    expect(markdown).toContain('| &lt;script&gt;alert(1)&lt;/script&gt; | 0.900 | 0.100 | -0.800 |');
    expect(markdown).toMatch(/\| prompt ✱ \| system v2 .* \| system v1 /);
    expect(markdown).toContain('&lt;img src=x onerror="alert(1)"&gt; & \\| pipes');
  });
});

describe('trend charts', () => {
  it('draws bars on the fixed 0..1 scale, a missing mean as a dot', () => {
    const at = (mean: number | null) => ({ runId: 'r', requestedAt: AT, mean });
    expect(sparkline([at(0), at(0.5), at(1), at(null)])).toBe('▁▅█·');
  });

  it('breaks the line at a gap and names each point’s run in its tooltip', () => {
    const points = [0.2, null, 0.4, 0.5].map((mean, i) => ({ runId: `run-${i}`, requestedAt: AT, mean }));
    const svg = trendSvg('m', points);
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg.match(/<circle/g)).toHaveLength(3);
    expect(svg).toContain(`<title>run-3 (${AT}): 0.500</title>`);
  });
});
