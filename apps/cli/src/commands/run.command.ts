import { CONNECTION_OPTIONS, labelsOption, parseCommand, REPORT_OPTIONS, secondsOption } from '../args.js';
import { checkSubmittable, loadDatasetFile, reasonWithoutLine, type DatasetFile } from '../dataset/load-dataset.js';
import { evaluationConfig } from '../gate/evaluation-config.js';
import { showHelp } from '../help.js';
import type { CliIo } from '../io.js';
import { withSession, type SessionDeps } from '../session.js';
import { followToVerdict } from './follow-to-verdict.js';
import { notAwaitedNotice, shouldWait } from './wait-policy.js';

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  ...REPORT_OPTIONS,
  metric: { type: 'string', short: 'm', multiple: true },
  gate: { type: 'string', short: 'g', multiple: true },
  'gate-file': { type: 'string' },
  wait: { type: 'boolean', short: 'w' },
  'no-wait': { type: 'boolean' },
  timeout: { type: 'string' },
  'skip-invalid': { type: 'boolean' },
  name: { type: 'string' },
  label: { type: 'string', multiple: true },
  'idempotency-key': { type: 'string' },
} as const;

const DEFAULT_TIMEOUT_SECONDS = 3_600;

/**
 * `evalvault run <dataset>`: everything is checked locally first (metrics, gate rules, every
 * row of the dataset), then the run is submitted once (Idempotency-Key) and, when a verdict
 * is wanted, followed to it.
 */
export async function runCommand(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, positionals, help } = parseCommand('run', argv, OPTIONS, ['dataset']);
  if (help) return showHelp(io, 'run');
  const timeoutMs = secondsOption('timeout', values.timeout, DEFAULT_TIMEOUT_SECONDS);
  const labels = labelsOption(values.label);
  const config = await evaluationConfig(values.metric ?? [], values.gate ?? [], values['gate-file']);
  const file = await loadDatasetFile(positionals[0]!);
  checkSubmittable(file, values['skip-invalid'] ?? false);
  reportSkipped(file, io);
  const reports = { junit: values.junit, json: values.json, markdown: values.markdown };

  const hasGate = config.gateRules.length > 0;
  return withSession(values, io, deps, async (session) => {
    const wait = shouldWait(values, { hasGate, reports, embedded: session.embedded });
    const submitted = await session.runs.submit(
      {
        dataset: { name: values.name ?? file.name, cases: file.cases },
        metrics: config.metrics,
        gate: { rules: config.gateRules },
        ...(Object.keys(labels).length > 0 ? { labels } : {}),
        ...(file.invalid.length > 0
          ? {
              rejectedRows: file.invalid.map((row) => ({
                line: row.line,
                reason: row.reason,
                errorCode: row.errorCode,
              })),
            }
          : {}),
      },
      values['idempotency-key'],
    );
    io.stderr.write(
      `evalvault: submitted run ${submitted.runId} (${file.cases.length} cases; ${config.metrics.join(', ')}) to ${session.url}, project ${session.project}\n`,
    );
    if (!wait) {
      io.stdout.write(`${submitted.runId}\n`); // the run id is the result, for scripts
      io.stderr.write(notAwaitedNotice(submitted.runId, hasGate));
      return 0;
    }
    return followToVerdict(session, submitted.runId, io, { timeoutMs, reports });
  });
}

function reportSkipped(file: DatasetFile, io: CliIo): void {
  for (const row of file.invalid)
    io.stderr.write(`evalvault: skipping ${file.path}:${row.line}: ${reasonWithoutLine(row)} [${row.errorCode}]\n`);
}
