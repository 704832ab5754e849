import type { DataSource } from 'typeorm';
import type { EvalVaultEvent } from '@evalvault/contracts';
import { InboxProjection, type ProjectionEffect } from '@evalvault/platform';
import { onCaseEvaluated, onCaseFailed } from './case.handlers.js';
import { onLearningUpdated } from './learning.handlers.js';
import {
  onGateVerdict,
  onRunCancelled,
  onRunCompleted,
  onRunFailed,
  onRunRequested,
  onRunStarted,
} from './run.handlers.js';
import { RUNS_SCHEMA } from '../migrations/runs.migrations.js';

/** The inbox consumer name of this read model; a rebuild forgets this consumer's entries. */
export const RUNS_READ_MODEL_CONSUMER = 'runs-read-model';

/**
 * The runs read model, fed from the bus (or replayed from the event store to rebuild it), with
 * Domain Memory's learned baselines (LearningUpdated) that runs using memory are gated against.
 * Each event is applied effectively once: its id goes into the inbox in the same
 * transaction as its change, so a redelivery changes nothing.
 */
export class RunsProjection extends InboxProjection {
  constructor(dataSource: DataSource) {
    super(dataSource, RUNS_SCHEMA, RUNS_READ_MODEL_CONSUMER);
  }

  protected effectOf(event: EvalVaultEvent): ProjectionEffect | null {
    return effectOf(event);
  }
}

function effectOf(event: EvalVaultEvent): ProjectionEffect | null {
  switch (event.type) {
    case 'RunRequested':
      return (manager) => onRunRequested(manager, event);
    case 'RunStarted':
      return (manager) => onRunStarted(manager, event);
    case 'CaseEvaluated':
      return (manager) => onCaseEvaluated(manager, event);
    case 'CaseFailed':
      return (manager) => onCaseFailed(manager, event);
    case 'RunCompleted':
      return (manager) => onRunCompleted(manager, event);
    case 'RunFailed':
      return (manager) => onRunFailed(manager, event);
    case 'RunCancelled':
      return (manager) => onRunCancelled(manager, event);
    case 'GatePassed':
    case 'GateFailed':
      return (manager) => onGateVerdict(manager, event);
    case 'LearningUpdated':
      return (manager) => onLearningUpdated(manager, event);
    default:
      return null;
  }
}
