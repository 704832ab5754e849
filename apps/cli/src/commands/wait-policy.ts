import { usageError } from '../errors.js';
import { wantsReports, type ReportFiles } from '../reports/write-reports.js';

export interface WaitFlags {
  wait?: boolean;
  'no-wait'?: boolean;
}

/**
 * Whether a submitting command follows its run to the verdict. A run with a gate is followed
 * by default, so a CI step's exit code always reflects the gate unless `--no-wait` says
 * otherwise; so are runs with reports to write and runs on the embedded platform (it stops
 * with the command). `--no-wait` only submits, and is refused where it would lose a result.
 */
export function shouldWait(
  flags: WaitFlags,
  options: { hasGate: boolean; reports: ReportFiles; embedded: boolean },
): boolean {
  if (flags['no-wait']) {
    if (flags.wait) throw usageError('--wait and --no-wait contradict each other');
    if (wantsReports(options.reports))
      throw usageError('--no-wait cannot write reports: they need the verdict (drop --no-wait, or the report options)');
    if (options.embedded)
      throw usageError(
        '--no-wait needs a server (EVALVAULT_URL or "evalvault login"): the embedded platform stops with the command',
      );
    return false;
  }
  return Boolean(flags.wait) || options.hasGate || wantsReports(options.reports) || options.embedded;
}

/** Said on stderr when a run was only submitted, so nobody reads exit 0 as a passed gate. */
export function notAwaitedNotice(runId: string, hasGate: boolean): string {
  const what = hasGate
    ? 'no verdict was awaited: exit 0 means the run was accepted, not that its gate passed'
    : 'no gate rules: nothing to wait for';
  return `evalvault: ${what}; follow it with "evalvault runs wait ${runId}"\n`;
}
