import type { AttemptResult, DeliveryRequest, DestinationAdapter } from '../delivery/destination.port.js';
import {
  DeliveryStepError,
  failureOf,
  httpCall,
  isSuccess,
  resolveSecret,
  type HttpAnswer,
  type HttpDeliveryOptions,
} from '../delivery/http-call.js';
import { exportTagValue } from './export-ids.js';
import { runToExport } from './export-run.js';
import {
  casesArtifact,
  MLFLOW_EXPORT_TAG,
  mlflowBatches,
  mlflowMetrics,
  mlflowParams,
  mlflowTags,
} from './mlflow.render.js';
import type { RunResultsRepository } from './run-results.repository.js';

interface MlflowRunInfo {
  run_id: string;
  status?: string;
  artifact_uri?: string;
}

/** A request to `<tracking URL>/api/2.0/<path>`; a string body is sent as it is, anything else as JSON. */
type Call = (
  what: string,
  method: string,
  path: string,
  body?: unknown,
  missingIsAnswer?: boolean,
) => Promise<HttpAnswer>;

const ARTIFACT_PROXY = 'mlflow-artifacts:';

/**
 * MLflow tracking REST API 2.0: the experiment by name (get-by-name, created when missing), one run per
 * evaluation run (runs/create, log-batch with params, metrics and tags, the per-case table as a JSON artifact
 * when the server proxies artifacts, runs/update to FINISHED). runs/create is not idempotent, so every
 * attempt first searches the experiment for the run tagged with this export's notification (as the Jira
 * adapter searches for its label): an attempt whose answer was lost continues that run instead of making a
 * second one.
 */
export class MlflowAdapter implements DestinationAdapter {
  constructor(
    private readonly options: HttpDeliveryOptions,
    private readonly runs: RunResultsRepository,
  ) {}

  async deliver(request: DeliveryRequest): Promise<AttemptResult> {
    const { destination, notificationId } = request;
    if (destination.type !== 'mlflow') throw new Error(`MlflowAdapter got a ${destination.type} destination`);
    const run = await runToExport(this.runs, request);
    const token = destination.tokenRef ? await resolveSecret(this.options.secrets, destination.tokenRef) : null;
    const call = this.caller(destination.trackingUrl, token);
    const experimentId = await this.experiment(call, destination.experimentName);
    const tag = exportTagValue(notificationId);
    const info = (await this.findRun(call, experimentId, tag)) ?? (await this.createRun(call, experimentId, run, tag));
    const remote = {
      ok: true as const,
      remoteId: info.run_id,
      remoteUrl: runUrl(destination.trackingUrl, experimentId, info),
    };
    if (info.status === 'FINISHED') return remote;
    const artifactNote = await this.uploadCases(call, info, casesArtifact(run));
    for (const batch of mlflowBatches(mlflowParams(run), mlflowMetrics(run), mlflowTags(run, tag, artifactNote)))
      await call('mlflow log-batch', 'POST', 'mlflow/runs/log-batch', { run_id: info.run_id, ...batch });
    await call('mlflow update run', 'POST', 'mlflow/runs/update', {
      run_id: info.run_id,
      status: 'FINISHED',
      end_time: run.completedAt,
    });
    return remote;
  }

  /** Calls of one delivery; a non-2xx answer (but a missing experiment, asked by name) is the delivery's failure. */
  private caller(trackingUrl: string, token: string | null): Call {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (token) headers['authorization'] = `Bearer ${token}`;
    return async (what, method, path, body, missingIsAnswer = false) => {
      const answer = await httpCall(this.options, what, `${trackingUrl}/api/2.0/${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      if (!isSuccess(answer) && !(missingIsAnswer && isMissing(answer)))
        throw failureOf(what, answer, this.options.now(), token ? [token] : []);
      return answer;
    };
  }

  private async experiment(call: Call, name: string): Promise<string> {
    const query = new URLSearchParams({ experiment_name: name }).toString();
    const found = await call(
      'mlflow get experiment',
      'GET',
      `mlflow/experiments/get-by-name?${query}`,
      undefined,
      true,
    );
    if (!isMissing(found)) return parse<{ experiment: { experiment_id: string } }>(found).experiment.experiment_id;
    try {
      const created = await call('mlflow create experiment', 'POST', 'mlflow/experiments/create', { name });
      return parse<{ experiment_id: string }>(created).experiment_id;
    } catch (error) {
      // Another export created it since: take it.
      if (!(error instanceof DeliveryStepError) || !/RESOURCE_ALREADY_EXISTS/.test(error.failure.error)) throw error;
      const again = await call('mlflow get experiment', 'GET', `mlflow/experiments/get-by-name?${query}`);
      return parse<{ experiment: { experiment_id: string } }>(again).experiment.experiment_id;
    }
  }

  private async findRun(call: Call, experimentId: string, tag: string): Promise<MlflowRunInfo | null> {
    const answer = await call('mlflow search runs', 'POST', 'mlflow/runs/search', {
      experiment_ids: [experimentId],
      filter: `tags.${MLFLOW_EXPORT_TAG} = '${tag}'`,
      max_results: 1,
    });
    return parse<{ runs?: { info: MlflowRunInfo }[] }>(answer).runs?.[0]?.info ?? null;
  }

  private async createRun(
    call: Call,
    experimentId: string,
    run: { runId: string; requestedAt: number },
    tag: string,
  ): Promise<MlflowRunInfo> {
    const answer = await call('mlflow create run', 'POST', 'mlflow/runs/create', {
      experiment_id: experimentId,
      run_name: `evalvault-${run.runId}`,
      start_time: run.requestedAt,
      tags: [{ key: MLFLOW_EXPORT_TAG, value: tag }],
    });
    return parse<{ run: { info: MlflowRunInfo } }>(answer).run.info;
  }

  /**
   * The per-case table as `evalvault/cases.json` through the tracking server's artifact proxy
   * (PUT /api/2.0/mlflow-artifacts/artifacts/<path>) when the run's artifact URI is served by it; otherwise
   * (a server started with --no-serve-artifacts: s3://, file:, …) nothing is uploaded and the run says why.
   */
  private async uploadCases(call: Call, info: MlflowRunInfo, table: string): Promise<string | null> {
    const uri = info.artifact_uri ?? '';
    if (!uri.startsWith(ARTIFACT_PROXY))
      return `not uploaded: the run's artifact store (${uri.split(':')[0] || 'none'}) is not served by the tracker`;
    const path = `${uri.slice(ARTIFACT_PROXY.length).replace(/^\/+/, '')}/evalvault/cases.json`;
    await call('mlflow upload cases', 'PUT', `mlflow-artifacts/artifacts/${encodePath(path)}`, table);
    return null;
  }
}

const isMissing = (answer: HttpAnswer): boolean => answer.status === 404 && /RESOURCE_DOES_NOT_EXIST/.test(answer.body);

function parse<T>(answer: HttpAnswer): T {
  try {
    return JSON.parse(answer.body) as T;
  } catch {
    throw new DeliveryStepError({
      error: `mlflow: HTTP ${answer.status} with a body that is not JSON`,
      statusCode: answer.status,
      retryAfterMs: null,
      permanent: false,
    });
  }
}

const encodePath = (path: string): string => path.split('/').map(encodeURIComponent).join('/');

function runUrl(trackingUrl: string, experimentId: string, info: MlflowRunInfo): string {
  return `${trackingUrl}/#/experiments/${encodeURIComponent(experimentId)}/runs/${encodeURIComponent(info.run_id)}`;
}
