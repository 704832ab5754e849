import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CONNECTION_OPTIONS, parseCommand } from '../args.js';
import { CliError } from '../errors.js';
import { showHelp } from '../help.js';
import type { CliIo } from '../io.js';
import { renderReleaseHtml } from '../release-report/release-html.js';
import { gatherReleaseInput } from '../release-report/release-input.js';
import { renderReleaseMarkdown } from '../release-report/release-markdown.js';
import { buildReleaseReport } from '../release-report/release-report.js';
import { withSession, type SessionDeps } from '../session.js';

const REPORT_COMMAND_OPTIONS = {
  ...CONNECTION_OPTIONS,
  against: { type: 'string' },
  last: { type: 'string' },
  out: { type: 'string', short: 'o' },
} as const;

const DEFAULT_LAST = 5;
const MAX_LAST = 50;

/**
 * `evalvault report <runId> [--against RUN] [--last N] [--out DIR]`: the run's release notes as
 * DIR/report.md and DIR/report.html. Exit 0 when written, whatever the verdict (the gate's exit
 * code belongs to `run` and `runs wait`); the verdict is the report's first line.
 */
export async function reportCommand(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, positionals, help } = parseCommand('report', argv, REPORT_COMMAND_OPTIONS, ['runId']);
  if (help) return showHelp(io, 'report');
  const last = lastOption(values.last);
  const dir = resolve(io.cwd, values.out ?? 'evalvault-report');
  return withSession(values, io, deps, async ({ runs }) => {
    const input = await gatherReleaseInput(runs, positionals[0]!, {
      last,
      ...(values.against ? { against: values.against } : {}),
    });
    const report = buildReleaseReport(input);
    const generatedAt = new Date().toISOString();
    const files: Array<[string, string]> = [
      [join(dir, 'report.md'), renderReleaseMarkdown(report, generatedAt)],
      [join(dir, 'report.html'), renderReleaseHtml(report, generatedAt)],
    ];
    try {
      await mkdir(dir, { recursive: true });
      for (const [path, text] of files) await writeFile(path, text);
    } catch (error) {
      throw new CliError('config', `cannot write the report to ${dir}: ${(error as Error).message}`);
    }
    io.stderr.write(`evalvault: run ${report.runId}: ${report.headline}\n`);
    io.stdout.write(files.map(([path]) => `${path}\n`).join(''));
    return 0;
  });
}

function lastOption(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LAST;
  const last = Number(value);
  if (!Number.isInteger(last) || last < 1 || last > MAX_LAST)
    throw new CliError('usage', `--last must be a whole number from 1 to ${MAX_LAST}, got "${value}"`);
  return last;
}
