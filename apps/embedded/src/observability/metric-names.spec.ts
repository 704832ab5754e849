import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { everyPlatformMetric, scrapedMetricNames } from './metric-catalog.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const observability = join(root, 'infra/observability');

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  annotations?: Record<string, string>;
}

const rules: Rule[] = readdirSync(join(observability, 'rules'))
  .filter((name) => name.endsWith('.yml'))
  .flatMap((name) =>
    (parse(readFileSync(join(observability, 'rules', name), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
      (group) => group.rules,
    ),
  );

/** Every PromQL expression of the dashboards' panels. */
function dashboardExpressions(): { where: string; expr: string }[] {
  return readdirSync(join(observability, 'dashboards'))
    .filter((name) => name.endsWith('.json'))
    .flatMap((name) => {
      const dashboard = JSON.parse(readFileSync(join(observability, 'dashboards', name), 'utf8')) as {
        panels: { title: string; targets: { expr: string }[] }[];
      };
      return dashboard.panels.flatMap((panel) =>
        panel.targets.map((target) => ({ where: `${name}: ${panel.title}`, expr: target.expr })),
      );
    });
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless']);

/** The metric names a PromQL expression reads: identifiers that are not functions, keywords or labels. */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // strings
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // ranges
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\$\w+/g, ' '); // Grafana variables
  return [...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g)]
    .filter(([, name, call]) => !call && !KEYWORDS.has(name!) && !/^(e|inf|nan)$/i.test(name!))
    .map(([, name]) => name!);
}

describe('metric names in infra/observability', () => {
  it('reads metric names out of PromQL, leaving functions, labels and keywords', () => {
    expect(
      metricNamesIn(
        'sum by (service) (rate(a_total{status=~"5.."}[5m])) / on (x) b_seconds_bucket unless time() - c:ratio',
      ),
    ).toEqual(['a_total', 'b_seconds_bucket', 'c:ratio']);
  });

  it('name only metrics the code registers or the recording rules define', async () => {
    const known = await scrapedMetricNames(everyPlatformMetric());
    for (const rule of rules) if (rule.record) known.add(rule.record);
    const used = [
      ...rules.map((rule) => ({ where: `rule ${rule.record ?? rule.alert}`, expr: rule.expr })),
      ...dashboardExpressions(),
    ];
    expect(used.length).toBeGreaterThan(40);
    const unknown = used.flatMap(({ where, expr }) =>
      metricNamesIn(expr)
        .filter((name) => !known.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('give every alert a runbook section that exists in docs/runbooks.md', () => {
    const runbooks = readFileSync(join(root, 'docs/runbooks.md'), 'utf8');
    const anchors = new Set(
      [...runbooks.matchAll(/^#{2,3} (.+)$/gm)].map(([, heading]) =>
        heading!
          .trim()
          .toLowerCase()
          .replace(/[^\w]+/g, '-'),
      ),
    );
    const alerts = rules.filter((rule) => rule.alert);
    expect(alerts.length).toBeGreaterThanOrEqual(18);
    const missing = alerts
      .filter((rule) => {
        const url = rule.annotations?.['runbook_url'] ?? '';
        return !url.startsWith('docs/runbooks.md#') || !anchors.has(url.split('#')[1]!);
      })
      .map((rule) => `${rule.alert}: ${rule.annotations?.['runbook_url'] ?? 'no runbook_url'}`);
    expect(missing).toEqual([]);
  });
});
