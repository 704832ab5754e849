import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { GateRuleListError, METRIC_NAMES, parseGateRules } from '@evalvault/evaluation';
import { CliError } from '../errors.js';

export interface EvaluationConfig {
  metrics: string[];
  gateRules: string[];
}

/**
 * Metrics and gate rules from the command line and an optional gate file, checked here
 * before anything is sent: an unknown metric is refused with the list of known ones and a
 * bad rule with its column. Every metric a rule judges is scored, even if not named with
 * --metric, so `--gate "mean(token_f1) >= 0.6"` alone is a complete request.
 */
export async function evaluationConfig(
  metricFlags: string[],
  gateFlags: string[],
  gateFile: string | undefined,
): Promise<EvaluationConfig> {
  const gateRules = [...(gateFile ? await readGateFile(gateFile) : []), ...gateFlags.map((rule) => rule.trim())];
  const parsed = parseRules(gateRules);
  const metrics = [...new Set([...metricFlags.flatMap(splitList), ...parsed.map((rule) => rule.metric)])];
  const unknown = metrics.filter((metric) => !METRIC_NAMES.includes(metric));
  if (unknown.length > 0) {
    throw new CliError(
      'usage',
      `unknown metric${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}; known: ${METRIC_NAMES.join(', ')}`,
    );
  }
  if (metrics.length === 0) throw new CliError('usage', 'nothing to evaluate: name a --metric or a --gate rule');
  return { metrics, gateRules };
}

const splitList = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

function parseRules(rules: string[]) {
  try {
    return parseGateRules(rules);
  } catch (error) {
    if (!(error instanceof GateRuleListError)) throw error;
    const problems = error.issues.map((issue) => `"${issue.rule}" ${issue.message}`);
    throw new CliError('usage', `invalid gate rule${problems.length === 1 ? '' : 's'}: ${problems.join('; ')}`);
  }
}

/**
 * A gate file: JSON (`["rule", …]` or `{"rules": [...]}`), or text with one rule per line,
 * blank lines and `#` comments ignored.
 */
export async function readGateFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(
      'usage',
      `gate file ${path}: ${(error as { code?: string }).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
  if (extname(path).toLowerCase() !== '.json') {
    return text
      .split(/\r?\n/)
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter(Boolean);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError('usage', `gate file ${path}: invalid JSON: ${(error as Error).message}`);
  }
  const rules = Array.isArray(value) ? value : (value as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules) || !rules.every((rule) => typeof rule === 'string')) {
    throw new CliError('usage', `gate file ${path}: expected a list of rules or {"rules": [...]}, as strings`);
  }
  return rules.map((rule) => rule.trim());
}
