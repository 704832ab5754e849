import { api, project } from '../api.js';
import { errorBox, h } from '../dom.js';
// The platform's own gate-rule parser (libs/evaluation), served by the gateway: rules are checked as typed.
import { GateRuleListError } from '../lib/gates/gate-rule.errors.js';
import { parseGateRules } from '../lib/gates/gate-rule.parser.js';

const METRICS = [
  'token_f1',
  'exact_match',
  'rouge_l',
  'bleu',
  'faithfulness_lexical',
  'context_recall',
  'context_precision',
  'answer_relevancy',
  'semantic_similarity',
];

/**
 * Submit a run of a registered dataset version with metrics and gate rules. Rules are parsed as they are
 * typed, each error under its rule at its column; the server's own refusals are drawn the same way.
 */
export async function submitPage(ctx) {
  const datasets = (await api(`${project(ctx.project)}/datasets?limit=100`)).items;
  if (datasets.length === 0)
    return h('section', {}, h('h1', {}, 'Submit a run'), h('p', {}, 'No registered dataset yet.'));
  const dataset = h(
    'select',
    { id: 's-dataset', required: true },
    datasets.map((d) => h('option', { value: `${d.id}@${d.latestVersion}` }, `${d.name} v${d.latestVersion}`)),
  );
  const metricBoxes = METRICS.map((m, i) =>
    h(
      'label',
      { class: 'check' },
      h('input', { type: 'checkbox', name: 'metric', value: m, checked: i === 0 }),
      ` ${m}`,
    ),
  );
  const rules = h(
    'textarea',
    { id: 's-rules', rows: 4, 'aria-describedby': 's-rules-help s-rules-errors', spellcheck: 'false' },
    'mean(token_f1) >= 0.5',
  );
  const labels = h('input', { id: 's-labels', placeholder: 'team=search, model=v2' });
  const ruleErrors = h('div', { id: 's-rules-errors', 'aria-live': 'polite' });
  const status = h('div', { 'aria-live': 'polite' });
  const ruleLines = () =>
    rules.value
      .split('\n')
      .map((r) => r.trim())
      .filter(Boolean);
  /** Draws each bad rule's error under it; true when every rule parses. */
  const checkRules = () => {
    const issues = gateRuleIssues(ruleLines());
    ruleErrors.replaceChildren(...issues.map((issue) => ruleMark(issue.rule, issue.column, issue.message)));
    rules.setAttribute('aria-invalid', String(issues.length > 0));
    return issues.length === 0;
  };
  rules.addEventListener('input', checkRules);

  async function submit(event) {
    event.preventDefault();
    status.replaceChildren();
    if (!checkRules()) return;
    const [id, version] = dataset.value.split('@');
    const gateRules = ruleLines();
    const body = {
      dataset: { id, version: Number(version) },
      metrics: metricBoxes
        .map((l) => l.querySelector('input'))
        .filter((i) => i.checked)
        .map((i) => i.value),
      ...(gateRules.length ? { gate: { rules: gateRules } } : {}),
      labels: Object.fromEntries(
        labels.value
          .split(',')
          .map((p) => p.split('=').map((x) => x.trim()))
          .filter(([k, v]) => k && v),
      ),
    };
    try {
      const answer = await api(`${project(ctx.project)}/runs`, {
        method: 'POST',
        body,
        headers: { 'idempotency-key': crypto.randomUUID() },
      });
      location.hash = `#/runs/${encodeURIComponent(answer.runId)}`;
    } catch (error) {
      const marks = ruleMarks(error.problem, gateRules);
      if (marks.length) ruleErrors.replaceChildren(...marks);
      else status.replaceChildren(errorBox(error));
    }
  }

  return h(
    'section',
    {},
    h('h1', {}, 'Submit a run'),
    h(
      'form',
      { class: 'card submit', onsubmit: submit },
      h('label', { for: 's-dataset' }, 'Dataset'),
      dataset,
      h('fieldset', {}, h('legend', {}, 'Metrics'), metricBoxes),
      h('label', { for: 's-rules' }, 'Gate rules, one a line'),
      rules,
      h(
        'p',
        { id: 's-rules-help', class: 'hint' },
        'e.g. mean(token_f1) >= 0.8, p10(rouge_l) >= 0.5, pass_rate(token_f1, 0.7) >= 0.9',
      ),
      ruleErrors,
      h('label', { for: 's-labels' }, 'Labels (k=v, comma-separated)'),
      labels,
      h('button', { type: 'submit' }, 'Submit'),
      status,
    ),
  );
}

/** The rules' parse errors ({rule, column, message}), none when every rule parses. */
function gateRuleIssues(rules) {
  try {
    parseGateRules(rules);
    return [];
  } catch (error) {
    if (!(error instanceof GateRuleListError)) throw error;
    // The parser's message reads "column N: <problem>"; the caret line names the column itself.
    return error.issues.map((i) => ({ ...i, message: i.message.replace(/^column \d+: /, '') }));
  }
}

/** One rule with a caret under its column and the problem. */
function ruleMark(rule, column, message) {
  const caret = `${' '.repeat(Math.max(0, column - 1))}^ column ${column}: ${message}`;
  return h('pre', { class: 'error rule-error', role: 'alert' }, `${rule}\n${caret}`);
}

/** A refused rule as the server names it ("gate.rules[i]: column N: …"), drawn under the rule with a caret. */
function ruleMarks(problem, rules) {
  const texts = [problem?.detail ?? '', ...(problem?.errors ?? []).map((e) => e.message)];
  const marks = [];
  for (const text of texts) {
    for (const match of text.matchAll(/(?:rules\[(\d+)\]: )?column (\d+): ([^;\n]+)/g))
      marks.push(ruleMark(rules[Number(match[1] ?? 0)] ?? '', Number(match[2]), match[3]));
  }
  return marks;
}
