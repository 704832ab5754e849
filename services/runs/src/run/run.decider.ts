import {
  caseEvaluatedPayload,
  evaluatedCases,
  type CaseEvaluatedPayload,
  type CaseFailedPayload,
  type EvaluatedCase,
  type GateFailedPayload,
  type GatePassedPayload,
  type LlmUsage,
  type RunCancelledPayload,
  type RunCompletedPayload,
  type RunFailedPayload,
  type RunRequestedPayload,
  type RunStartedPayload,
  type RunSubject,
} from '@evalvault/contracts';
import {
  aggregateMetrics,
  evaluateGate,
  gateIdentity,
  isMissingBaselinePolicy,
  parseGateRules,
  type GateBaseline,
} from '@evalvault/evaluation';
import { CaseIndexSet } from './growing-views.js';
import { RunError, RunErrorCode } from './run.errors.js';

/**
 * The run aggregate: Requested → Started → Completed | Failed | Cancelled, and the gate
 * verdict it decides at completion from the cases' scores. Pure: time, ids and the baseline
 * run (read by the completer) come in with the commands.
 * Recording the same case twice yields nothing, so redelivered work scores nothing twice.
 */
export type RunEvent =
  | { type: 'RunRequested'; payload: RunRequestedPayload }
  | { type: 'RunStarted'; payload: RunStartedPayload }
  | { type: 'CaseEvaluated'; payload: CaseEvaluatedPayload }
  | { type: 'CaseFailed'; payload: CaseFailedPayload }
  | { type: 'RunCompleted'; payload: RunCompletedPayload }
  | { type: 'RunFailed'; payload: RunFailedPayload }
  | { type: 'RunCancelled'; payload: RunCancelledPayload }
  | { type: 'GatePassed'; payload: GatePassedPayload }
  | { type: 'GateFailed'; payload: GateFailedPayload };

/** Whose gate this is, for its identity (notifications group failures of the same gate). */
export interface GateScope {
  tenant: string;
  project: string;
}

export type RunCommand =
  | { type: 'RequestRun'; request: RunRequestedPayload }
  | { type: 'StartRun'; totalCases: number }
  | { type: 'RecordCases'; runId: string; results: EvaluatedCase[]; failures: CaseFailedPayload[] }
  | {
      type: 'CompleteRun';
      scope: GateScope;
      /** The last passing run, or memory's learned baselines for a run that uses memory; null: none found. */
      baseline: GateBaseline | null;
      durationMs: number;
      /**
       * The scores of the run's evaluated cases per metric, which the aggregates and the gate are
       * computed from: read from the run's stream by the completer, as the baseline is, rather than
       * kept in every worker's state (8 bytes a score a metric, 24 MB for a million cases of three).
       */
      scores: ReadonlyMap<string, readonly number[]>;
    }
  | { type: 'FailRun'; reason: string; message: string }
  | { type: 'CancelRun'; reason: string | null };

export type RunStatus = 'none' | 'requested' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface RunState {
  status: RunStatus;
  request: RunRequestedPayload | null;
  totalCases: number | null;
  /** Case indexes already evaluated or failed. */
  accounted: CaseIndexSet;
  /** Case indexes evaluated (a retry of failed cases runs the others). */
  evaluatedIndexes: CaseIndexSet;
  evaluated: number;
  failed: number;
  /** What the run's LLM calls cost: every recorded case's, evaluated or failed. */
  usage: LlmUsage;
}

export const initialRunState: RunState = {
  status: 'none',
  request: null,
  totalCases: null,
  accounted: CaseIndexSet.empty(),
  evaluatedIndexes: CaseIndexSet.empty(),
  evaluated: 0,
  failed: 0,
  usage: { requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, cacheHits: 0 },
};

const TERMINAL: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

export function isTerminal(state: RunState): boolean {
  return TERMINAL.includes(state.status);
}

/** Every case is either evaluated or failed: time to complete the run. */
export function allCasesAccounted(state: RunState): boolean {
  return state.status === 'running' && state.totalCases !== null && state.accounted.size >= state.totalCases;
}

export function decideRun(command: RunCommand, state: RunState): RunEvent[] {
  switch (command.type) {
    case 'RequestRun': {
      if (state.status === 'none') return [{ type: 'RunRequested', payload: command.request }];
      if (state.request?.configHash === command.request.configHash) return []; // a retried request
      throw new RunError(
        RunErrorCode.AlreadyExists,
        `run ${command.request.runId} already exists with another configuration`,
      );
    }
    case 'StartRun': {
      requireExists(state);
      if (state.status !== 'requested') return [];
      return [{ type: 'RunStarted', payload: { runId: state.request!.runId, totalCases: command.totalCases } }];
    }
    case 'RecordCases':
      return decideRecordCases(command, state);
    case 'CompleteRun':
      return decideComplete(command, state);
    case 'FailRun': {
      requireExists(state);
      if (isTerminal(state)) return [];
      return [
        {
          type: 'RunFailed',
          payload: {
            runId: state.request!.runId,
            reason: command.reason,
            message: command.message,
            subject: subjectOf(state.request!),
          },
        },
      ];
    }
    case 'CancelRun': {
      requireExists(state);
      if (state.status === 'cancelled') return [];
      if (isTerminal(state))
        throw new RunError(RunErrorCode.Finished, `run ${state.request!.runId} is already ${state.status}`);
      return [{ type: 'RunCancelled', payload: { runId: state.request!.runId, reason: command.reason } }];
    }
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unhandled)}`);
    }
  }
}

function requireExists(state: RunState): void {
  if (state.status === 'none') throw new RunError(RunErrorCode.NotFound, 'run does not exist');
}

/**
 * Scored cases travel in batches (CaseEvaluated version 2, ADR 0022): one event, one audit entry
 * and one inbox row per batch instead of per case. Capped so an event with long judge
 * explanations stays well inside a Kafka message.
 */
export const MAX_CASES_PER_EVENT = 100;

function decideRecordCases(command: Extract<RunCommand, { type: 'RecordCases' }>, state: RunState): RunEvent[] {
  requireExists(state);
  if (isTerminal(state)) return []; // late results of a cancelled or failed run are dropped
  if (state.status !== 'running')
    throw new RunError(RunErrorCode.NotRunning, `run ${state.request!.runId} has not started`);
  const seen = new Set<number>();
  const fresh = <T extends { caseIndex: number }>(item: T): boolean => {
    const { caseIndex } = item;
    if (state.accounted.has(caseIndex) || seen.has(caseIndex)) return false;
    if (state.totalCases !== null && caseIndex >= state.totalCases) return false;
    seen.add(caseIndex);
    return true;
  };
  const evaluated = command.results.filter(fresh);
  const batches: RunEvent[] = [];
  for (let from = 0; from < evaluated.length; from += MAX_CASES_PER_EVENT) {
    const cases = evaluated.slice(from, from + MAX_CASES_PER_EVENT);
    batches.push({ type: 'CaseEvaluated', payload: caseEvaluatedPayload(command.runId, cases) });
  }
  return [...batches, ...command.failures.filter(fresh).map((payload): RunEvent => ({ type: 'CaseFailed', payload }))];
}

function decideComplete(command: Extract<RunCommand, { type: 'CompleteRun' }>, state: RunState): RunEvent[] {
  requireExists(state);
  if (state.status === 'completed') return [];
  if (isTerminal(state))
    throw new RunError(RunErrorCode.Finished, `run ${state.request!.runId} is already ${state.status}`);
  if (!allCasesAccounted(state)) {
    throw new RunError(
      RunErrorCode.Incomplete,
      `run ${state.request!.runId} has ${state.accounted.size} of ${state.totalCases ?? '?'} cases`,
    );
  }
  const { scores } = command;
  const completed: RunEvent = {
    type: 'RunCompleted',
    payload: {
      runId: state.request!.runId,
      totalCases: state.totalCases!,
      evaluatedCases: state.evaluated,
      failedCases: state.failed,
      aggregates: aggregateMetrics(scores),
      durationMs: command.durationMs,
      usage: state.usage.requests + state.usage.cacheHits > 0 ? state.usage : null,
    },
  };
  // A run submitted without gate rules has no gate: its verdict is none, and no gate event says otherwise.
  if (state.request!.gateRules.length === 0) return [completed];
  const { passed, verdict } = decideGate(state.request!, scores, command.scope, command.baseline);
  return [completed, passed ? { type: 'GatePassed', payload: verdict } : { type: 'GateFailed', payload: verdict }];
}

/** The gate's verdict on the run's scores (against the baseline for `baseline` rules), with what it concerns. */
function decideGate(
  request: RunRequestedPayload,
  scores: ReadonlyMap<string, readonly number[]>,
  scope: GateScope,
  baseline: GateBaseline | null,
): { passed: boolean; verdict: GatePassedPayload } {
  const rules = parseGateRules(request.gateRules);
  const { missingBaseline } = request; // a RunRequested before v3 reads as pass, what gates did then
  const outcome = evaluateGate(rules, scores, baseline, {
    missingBaseline: isMissingBaselinePolicy(missingBaseline) ? missingBaseline : 'pass',
  });
  const dataset =
    request.dataset.version === null
      ? { name: request.dataset.name ?? request.dataset.id }
      : { id: request.dataset.id };
  return {
    passed: outcome.passed,
    verdict: {
      gateId: gateIdentity({ tenant: scope.tenant, project: scope.project, dataset }, rules),
      rules: outcome.rules,
      baselineRunId: outcome.baselineRunId,
      baselineSource: outcome.baselineSource,
      subject: subjectOf(request),
    },
  };
}

/** What a run evaluated, as its verdict and its failure report it. */
function subjectOf(request: RunRequestedPayload): RunSubject {
  return {
    runId: request.runId,
    dataset: request.dataset,
    prompt: request.prompt,
    modelProfile: request.modelProfile,
    configHash: request.configHash,
  };
}

export function evolveRun(state: RunState, event: RunEvent): RunState {
  return evolveRunWith(state, [event]);
}

/** Folds many events into a new state; the case sets and score lists are shared views (growing-views.ts). */
export function evolveRunWith(state: RunState, events: readonly RunEvent[]): RunState {
  const draft: RunState = { ...state };
  for (const event of events) applyToDraft(draft, event);
  return draft;
}

function applyToDraft(draft: RunState, event: RunEvent): void {
  switch (event.type) {
    case 'RunRequested':
      draft.status = 'requested';
      draft.request = event.payload;
      return;
    case 'RunStarted':
      draft.status = 'running';
      draft.totalCases = event.payload.totalCases;
      return;
    case 'CaseEvaluated': {
      const cases = evaluatedCases(event.payload);
      const indexes = cases.map((c) => c.caseIndex);
      draft.accounted = draft.accounted.with(indexes);
      draft.evaluatedIndexes = draft.evaluatedIndexes.with(indexes);
      draft.evaluated += cases.length;
      for (const { usage } of cases) draft.usage = addUsage(draft.usage, usage);
      return;
    }
    case 'CaseFailed':
      draft.accounted = draft.accounted.with([event.payload.caseIndex]);
      draft.failed += 1;
      // What a case spent before it failed was paid all the same (null before CaseFailed v2).
      draft.usage = addUsage(draft.usage, event.payload.usage);
      return;
    case 'RunCompleted':
      draft.status = 'completed';
      return;
    case 'RunFailed':
      draft.status = 'failed';
      return;
    case 'RunCancelled':
      draft.status = 'cancelled';
      return;
    case 'GatePassed':
    case 'GateFailed':
      return;
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

function addUsage(total: LlmUsage, usage: LlmUsage | null): LlmUsage {
  if (!usage) return total;
  return {
    requests: total.requests + usage.requests,
    promptTokens: total.promptTokens + usage.promptTokens,
    completionTokens: total.completionTokens + usage.completionTokens,
    costUsd: total.costUsd + usage.costUsd,
    cacheHits: total.cacheHits + usage.cacheHits,
  };
}
