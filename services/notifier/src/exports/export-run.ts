import { DeliveryStepError } from '../delivery/http-call.js';
import type { DeliveryRequest } from '../delivery/destination.port.js';
import type { RunResultsRepository } from './run-results.repository.js';
import { RunNotExportableError, type ExportedRun } from './run-results.js';

/**
 * The run an export delivery is about, read from the event store; a run of another tenant or project, or one
 * that never completed, is a final failure (trying again changes nothing).
 */
export async function runToExport(runs: RunResultsRepository, request: DeliveryRequest): Promise<ExportedRun> {
  const final = (error: string): DeliveryStepError =>
    new DeliveryStepError({ error, statusCode: null, retryAfterMs: null, permanent: true });
  let run: ExportedRun;
  try {
    run = await runs.load(request.intent.runId);
  } catch (error) {
    if (error instanceof RunNotExportableError) throw final(`run ${request.intent.runId}: ${error.message}`);
    throw error;
  }
  if (run.tenantId !== request.tenantId || run.projectId !== request.projectId)
    throw final(`run ${request.intent.runId} is not a run of this export's project`);
  return run;
}
