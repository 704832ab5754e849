import { CONNECTION_OPTIONS, labelsOption, parseCommand, REPORT_OPTIONS, secondsOption } from '../args.js';
import { resolveConnection } from '../config/connection.js';
import { evaluationConfig, gateOf, refuseUnlearnableBaselineRules } from '../gate/evaluation-config.js';
import { requireEmbeddedJudge } from '../gate/judge-preflight.js';
import { localPluginMetrics } from '../gate/plugin-metrics.js';
import { showHelp } from '../help.js';
import type { CliIo } from '../io.js';
import { withSession, type SessionDeps } from '../session.js';
import { followToVerdict } from './follow-to-verdict.js';
import { MISSING_DATASET, runDatasetOf, runDatasetSource } from './run-dataset.js';
import { ApiError } from '../api/problem.js';
import { usageError } from '../errors.js';
import { notAwaitedNotice, shouldWait } from './wait-policy.js';

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  ...REPORT_OPTIONS,
  metric: { type: 'string', short: 'm', multiple: true },
  gate: { type: 'string', short: 'g', multiple: true },
  'gate-file': { type: 'string' },
  'missing-baseline': { type: 'string' },
  wait: { type: 'boolean', short: 'w' },
  'no-wait': { type: 'boolean' },
  timeout: { type: 'string' },
  'skip-invalid': { type: 'boolean' },
  name: { type: 'string' },
  label: { type: 'string', multiple: true },
  'idempotency-key': { type: 'string' },
  dataset: { type: 'string', short: 'd' },
  memory: { type: 'boolean' },
} as const;

const DEFAULT_TIMEOUT_SECONDS = 3_600;

/**
 * `evalvault run <dataset>` or `run --dataset ID[@VERSION]`: everything is checked locally first
 * (metrics, gate rules, every row of a file), then the run is submitted once (Idempotency-Key)
 * and, when a verdict is wanted, followed to it. Any file size: a large one is registered first.
 */
export async function runCommand(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, positionals, help } = parseCommand('run', argv, OPTIONS, [], ['dataset']);
  if (help) return showHelp(io, 'run');
  if (!positionals[0] && !values.dataset) throw usageError(MISSING_DATASET);
  const timeoutMs = secondsOption('timeout', values.timeout, DEFAULT_TIMEOUT_SECONDS);
  const labels = labelsOption(values.label);
  const plugins = await localPluginMetrics(io.env, io.cwd);
  const config = await evaluationConfig(
    values.metric ?? [],
    values.gate ?? [],
    values['gate-file'],
    values['missing-baseline'],
    [...plugins.keys()],
  );
  if (values.memory) refuseUnlearnableBaselineRules(config.gateRules);
  // The embedded platform judges with this environment's judge: refused here, before it starts, without one.
  if (!(await resolveConnection(values, io.env))) requireEmbeddedJudge(config.metrics, io.env, plugins);
  const source = await runDatasetSource(positionals[0], values.dataset, values['skip-invalid'] ?? false, io);
  const reports = { junit: values.junit, json: values.json, markdown: values.markdown };

  const hasGate = config.gateRules.length > 0;
  return withSession(values, io, deps, async (session) => {
    const wait = shouldWait(values, { hasGate, reports, embedded: session.embedded });
    const submit = async (inline: boolean) => {
      const { dataset, rejectedRows, describe } = await runDatasetOf(source, session, io, values.name, { inline });
      const gate = gateOf(config); // none without rules: the run's verdict is then none
      const request = {
        dataset,
        metrics: config.metrics,
        ...(gate ? { gate } : {}),
        ...(Object.keys(labels).length > 0 ? { labels } : {}),
        ...(rejectedRows ? { rejectedRows } : {}),
        ...(values.memory ? { memory: { use: true } } : {}),
      };
      return { submitted: await session.runs.submit(request, values['idempotency-key']), describe };
    };
    // A server with a smaller body limit (GATEWAY_BODY_LIMIT_BYTES) refuses the inline cases: register them instead.
    const { submitted, describe } = await submit(true).catch((error: unknown) => {
      if (!(error instanceof ApiError) || error.status !== 413 || source.kind !== 'file') throw error;
      io.stderr.write(`evalvault: the server refused the cases inline (${error.message})\n`);
      return submit(false);
    });
    io.stderr.write(
      `evalvault: submitted run ${submitted.runId} (${describe}; ${config.metrics.join(', ')}) ` +
        `to ${session.url}, project ${session.project}\n`,
    );
    if (!wait) {
      io.stdout.write(`${submitted.runId}\n`); // the run id is the result, for scripts
      io.stderr.write(notAwaitedNotice(submitted.runId, hasGate));
      return 0;
    }
    return followToVerdict(session, submitted.runId, io, { timeoutMs, reports });
  });
}
