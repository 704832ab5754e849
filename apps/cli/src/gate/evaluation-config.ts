import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import {
  GateRuleListError,
  isMissingBaselinePolicy,
  learnedBaselineIssues,
  METRIC_NAMES,
  MISSING_BASELINE_POLICIES,
  parseGateRules,
  type MissingBaselinePolicy,
} from '@evalvault/evaluation';
import { didYouMean } from '../did-you-mean.js';
import { CliError } from '../errors.js';

export interface EvaluationConfig {
  metrics: string[];
  /** Empty: the run has no gate (verdict none). */
  gateRules: string[];
  /** How a `baseline` rule is judged without a baseline value; undefined: the server's default (fail). */
  missingBaseline?: MissingBaselinePolicy;
}

/** The gate a run request carries: none without rules. */
export function gateOf(config: EvaluationConfig): { rules: string[]; missingBaseline?: MissingBaselinePolicy } | null {
  if (config.gateRules.length === 0) return null;
  return { rules: config.gateRules, ...(config.missingBaseline ? { missingBaseline: config.missingBaseline } : {}) };
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
  missingBaselineFlag?: string,
  /** Metrics of the plugins this environment enables (EVALVAULT_PLUGINS), known besides the built-in ones. */
  pluginMetrics: readonly string[] = [],
): Promise<EvaluationConfig> {
  const file: GateFile = gateFile ? await readGateFile(gateFile) : { rules: [], locations: [] };
  const flagRules = gateFlags.map((rule) => rule.trim());
  const gateRules = [...file.rules, ...flagRules];
  // Where each rule was written, for the messages: a gate file's line, nothing for --gate.
  const locations = [...file.locations, ...flagRules.map(() => null)];
  const missingBaseline = missingBaselineOf(missingBaselineFlag ?? file.missingBaseline);
  const parsed = parseRules(gateRules, locations);
  const named = metricFlags.flatMap(splitList).map((metric) => ({ metric, location: null }));
  const judged = parsed.map((rule, index) => ({ metric: rule.metric, location: locations[index] ?? null }));
  refuseUnknownMetrics([...named, ...judged], [...METRIC_NAMES, ...pluginMetrics].sort());
  const metrics = [...new Set([...named, ...judged].map(({ metric }) => metric))];
  if (metrics.length === 0) throw new CliError('usage', 'nothing to evaluate: name a --metric or a --gate rule');
  return { metrics, gateRules, ...(missingBaseline ? { missingBaseline } : {}) };
}

/**
 * `--memory`: baseline rules compare with memory's learned baseline, which keeps mean, p10, p50,
 * p90 and pass_rate at 0.5 only. Any other baseline rule is refused here, as the server would.
 */
export function refuseUnlearnableBaselineRules(gateRules: readonly string[]): void {
  const issues = learnedBaselineIssues(parseGateRules(gateRules));
  if (issues.length === 0) return;
  const problems = issues.map((issue) => `"${issue.rule}" ${issue.message}`);
  throw new CliError('usage', `--memory: ${problems.join('; ')}`);
}

/** Each unknown metric once, with where a gate file named it and the metric it nearly spells. */
function refuseUnknownMetrics(
  named: ReadonlyArray<{ metric: string; location: string | null }>,
  known: readonly string[],
): void {
  const unknown = named.filter(
    ({ metric }, index) => !known.includes(metric) && named.findIndex((m) => m.metric === metric) === index,
  );
  if (unknown.length === 0) return;
  const described = unknown.map(
    ({ metric, location }) => `${metric}${location ? ` at ${location}` : ''}${didYouMean(metric, known)}`,
  );
  throw new CliError(
    'usage',
    `unknown metric${unknown.length === 1 ? '' : 's'} ${described.join(', ')}; known: ${known.join(', ')}` +
      " (a plugin's metric: set EVALVAULT_PLUGINS here as on the server)",
  );
}

function missingBaselineOf(value: unknown): MissingBaselinePolicy | undefined {
  if (value === undefined || isMissingBaselinePolicy(value)) return value;
  throw new CliError('usage', `--missing-baseline must be ${MISSING_BASELINE_POLICIES.join(' or ')}, got "${value}"`);
}

const splitList = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

function parseRules(rules: string[], locations: readonly (string | null)[]) {
  try {
    return parseGateRules(rules);
  } catch (error) {
    if (!(error instanceof GateRuleListError)) throw error;
    const problems = error.issues.map((issue) => {
      const location = locations[issue.index];
      return `${location ? `${location}: ` : ''}"${issue.rule}" ${issue.message}`;
    });
    throw new CliError('usage', `invalid gate rule${problems.length === 1 ? '' : 's'}: ${problems.join('; ')}`);
  }
}

/** A gate file's rules, each with where it was written (`path:line`). */
export interface GateFile {
  rules: string[];
  locations: string[];
  missingBaseline?: unknown;
}

/**
 * A gate file: JSON (`["rule", …]` or `{"rules": [...], "missingBaseline": "fail"|"pass"}`), or
 * text with one rule per line, blank lines and `#` comments ignored.
 */
export async function readGateFile(path: string): Promise<GateFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as { code?: string }).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new CliError('usage', `gate file ${path}: ${reason}`);
  }
  if (extname(path).toLowerCase() !== '.json') {
    const rules: string[] = [];
    const locations: string[] = [];
    text.split(/\r?\n/).forEach((line, index) => {
      const rule = line.replace(/#.*$/, '').trim();
      if (!rule) return;
      rules.push(rule);
      locations.push(`${path}:${index + 1}`);
    });
    return { rules, locations };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError('usage', `gate file ${path}: invalid JSON: ${(error as Error).message}`);
  }
  const object = Array.isArray(value) ? null : (value as { rules?: unknown; missingBaseline?: unknown } | null);
  const rules = Array.isArray(value) ? value : object?.rules;
  if (!Array.isArray(rules) || !rules.every((rule) => typeof rule === 'string')) {
    throw new CliError('usage', `gate file ${path}: expected a list of rules or {"rules": [...]}, as strings`);
  }
  const missingBaseline = object?.missingBaseline;
  return {
    rules: rules.map((rule) => rule.trim()),
    locations: jsonLocations(path, text, rules),
    ...(missingBaseline === undefined ? {} : { missingBaseline }),
  };
}

/** Each rule's line in a JSON gate file, found as its string literal after the previous one's. */
function jsonLocations(path: string, text: string, rules: readonly string[]): string[] {
  let from = 0;
  return rules.map((rule, index) => {
    const at = text.indexOf(JSON.stringify(rule), from);
    if (at < 0) return `${path}: rules[${index}]`;
    from = at + 1;
    return `${path}:${text.slice(0, at).split('\n').length}`;
  });
}
