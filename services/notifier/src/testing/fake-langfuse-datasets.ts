import { randomUUID } from 'node:crypto';
import { check, type ReceivedRequest, type VendorAnswer } from './fake-vendor-server.js';

export interface FakeLangfuseDataset {
  id: string;
  name: string;
  description: string | null;
  metadata: unknown;
  createdAt: string;
  updatedAt: string;
}

export interface FakeLangfuseDatasetItem {
  id: string;
  datasetId: string;
  datasetName: string;
  status: 'ACTIVE' | 'ARCHIVED';
  input: unknown;
  expectedOutput: unknown;
  metadata: unknown;
  /** How many requests upserted it. */
  writes: number;
}

export interface FakeLangfuseRun {
  id: string;
  name: string;
  datasetId: string;
  datasetName: string;
  description: string | null;
  metadata: unknown;
}

export interface FakeLangfuseRunItem {
  id: string;
  datasetRunId: string;
  datasetRunName: string;
  datasetItemId: string;
  traceId: string;
  observationId: string | null;
  createdAt: string;
}

const DATASET_FIELDS = ['name', 'description', 'metadata', 'inputSchema', 'expectedOutputSchema'];
const ITEM_FIELDS = ['datasetName', 'input', 'expectedOutput', 'metadata', 'sourceTraceId', 'sourceObservationId'];
const RUN_ITEM_FIELDS = ['runName', 'runDescription', 'metadata', 'datasetItemId', 'observationId', 'traceId'];
const given = (value: unknown): boolean => value !== undefined && value !== null;
const invalid = (problems: string[]): VendorAnswer => ({
  status: 400,
  body: { message: 'Invalid request data', error: problems },
});
const notFound = (message: string): VendorAnswer => ({
  status: 404,
  body: { message, error: 'LangfuseNotFoundError' },
});

/**
 * Langfuse's dataset endpoints, checked against its API reference (datasets.yml, dataset-items.yml,
 * dataset-run-items.yml, commons.yml) and answering as its handlers do: POST /api/public/v2/datasets upserts on
 * the name and answers the Dataset; POST /api/public/dataset-items needs the dataset (404), upserts on the id
 * and refuses an id already used in another dataset (404); POST /api/public/dataset-run-items needs an active
 * item (404) and a traceId or observationId, finds or creates the run by (dataset, runName), updating its
 * description and metadata, and always adds a run item with a new id (Langfuse takes none); GET
 * /api/public/dataset-run-items lists a run's items by datasetId and runName, at most 100 a page, 404 for a run
 * that does not exist. A request not of the documented shape is a 400 `{message, error}`.
 */
export class FakeLangfuseDatasets {
  readonly datasets = new Map<string, FakeLangfuseDataset>();
  readonly items = new Map<string, FakeLangfuseDatasetItem>();
  readonly runs = new Map<string, FakeLangfuseRun>();
  readonly runItems: FakeLangfuseRunItem[] = [];

  /** The answer to a dataset request, or null when the request is for another endpoint. */
  handle(request: ReceivedRequest): VendorAnswer | null {
    const route = `${request.method} ${request.path}`;
    if (route === 'POST /api/public/v2/datasets') return this.upsertDataset(request);
    if (route === 'POST /api/public/dataset-items') return this.upsertItem(request);
    if (route === 'POST /api/public/dataset-run-items') return this.createRunItem(request);
    if (route === 'GET /api/public/dataset-run-items') return this.listRunItems(request);
    return null;
  }

  private upsertDataset(request: ReceivedRequest): VendorAnswer {
    const problems = request.problems;
    const body = this.fields(request.body, 'CreateDatasetRequest', DATASET_FIELDS, problems);
    if (!body) return invalid(problems);
    check.string(body['name'], 'name', problems);
    if (given(body['description']) && typeof body['description'] !== 'string')
      problems.push('description must be a string');
    if (problems.length > 0) return invalid(problems);
    const name = body['name'] as string;
    const now = new Date().toISOString();
    const existing = this.datasets.get(name);
    const dataset: FakeLangfuseDataset = {
      id: existing?.id ?? randomUUID(),
      name,
      description: (body['description'] as string | undefined) ?? existing?.description ?? null,
      metadata: body['metadata'] ?? existing?.metadata ?? null,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    this.datasets.set(name, dataset);
    return { status: 200, body: { ...dataset, projectId: 'fake-project' } };
  }

  private upsertItem(request: ReceivedRequest): VendorAnswer {
    const problems = request.problems;
    const body = this.fields(request.body, 'CreateDatasetItemRequest', [...ITEM_FIELDS, 'id', 'status'], problems);
    if (!body) return invalid(problems);
    check.string(body['datasetName'], 'datasetName', problems);
    for (const field of ['input', 'expectedOutput', 'metadata'])
      if (given(body[field])) check.object(body[field], field, problems); // map<string, unknown>
    for (const field of ['id', 'sourceTraceId', 'sourceObservationId'])
      if (given(body[field])) check.string(body[field], field, problems);
    if (given(body['status'])) check.oneOf(body['status'], 'status', ['ACTIVE', 'ARCHIVED'], problems);
    if (problems.length > 0) return invalid(problems);
    const dataset = this.datasets.get(body['datasetName'] as string);
    if (!dataset) return notFound('Dataset not found');
    const id = (body['id'] as string | undefined) ?? randomUUID();
    const existing = this.items.get(id);
    if (existing && existing.datasetId !== dataset.id)
      return notFound(`The dataset item with id ${id} already exists in a dataset other than ${dataset.name}`);
    const item: FakeLangfuseDatasetItem = {
      id,
      datasetId: dataset.id,
      datasetName: dataset.name,
      status: (body['status'] as 'ACTIVE' | 'ARCHIVED' | undefined) ?? existing?.status ?? 'ACTIVE',
      input: body['input'] ?? existing?.input ?? null,
      expectedOutput: body['expectedOutput'] ?? existing?.expectedOutput ?? null,
      metadata: body['metadata'] ?? existing?.metadata ?? null,
      writes: (existing?.writes ?? 0) + 1,
    };
    this.items.set(id, item);
    const { writes: _writes, ...answered } = item;
    const now = new Date().toISOString();
    return {
      status: 200,
      body: { ...answered, sourceTraceId: null, sourceObservationId: null, createdAt: now, updatedAt: now },
    };
  }

  private createRunItem(request: ReceivedRequest): VendorAnswer {
    const problems = request.problems;
    const fields = [...RUN_ITEM_FIELDS, 'datasetVersion', 'createdAt'];
    const body = this.fields(request.body, 'CreateDatasetRunItemRequest', fields, problems);
    if (!body) return invalid(problems);
    check.string(body['runName'], 'runName', problems);
    check.string(body['datasetItemId'], 'datasetItemId', problems);
    for (const field of ['runDescription', 'observationId', 'traceId'])
      if (given(body[field])) check.string(body[field], field, problems);
    for (const field of ['datasetVersion', 'createdAt'])
      if (given(body[field]) && Number.isNaN(Date.parse(String(body[field]))))
        problems.push(`${field} must be an ISO 8601 date-time`);
    if (!given(body['traceId']) && !given(body['observationId']))
      problems.push('observationId or traceId must be provided');
    if (problems.length > 0) return invalid(problems);
    const item = this.items.get(body['datasetItemId'] as string);
    if (!item || item.status !== 'ACTIVE') return notFound('Dataset item not found');
    if (!given(body['traceId'])) return notFound('Observation not found'); // the stand-in keeps no observations
    const run = this.runOf(item, body);
    const runItem: FakeLangfuseRunItem = {
      id: randomUUID(),
      datasetRunId: run.id,
      datasetRunName: run.name,
      datasetItemId: item.id,
      traceId: body['traceId'] as string,
      observationId: (body['observationId'] as string | undefined) ?? null,
      createdAt: new Date().toISOString(),
    };
    this.runItems.push(runItem);
    return { status: 200, body: { ...runItem, updatedAt: runItem.createdAt } };
  }

  /** The run named in a run item request, created or found, its description and metadata updated. */
  private runOf(item: FakeLangfuseDatasetItem, body: Record<string, unknown>): FakeLangfuseRun {
    const name = body['runName'] as string;
    const key = `${item.datasetId}\u0000${name}`;
    const existing = this.runs.get(key);
    const run: FakeLangfuseRun = {
      id: existing?.id ?? randomUUID(),
      name,
      datasetId: item.datasetId,
      datasetName: item.datasetName,
      description: (body['runDescription'] as string | undefined) ?? existing?.description ?? null,
      metadata: body['metadata'] ?? existing?.metadata ?? null,
    };
    this.runs.set(key, run);
    return run;
  }

  private listRunItems(request: ReceivedRequest): VendorAnswer {
    const problems = request.problems;
    const datasetId = request.query.get('datasetId');
    const runName = request.query.get('runName');
    check.string(datasetId, 'datasetId', problems);
    check.string(runName, 'runName', problems);
    const page = Number(request.query.get('page') ?? '1');
    const limit = Number(request.query.get('limit') ?? '50');
    if (!Number.isInteger(page) || page < 1) problems.push('page must be an integer greater than 0');
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) problems.push('limit must be an integer up to 100');
    if (problems.length > 0) return invalid(problems);
    const run = this.runs.get(`${datasetId}\u0000${runName}`);
    if (!run) return notFound('Dataset run not found for the given project and dataset id');
    const all = this.runItems.filter((item) => item.datasetRunId === run.id);
    const data = all.slice((page - 1) * limit, page * limit).map((item) => ({ ...item, updatedAt: item.createdAt }));
    const meta = { page, limit, totalItems: all.length, totalPages: Math.ceil(all.length / limit) };
    return { status: 200, body: { data, meta } };
  }

  /** The body as an object of the named request type, each field one it documents. */
  private fields(
    body: unknown,
    type: string,
    known: readonly string[],
    problems: string[],
  ): Record<string, unknown> | null {
    if (!check.object(body, 'body', problems)) return null;
    for (const field of Object.keys(body)) if (!known.includes(field)) problems.push(`${field} is not a ${type} field`);
    return body;
  }
}
