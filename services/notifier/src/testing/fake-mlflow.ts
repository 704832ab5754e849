import { randomUUID } from 'node:crypto';
import { check, FakeVendorServer, type ReceivedRequest, type VendorAnswer } from './fake-vendor-server.js';

export interface FakeMlflowRun {
  info: {
    run_id: string;
    run_uuid: string;
    experiment_id: string;
    run_name: string;
    status: string;
    start_time: number;
    end_time?: number;
    artifact_uri: string;
    lifecycle_stage: 'active';
  };
  params: Map<string, string>;
  metrics: { key: string; value: number; timestamp: number; step: number }[];
  tags: Map<string, string>;
}

const API = '/api/2.0/mlflow/';
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts/';
const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];

const error = (status: number, code: string, message: string): VendorAnswer => ({
  status,
  body: { error_code: code, message },
});

/**
 * An MLflow tracking server's REST API 2.0 (mlflow.org/docs/latest/rest-api), checked field by field:
 * experiments/get-by-name (404 RESOURCE_DOES_NOT_EXIST), experiments/create (RESOURCE_ALREADY_EXISTS),
 * runs/create (experiment_id, run_name, start_time ms, tags [{key, value}]), runs/search (experiment_ids, a
 * `tags.<key> = '<value>'` filter, max_results), runs/log-batch (run_id; ≤ 1000 metrics {key, value, timestamp,
 * step}, ≤ 100 params {key, value ≤ 6000}, ≤ 100 tags, ≤ 1000 in all; a param logged again with another value is
 * INVALID_PARAMETER_VALUE), runs/update (status, end_time), and, when it serves artifacts, the artifact proxy
 * PUT /api/2.0/mlflow-artifacts/artifacts/<path> under the run's `mlflow-artifacts:/…` root. Errors are
 * `{error_code, message}` with 400/404, as MLflow answers.
 */
export class FakeMlflow extends FakeVendorServer {
  readonly experiments = new Map<string, string>();
  readonly runs = new Map<string, FakeMlflowRun>();
  readonly artifacts = new Map<string, string>();

  constructor(
    private readonly token: string | null,
    private readonly serveArtifacts: boolean,
  ) {
    super();
  }

  static start(options: { token?: string | null; serveArtifacts?: boolean } = {}): Promise<FakeMlflow> {
    return new FakeMlflow(options.token ?? null, options.serveArtifacts ?? true).listen();
  }

  protected handle(request: ReceivedRequest): VendorAnswer {
    if (this.token && request.headers['authorization'] !== `Bearer ${this.token}`) {
      request.problems.push('authorization is not the Bearer token');
      return error(401, 'UNAUTHENTICATED', 'Credentials were not supplied');
    }
    if (request.path.startsWith(ARTIFACTS) && this.serveArtifacts && request.method === 'PUT')
      return this.putArtifact(request);
    const endpoint = request.path.startsWith(API) ? request.path.slice(API.length) : '';
    const body = (request.body ?? {}) as Record<string, unknown>;
    switch (`${request.method} ${endpoint}`) {
      case 'GET experiments/get-by-name':
        return this.getExperiment(request);
      case 'POST experiments/create':
        return this.createExperiment(request, body);
      case 'POST runs/create':
        return this.createRun(request, body);
      case 'POST runs/search':
        return this.search(request, body);
      case 'POST runs/log-batch':
        return this.logBatch(request, body);
      case 'POST runs/update':
        return this.update(request, body);
      default:
        request.problems.push(`no such endpoint ${request.method} ${request.path}`);
        return error(404, 'ENDPOINT_NOT_FOUND', `No API endpoint for ${request.path}`);
    }
  }

  private invalid(request: ReceivedRequest, message: string): VendorAnswer {
    request.problems.push(message);
    return error(400, 'INVALID_PARAMETER_VALUE', message);
  }

  private getExperiment(request: ReceivedRequest): VendorAnswer {
    const name = request.query.get('experiment_name');
    if (!name) return this.invalid(request, 'experiment_name is required');
    const id = this.experiments.get(name);
    if (!id) return error(404, 'RESOURCE_DOES_NOT_EXIST', `Could not find experiment with name '${name}'`);
    return {
      status: 200,
      body: {
        experiment: {
          experiment_id: id,
          name,
          artifact_location: `mlflow-artifacts:/${id}`,
          lifecycle_stage: 'active',
        },
      },
    };
  }

  private createExperiment(request: ReceivedRequest, body: Record<string, unknown>): VendorAnswer {
    if (!check.string(body['name'], 'name', request.problems)) return this.invalid(request, 'name is required');
    if (this.experiments.has(body['name']))
      return error(400, 'RESOURCE_ALREADY_EXISTS', `Experiment '${body['name']}' already exists.`);
    const id = String(this.experiments.size + 1);
    this.experiments.set(body['name'], id);
    return { status: 200, body: { experiment_id: id } };
  }

  private tagsOf(request: ReceivedRequest, value: unknown, path: string, max: number): [string, string][] | null {
    if (value === undefined) return [];
    if (!check.array(value, path, request.problems, max)) return null;
    const entries: [string, string][] = [];
    for (const [index, tag] of value.entries()) {
      const at = `${path}[${index}]`;
      if (!check.object(tag, at, request.problems)) return null;
      if (!check.string(tag['key'], `${at}.key`, request.problems, 250)) return null;
      if (typeof tag['value'] !== 'string') {
        request.problems.push(`${at}.value must be a string`);
        return null;
      }
      entries.push([tag['key'], tag['value']]);
    }
    return entries;
  }

  private createRun(request: ReceivedRequest, body: Record<string, unknown>): VendorAnswer {
    const experimentId = body['experiment_id'];
    if (typeof experimentId !== 'string' || ![...this.experiments.values()].includes(experimentId))
      return this.invalid(request, 'experiment_id must name an existing experiment (a string)');
    if (typeof body['start_time'] !== 'number' || !Number.isInteger(body['start_time']))
      return this.invalid(request, 'start_time must be an integer (ms since the epoch)');
    if (body['run_name'] !== undefined && !check.string(body['run_name'], 'run_name', request.problems))
      return error(400, 'INVALID_PARAMETER_VALUE', 'run_name must be a string');
    const tags = this.tagsOf(request, body['tags'], 'tags', 100);
    if (!tags) return error(400, 'INVALID_PARAMETER_VALUE', request.problems.join('; '));
    const runId = randomUUID().replaceAll('-', '');
    const run: FakeMlflowRun = {
      info: {
        run_id: runId,
        run_uuid: runId,
        experiment_id: experimentId,
        run_name: String(body['run_name'] ?? runId),
        status: 'RUNNING',
        start_time: body['start_time'],
        artifact_uri: this.serveArtifacts
          ? `mlflow-artifacts:/${experimentId}/${runId}/artifacts`
          : `s3://mlflow/${experimentId}/${runId}/artifacts`,
        lifecycle_stage: 'active',
      },
      params: new Map(),
      metrics: [],
      tags: new Map(tags),
    };
    this.runs.set(runId, run);
    return { status: 200, body: { run: this.view(run) } };
  }

  private view(run: FakeMlflowRun): Record<string, unknown> {
    return {
      info: run.info,
      data: {
        params: [...run.params].map(([key, value]) => ({ key, value })),
        tags: [...run.tags].map(([key, value]) => ({ key, value })),
        metrics: run.metrics,
      },
    };
  }

  private search(request: ReceivedRequest, body: Record<string, unknown>): VendorAnswer {
    if (!check.array(body['experiment_ids'], 'experiment_ids', request.problems))
      return error(400, 'INVALID_PARAMETER_VALUE', 'experiment_ids must be an array');
    const ids = body['experiment_ids'] as unknown[];
    const filter = body['filter'] === undefined ? null : String(body['filter']);
    const match = filter === null ? null : /^tags\.([A-Za-z0-9_.-]+|`[^`]+`)\s*=\s*'([^']*)'$/.exec(filter.trim());
    if (filter !== null && !match) return this.invalid(request, `filter ${filter} is not a tag comparison`);
    if (body['max_results'] !== undefined && (typeof body['max_results'] !== 'number' || body['max_results'] < 1))
      return this.invalid(request, 'max_results must be a positive integer');
    const key = match?.[1]?.replace(/^`|`$/g, '');
    const runs = [...this.runs.values()].filter(
      (run) => ids.includes(run.info.experiment_id) && (!key || run.tags.get(key) === match![2]),
    );
    return {
      status: 200,
      body:
        runs.length === 0
          ? {}
          : { runs: runs.slice(0, Number(body['max_results'] ?? 1000)).map((run) => this.view(run)) },
    };
  }

  private runOf(request: ReceivedRequest, body: Record<string, unknown>): FakeMlflowRun | VendorAnswer {
    if (!check.string(body['run_id'], 'run_id', request.problems))
      return error(400, 'INVALID_PARAMETER_VALUE', 'run_id is required');
    return this.runs.get(body['run_id']) ?? error(404, 'RESOURCE_DOES_NOT_EXIST', `Run '${body['run_id']}' not found`);
  }

  private logBatch(request: ReceivedRequest, body: Record<string, unknown>): VendorAnswer {
    const run = this.runOf(request, body);
    if (!('params' in run)) return run;
    const metrics = body['metrics'] ?? [];
    const params = this.tagsOf(request, body['params'], 'params', 100);
    const tags = this.tagsOf(request, body['tags'], 'tags', 100);
    if (!params || !tags || !check.array(metrics, 'metrics', request.problems, 1000))
      return error(400, 'INVALID_PARAMETER_VALUE', request.problems.join('; '));
    if (params.length + tags.length + metrics.length > 1000)
      return this.invalid(request, 'A batch logging request can contain at most 1000 metrics, params and tags');
    for (const [key, value] of params) {
      if (value.length > 6000) return this.invalid(request, `param ${key} is longer than 6000 characters`);
      const before = run.params.get(key);
      if (before !== undefined && before !== value)
        return this.invalid(
          request,
          `Changing param values is not allowed. Param with key='${key}' was already logged`,
        );
    }
    for (const [index, metric] of metrics.entries()) {
      const at = `metrics[${index}]`;
      if (!check.object(metric, at, request.problems)) return error(400, 'INVALID_PARAMETER_VALUE', at);
      check.string(metric['key'], `${at}.key`, request.problems, 250);
      if (typeof metric['value'] !== 'number') request.problems.push(`${at}.value must be a number`);
      if (!Number.isInteger(metric['timestamp'])) request.problems.push(`${at}.timestamp must be an integer (ms)`);
      if (metric['step'] !== undefined && !Number.isInteger(metric['step']))
        request.problems.push(`${at}.step must be an integer`);
    }
    if (request.problems.length > 0) return error(400, 'INVALID_PARAMETER_VALUE', request.problems.join('; '));
    for (const [key, value] of params) run.params.set(key, value);
    for (const [key, value] of tags) run.tags.set(key, value);
    run.metrics.push(...(metrics as FakeMlflowRun['metrics']));
    return { status: 200, body: {} };
  }

  private update(request: ReceivedRequest, body: Record<string, unknown>): VendorAnswer {
    const run = this.runOf(request, body);
    if (!('params' in run)) return run;
    if (!check.oneOf(body['status'], 'status', RUN_STATUSES, request.problems))
      return error(400, 'INVALID_PARAMETER_VALUE', request.problems.join('; '));
    if (body['end_time'] !== undefined && !Number.isInteger(body['end_time']))
      return this.invalid(request, 'end_time must be an integer (ms)');
    run.info.status = String(body['status']);
    if (body['end_time'] !== undefined) run.info.end_time = Number(body['end_time']);
    return { status: 200, body: { run_info: run.info } };
  }

  private putArtifact(request: ReceivedRequest): VendorAnswer {
    const path = decodeURIComponent(request.path.slice(ARTIFACTS.length));
    const run = [...this.runs.values()].find((candidate) =>
      path.startsWith(`${candidate.info.artifact_uri.slice('mlflow-artifacts:/'.length)}/`),
    );
    if (!run) {
      request.problems.push(`artifact path ${path} is under no run's artifact root`);
      return error(400, 'INVALID_PARAMETER_VALUE', 'Invalid artifact path');
    }
    this.artifacts.set(path, request.rawBody);
    return { status: 200, body: {} };
  }
}
