import { CONNECTION_OPTIONS, parseCommand, REPORT_OPTIONS, secondsOption } from '../args.js';
import { MemoryApi } from '../api/memory-api.js';
import { CliError } from '../errors.js';
import { showHelp } from '../help.js';
import type { CliIo } from '../io.js';
import { renderRunResult } from '../output/run-report-text.js';
import { renderComparison, renderComparisonMarkdown } from '../output/run-comparison-text.js';
import { renderTable } from '../output/table.js';
import { DEFAULT_INSIGHTS_WAIT, memoryReportOf } from '../reports/memory-report.js';
import { withSession, type SessionDeps } from '../session.js';
import { followToVerdict } from './follow-to-verdict.js';
import { notAwaitedNotice, shouldWait } from './wait-policy.js';

const JSON_OUTPUT = { ...CONNECTION_OPTIONS, json: { type: 'boolean' } } as const;

/** `evalvault runs list|show|compare|cancel|retry|wait`. */
export async function runsCommand(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list':
      return list(rest, io, deps);
    case 'show':
      return show(rest, io, deps);
    case 'compare':
      return compare(rest, io, deps);
    case 'cancel':
      return cancel(rest, io, deps);
    case 'retry':
      return retry(rest, io, deps);
    case 'wait':
      return waitFor(rest, io, deps);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      return showHelp(io, 'runs');
    default:
      throw new CliError('usage', `runs: unknown command "${sub}" (list, show, compare, cancel, retry, wait)`);
  }
}

const LIST_OPTIONS = {
  ...JSON_OUTPUT,
  status: { type: 'string' },
  dataset: { type: 'string' },
  label: { type: 'string' },
  limit: { type: 'string' },
} as const;

async function list(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, help } = parseCommand('runs list', argv, LIST_OPTIONS, []);
  if (help) return showHelp(io, 'runs');
  const limit = Number(values.limit ?? 20);
  if (!Number.isInteger(limit) || limit < 1)
    throw new CliError('usage', `--limit must be a positive whole number, got "${values.limit}"`);
  return withSession(values, io, deps, async ({ runs }) => {
    const filter = { status: values.status, dataset: values.dataset, label: values.label };
    const items = [];
    let cursor: string | undefined;
    do {
      // the API pages by at most 100
      const page = await runs.list(filter, Math.min(100, limit - items.length), cursor);
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && items.length < limit);
    if (values.json) io.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
    else
      io.stdout.write(
        `${renderTable(
          [
            { header: 'run' },
            { header: 'status' },
            { header: 'dataset' },
            { header: 'cases', align: 'right' },
            { header: 'failed', align: 'right' },
            { header: 'gate' },
            { header: 'requested' },
          ],
          items.map((run) => [
            run.runId,
            run.status,
            run.datasetName ?? run.datasetKey,
            String(run.counts.total ?? '?'),
            String(run.counts.failed),
            run.verdict === 'none' ? 'none' : run.gatePassed === null ? '-' : run.gatePassed ? 'passed' : 'FAILED',
            run.requestedAt,
          ]),
        )}\n`,
      );
    return 0;
  });
}

async function show(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, positionals, help } = parseCommand('runs show', argv, JSON_OUTPUT, ['runId']);
  if (help) return showHelp(io, 'runs');
  return withSession(values, io, deps, async ({ runs, client, project }) => {
    const view = await runs.get(positionals[0]!);
    const cases = await runs.allCases(view.runId);
    // Looking back at a run does not wait for memory to form: one attempt, or why there is nothing.
    const once = { ...DEFAULT_INSIGHTS_WAIT, timeoutMs: 0 };
    const memory = await memoryReportOf(view, new MemoryApi(client, project), once);
    const json = { run: view, cases, ...(memory ? { memory } : {}) };
    io.stdout.write(values.json ? `${JSON.stringify(json, null, 2)}\n` : renderRunResult(view, cases, memory));
    return 0;
  });
}

const COMPARE_OPTIONS = { ...JSON_OUTPUT, markdown: { type: 'boolean' } } as const;

async function compare(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, positionals, help } = parseCommand('runs compare', argv, COMPARE_OPTIONS, [
    'baseRunId',
    'candidateRunId',
  ]);
  if (help) return showHelp(io, 'runs');
  if (values.json && values.markdown) throw new CliError('usage', 'runs compare: --json or --markdown, not both');
  return withSession(values, io, deps, async ({ runs }) => {
    const comparison = await runs.compare(positionals[0]!, positionals[1]!);
    if (values.json) io.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
    else if (values.markdown) io.stdout.write(renderComparisonMarkdown(comparison));
    else io.stdout.write(renderComparison(comparison));
    return 0;
  });
}

async function cancel(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, positionals, help } = parseCommand(
    'runs cancel',
    argv,
    { ...CONNECTION_OPTIONS, reason: { type: 'string' } },
    ['runId'],
  );
  if (help) return showHelp(io, 'runs');
  return withSession(values, io, deps, async ({ runs }) => {
    const result = await runs.cancel(positionals[0]!, values.reason);
    io.stdout.write(`run ${result.runId} ${result.status}\n`);
    return 0;
  });
}

const RETRY_OPTIONS = {
  ...CONNECTION_OPTIONS,
  ...REPORT_OPTIONS,
  all: { type: 'boolean' },
  wait: { type: 'boolean', short: 'w' },
  'no-wait': { type: 'boolean' },
  timeout: { type: 'string' },
} as const;
const WAIT_OPTIONS = { ...CONNECTION_OPTIONS, ...REPORT_OPTIONS, timeout: { type: 'string' } } as const;

/**
 * `runs wait <runId>`: follows a run submitted earlier (e.g. with --no-wait) to its verdict; exit code from
 * the gate.
 */
async function waitFor(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, positionals, help } = parseCommand('runs wait', argv, WAIT_OPTIONS, ['runId']);
  if (help) return showHelp(io, 'runs');
  const timeoutMs = secondsOption('timeout', values.timeout, 3_600);
  const reports = { junit: values.junit, json: values.json, markdown: values.markdown };
  return withSession(values, io, deps, (session) =>
    followToVerdict(session, positionals[0]!, io, { timeoutMs, reports }),
  );
}

async function retry(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, positionals, help } = parseCommand('runs retry', argv, RETRY_OPTIONS, ['runId']);
  if (help) return showHelp(io, 'runs');
  const timeoutMs = secondsOption('timeout', values.timeout, 3_600);
  const reports = { junit: values.junit, json: values.json, markdown: values.markdown };
  return withSession(values, io, deps, async (session) => {
    const submitted = await session.runs.retry(positionals[0]!, values.all ? 'all' : 'failed');
    io.stderr.write(
      `evalvault: run ${submitted.runId} retries ${positionals[0]} ` +
        `(${values.all ? 'every case' : 'the cases not evaluated'})\n`,
    );
    // A retry re-decides the original run's gate: followed by default, like `run` with a gate.
    if (!shouldWait(values, { hasGate: true, reports, embedded: session.embedded })) {
      io.stdout.write(`${submitted.runId}\n`);
      io.stderr.write(notAwaitedNotice(submitted.runId, true));
      return 0;
    }
    return followToVerdict(session, submitted.runId, io, { timeoutMs, reports });
  });
}
