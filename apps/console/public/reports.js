/** Reports of a run built from the API's answers (the API has no report endpoint): JSON, JUnit XML, Markdown. */
const xml = (text) =>
  String(text).replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c],
  );

export function jsonReport(run, cases) {
  return JSON.stringify({ run, cases }, null, 2);
}

export function junitReport(run) {
  const rules = run.gate?.rules ?? [];
  const failures = rules.filter((r) => !r.passed).length;
  const testcases = rules.map((rule) => {
    const body = rule.passed
      ? ''
      : `<failure message="${xml(`actual ${rule.actual ?? 'n/a'} vs threshold ${rule.threshold}`)}"/>`;
    return `    <testcase classname="evalvault.gate" name="${xml(rule.rule)}">${body}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites><testsuite name="evalvault run ${xml(run.runId)}" tests="${rules.length}" failures="${failures}">`,
    ...testcases,
    '</testsuite></testsuites>',
  ].join('\n');
}

export function markdownReport(run) {
  const lines = [`# EvalVault run ${run.runId}`, '', `Status: ${run.status}; verdict: ${run.verdict ?? 'pending'}`, ''];
  lines.push('| metric | mean | p10 | p50 | p90 | min | max |', '|---|---|---|---|---|---|---|');
  for (const a of run.aggregates)
    lines.push(`| ${a.metric} | ${[a.mean, a.p10, a.p50, a.p90, a.min, a.max].map((v) => v.toFixed(3)).join(' | ')} |`);
  if (run.gate) {
    lines.push('', '| rule | actual | threshold | passed |', '|---|---|---|---|');
    for (const r of run.gate.rules)
      lines.push(`| \`${r.rule}\` | ${r.actual ?? 'n/a'} | ${r.threshold} | ${r.passed ? 'yes' : 'no'} |`);
  }
  lines.push('', `Config hash: \`${run.configHash}\``);
  return lines.join('\n');
}

export function downloadLink(text, filename, type, label) {
  const a = document.createElement('a');
  a.textContent = label;
  a.download = filename;
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.className = 'button';
  return a;
}
