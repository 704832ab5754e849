import { allPages, api, followRun, project } from '../api.js';
import { histogram } from '../charts.js';
import { badge, fmt, h, when } from '../dom.js';
import { downloadLink, jsonReport, junitReport, markdownReport } from '../reports.js';
import { progressText } from './runs.js';

const CASE_LIMIT = 2_000;

/** The dataset's cases (question, answer, contexts, ground truth) when the run used a registered version. */
async function datasetCases(ctx, run) {
  const ref = run.lineage?.dataset;
  if (!ref?.version || !ctx.can('registry.read')) return [];
  const path = `${project(ctx.project)}/datasets/${encodeURIComponent(ref.id)}/versions/${ref.version}/cases`;
  return allPages(path, CASE_LIMIT).catch(() => []);
}

/** One run: verdict and rules, per-metric distributions, cases worst first, tokens and cost, lineage, reports. */
export async function runPage(ctx, { id }) {
  const base = `${project(ctx.project)}/runs/${encodeURIComponent(id)}`;
  const run = await api(base);
  const [cases, inputs] = await Promise.all([allPages(`${base}/cases`, CASE_LIMIT), datasetCases(ctx, run)]);
  const section = h('section', { class: 'run' });
  section.append(
    h('h1', {}, 'Run ', h('code', {}, run.runId)),
    h('p', { class: 'summary' }, badge(run.status), ' verdict ', badge(run.verdict), ' ', progressText(run.counts)),
  );
  if (run.status === 'requested' || run.status === 'running') {
    ctx.stop.push(
      followRun(
        ctx.project,
        run.runId,
        (event) => event === 'done' && window.dispatchEvent(new HashChangeEvent('hashchange')),
      ),
    );
  }
  section.append(
    gate(run),
    metrics(run, cases),
    usage(run),
    lineage(run),
    reports(run, cases),
    caseTable(run, cases, inputs),
  );
  return section;
}

function gate(run) {
  if (!run.gate) return h('p', {}, run.verdict === 'none' ? 'No gate rules.' : 'Gate not decided yet.');
  return h(
    'div',
    { class: 'card' },
    h('h2', {}, `Gate ${run.gate.passed ? 'passed' : 'failed'}`),
    h(
      'table',
      { class: 'gate' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Rule', 'Actual', 'Threshold', 'Result'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        run.gate.rules.map((rule) =>
          h(
            'tr',
            { class: rule.passed ? 'pass' : 'fail' },
            h('td', {}, h('code', {}, rule.rule)),
            h('td', {}, fmt(rule.actual)),
            h(
              'td',
              {},
              `${rule.comparator} ${fmt(rule.threshold)}`,
              rule.baselineValue !== null ? ` (baseline ${fmt(rule.baselineValue)})` : '',
            ),
            h('td', {}, badge(rule.passed ? 'passed' : 'failed')),
          ),
        ),
      ),
    ),
  );
}

function metrics(run, cases) {
  const cards = run.metrics.map((metric) => {
    const scores = cases.flatMap((c) => c.scores.filter((s) => s.metric === metric).map((s) => s.score));
    const a = run.aggregates.find((x) => x.metric === metric);
    return h(
      'figure',
      { class: 'card metric' },
      h('figcaption', {}, h('strong', {}, metric)),
      histogram(scores, { label: metric }),
      a
        ? h(
            'dl',
            { class: 'stats' },
            ['mean', 'p10', 'p50', 'p90', 'min', 'max'].flatMap((k) => [h('dt', {}, k), h('dd', {}, fmt(a[k]))]),
          )
        : h('p', {}, 'no aggregate yet'),
    );
  });
  return h('div', {}, h('h2', {}, 'Metrics'), h('div', { class: 'grid' }, cards));
}

const count = (n) => Number(n).toLocaleString('en-US');

/** What the run's LLM calls came to, in a sentence: none at all, not recorded, or requests and tokens. */
function usageSummary(u) {
  if (!u) return 'Token use not recorded: the run predates it (rebuilding the runs read model fills it in).';
  if (u.requests === 0 && u.cacheHits === 0) return 'No LLM calls: no tokens, no cost.';
  return `${count(u.requests)} LLM requests, ${count(u.totalTokens)} tokens.`;
}

function usage(run) {
  const judge = run.lineage?.judge;
  const u = run.usage;
  const tokens = u
    ? [
        ['requests', count(u.requests)],
        ['prompt tokens', count(u.promptTokens)],
        ['completion tokens', count(u.completionTokens)],
        ['total tokens', count(u.totalTokens)],
        ['cached answers', count(u.cacheHits)],
      ]
    : [];
  const rows = [
    ...tokens,
    ['cost (USD)', fmt(run.costUsd, 4)],
    ['judge', judge ? `${judge.provider} ${judge.model}` : 'none (deterministic metrics)'],
    ['requested', when(run.requestedAt)],
    ['finished', when(run.finishedAt)],
  ];
  return h(
    'div',
    { class: 'card usage' },
    h('h2', {}, 'Use and cost'),
    h('p', { class: 'usage-summary' }, usageSummary(u)),
    h(
      'dl',
      { class: 'stats' },
      rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', { 'data-usage': term }, value)]),
    ),
  );
}

function lineage(run) {
  const ref = (r) =>
    r ? `${r.name ?? r.id}${r.version ? ` v${r.version}` : ''} (${r.contentHash.slice(0, 12)})` : '–';
  return h(
    'div',
    { class: 'card' },
    h('h2', {}, 'Lineage'),
    h(
      'dl',
      { class: 'stats' },
      h('dt', {}, 'dataset'),
      h('dd', {}, ref(run.lineage?.dataset)),
      h('dt', {}, 'prompt'),
      h('dd', {}, ref(run.lineage?.prompt)),
      h('dt', {}, 'model profile'),
      h('dd', {}, ref(run.lineage?.modelProfile)),
      h('dt', {}, 'config hash'),
      h('dd', {}, h('code', {}, run.configHash)),
      h('dt', {}, 'retry of'),
      h('dd', {}, run.retryOf ?? '–'),
    ),
  );
}

function reports(run, cases) {
  return h(
    'div',
    { class: 'row' },
    h('h2', { class: 'sr-only' }, 'Reports'),
    downloadLink(jsonReport(run, cases), `run-${run.runId}.json`, 'application/json', 'Download JSON'),
    downloadLink(junitReport(run), `run-${run.runId}.xml`, 'application/xml', 'Download JUnit'),
    downloadLink(markdownReport(run), `run-${run.runId}.md`, 'text/markdown', 'Download Markdown'),
  );
}

function caseTable(run, cases, inputs) {
  const worst = (c) => (c.status === 'failed' ? -1 : Math.min(...c.scores.map((s) => s.score), 1));
  const sorted = [...cases].sort((a, b) => worst(a) - worst(b));
  const rows = sorted.map((c) => {
    const input = inputs[c.caseIndex];
    return h(
      'tr',
      {},
      h('td', {}, c.caseId ?? String(c.caseIndex)),
      h('td', {}, c.status === 'failed' ? badge('failed') : fmt(worst(c))),
      h(
        'td',
        {},
        c.error ? h('p', { class: 'error' }, `${c.error.code}: ${c.error.reason}`) : null,
        h(
          'ul',
          { class: 'scores' },
          c.scores.map((s) => h('li', {}, h('strong', {}, `${s.metric} ${fmt(s.score)}`), ` ${s.explanation}`)),
        ),
      ),
      h(
        'td',
        {},
        input
          ? h(
              'details',
              {},
              h('summary', {}, input.question),
              h(
                'dl',
                { class: 'case' },
                h('dt', {}, 'answer'),
                h('dd', {}, input.answer),
                h('dt', {}, 'contexts'),
                h(
                  'dd',
                  {},
                  h(
                    'ol',
                    {},
                    input.contexts.map((x) => h('li', {}, x)),
                  ),
                ),
                h('dt', {}, 'ground truth'),
                h('dd', {}, input.ground_truth ?? '–'),
              ),
            )
          : '–',
      ),
    );
  });
  return h(
    'div',
    {},
    h('h2', {}, `Cases, worst first (${cases.length})`),
    h(
      'table',
      { class: 'cases' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Case', 'Lowest score', 'Scores and explanations', 'Question, answer, contexts'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}
