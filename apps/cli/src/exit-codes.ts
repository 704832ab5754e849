import type { GateRuleResult } from '@evalvault/contracts';
import type { RunView } from '@evalvault/service-apis';
import { baselineText } from './output/run-report-text.js';

/**
 * The contract with CI:
 *   0  the run completed and its gate passed, or it has no gate (also: a command without a
 *      verdict succeeded);
 *   1  the run completed and its gate failed;
 *   2  anything else: bad usage, configuration, network, authentication, an invalid dataset,
 *      a run that failed or was cancelled (no verdict), or a wait that timed out.
 * A build step can therefore tell "the quality dropped" (1) from "the check could not run" (2).
 */
export const EXIT_GATE_PASSED = 0;
export const EXIT_GATE_FAILED = 1;
export const EXIT_ERROR = 2;

export interface RunOutcome {
  exitCode: 0 | 1 | 2;
  /** One line for the terminal and the CI log. */
  reason: string;
}

const formatNumber = (value: number | null): string => (value === null ? 'none' : String(Number(value.toFixed(4))));

export function describeFailedRule(rule: GateRuleResult): string {
  const threshold = rule.noBaseline ? 'no baseline' : `threshold ${formatNumber(rule.threshold)}`;
  return `${rule.rule} (actual ${formatNumber(rule.actual)}, ${threshold})`;
}

/** The exit code and reason a finished (or abandoned) run stands for. */
export function outcomeOf(view: RunView): RunOutcome {
  switch (view.status) {
    case 'completed': {
      if (view.verdict === 'none')
        return { exitCode: EXIT_GATE_PASSED, reason: `run ${view.runId} completed; no gate was set` };
      if (!view.gate) return { exitCode: EXIT_ERROR, reason: `run ${view.runId} completed without a gate verdict` };
      const count = view.gate.rules.length;
      const baseline = baselineText(view);
      const against = baseline ? `; ${baseline}` : '';
      if (view.gate.passed)
        return {
          exitCode: EXIT_GATE_PASSED,
          reason:
            count === 0
              ? 'gate passed (no rules to fail)'
              : `gate passed (${count} rule${count === 1 ? '' : 's'}${against})`,
        };
      const failing = view.gate.rules.filter((rule) => !rule.passed).map(describeFailedRule);
      return { exitCode: EXIT_GATE_FAILED, reason: `gate failed: ${failing.join('; ')}${against}` };
    }
    case 'failed':
      return {
        exitCode: EXIT_ERROR,
        reason:
          `run ${view.runId} failed (${view.failure?.reason ?? 'unknown'})` +
          (view.failure?.message ? `: ${view.failure.message}` : ''),
      };
    case 'cancelled':
      return {
        exitCode: EXIT_ERROR,
        reason: `run ${view.runId} was cancelled${view.failure?.message ? `: ${view.failure.message}` : ''}`,
      };
    case 'requested':
    case 'running':
      return { exitCode: EXIT_ERROR, reason: `run ${view.runId} is still ${view.status}` };
    default: {
      const unknown: never = view.status;
      return { exitCode: EXIT_ERROR, reason: `run ${view.runId} has an unknown status ${String(unknown)}` };
    }
  }
}
