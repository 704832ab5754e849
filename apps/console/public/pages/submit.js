import { api, project } from '../api.js';
import { errorBox, h } from '../dom.js';

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

/** Submit a run of a registered dataset version with metrics and gate rules; the server's errors at their column. */
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

  async function submit(event) {
    event.preventDefault();
    ruleErrors.replaceChildren();
    status.replaceChildren();
    const [id, version] = dataset.value.split('@');
    const gateRules = rules.value
      .split('\n')
      .map((r) => r.trim())
      .filter(Boolean);
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

/** A refused rule as the server names it ("gate.rules[i]: column N: …"), drawn under the rule with a caret. */
function ruleMarks(problem, rules) {
  const texts = [problem?.detail ?? '', ...(problem?.errors ?? []).map((e) => e.message)];
  const marks = [];
  for (const text of texts) {
    for (const match of text.matchAll(/(?:rules\[(\d+)\]: )?column (\d+): ([^;\n]+)/g)) {
      const rule = rules[Number(match[1] ?? 0)] ?? '';
      const column = Number(match[2]);
      const caret = `${' '.repeat(Math.max(0, column - 1))}^ column ${column}: ${match[3]}`;
      marks.push(h('pre', { class: 'error rule-error', role: 'alert' }, `${rule}\n${caret}`));
    }
  }
  return marks;
}
