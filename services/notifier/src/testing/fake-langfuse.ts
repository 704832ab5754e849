import { FakeLangfuseDatasets } from './fake-langfuse-datasets.js';
import { check, FakeVendorServer, type ReceivedRequest, type VendorAnswer } from './fake-vendor-server.js';

const EVENT_TYPES = [
  'trace-create',
  'score-create',
  'span-create',
  'span-update',
  'generation-create',
  'generation-update',
  'event-create',
  'sdk-log',
];
const SCORE_TYPES = ['NUMERIC', 'CATEGORICAL', 'BOOLEAN'];
const MAX_BATCH_BYTES = 3.5 * 1024 * 1024;

/**
 * Langfuse's public ingestion API, POST /api/public/ingestion, checked against its API reference
 * (IngestionApi batch; IngestionEvent, TraceBody, ScoreBody, IngestionResponse): Basic auth with the project's
 * public key as user and secret key as password (401 otherwise); body `{batch: IngestionEvent[], metadata?}` of
 * at most 3.5 MB (413); each event an envelope `{id, type, timestamp (ISO 8601), body}`. A trace body has an
 * optional id, name, timestamp, input, output, sessionId, metadata and string tags; a score body a traceId,
 * name, a numeric value for dataType NUMERIC, optional id and comment. Answers 207 with `successes` and
 * `errors` per event (Langfuse does not answer 4xx for a bad event). Traces and scores are upserted by body id,
 * events de-duplicated by envelope id, as Langfuse does. The dataset endpoints are FakeLangfuseDatasets'.
 */
export class FakeLangfuse extends FakeVendorServer {
  readonly traces = new Map<string, Record<string, unknown>>();
  readonly scores = new Map<string, Record<string, unknown>>();
  readonly eventIds = new Set<string>();
  /** Datasets, their items, runs and run items. */
  readonly datasetApi = new FakeLangfuseDatasets();
  /** Event ids whose next ingestion is refused with this status (a 207 partial error). */
  private readonly refusals: { type: string; status: number; message: string }[] = [];

  constructor(
    private readonly publicKey: string,
    private readonly secretKey: string,
  ) {
    super();
  }

  static start(publicKey: string, secretKey: string): Promise<FakeLangfuse> {
    return new FakeLangfuse(publicKey, secretKey).listen();
  }

  /** The next event of this type is answered with an error of this status inside a 207. */
  refuseNextEvent(type: string, status: number, message: string): this {
    this.refusals.push({ type, status, message });
    return this;
  }

  protected handle(request: ReceivedRequest): VendorAnswer {
    const expected = `Basic ${Buffer.from(`${this.publicKey}:${this.secretKey}`).toString('base64')}`;
    if (request.headers['authorization'] !== expected) {
      request.problems.push('authorization is not Basic public-key:secret-key');
      return { status: 401, body: { message: 'Invalid credentials', error: 'Unauthorized' } };
    }
    if (request.method === 'POST' && request.path === '/api/public/ingestion') return this.ingestBatch(request);
    const answer = this.datasetApi.handle(request);
    if (answer) return answer;
    request.problems.push(`no such endpoint ${request.method} ${request.path}`);
    return { status: 404, body: { message: 'Not found' } };
  }

  private ingestBatch(request: ReceivedRequest): VendorAnswer {
    if (request.rawBytes.length > MAX_BATCH_BYTES) {
      request.problems.push('batch larger than 3.5 MB');
      return { status: 413, body: { message: 'Request body too large' } };
    }
    const problems = request.problems;
    if (!check.object(request.body, 'body', problems) || !check.array(request.body['batch'], 'batch', problems))
      return { status: 400, body: { message: 'Invalid request data', error: problems } };
    if (request.body['metadata'] !== undefined && request.body['metadata'] !== null)
      check.object(request.body['metadata'], 'metadata', problems);
    const successes: { id: string; status: number }[] = [];
    const errors: { id: string; status: number; message: string; error?: unknown }[] = [];
    for (const [index, event] of request.body['batch'].entries()) {
      const eventProblems: string[] = [];
      this.validateEvent(event, `batch[${index}]`, eventProblems);
      const id = String((event as { id?: unknown })?.id ?? `batch[${index}]`);
      const type = String((event as { type?: unknown })?.type ?? '');
      const refusal = this.refusals.findIndex((entry) => entry.type === type);
      if (eventProblems.length > 0) {
        problems.push(...eventProblems);
        errors.push({ id, status: 400, message: 'Invalid request data', error: eventProblems });
      } else if (refusal >= 0) {
        const { status, message } = this.refusals.splice(refusal, 1)[0]!;
        errors.push({ id, status, message });
      } else {
        this.ingest(event as { id: string; type: string; body: Record<string, unknown> });
        successes.push({ id, status: 201 });
      }
    }
    return { status: 207, body: { successes, errors } };
  }

  private ingest(event: { id: string; type: string; body: Record<string, unknown> }): void {
    if (this.eventIds.has(event.id)) return;
    this.eventIds.add(event.id);
    const store = event.type === 'trace-create' ? this.traces : event.type === 'score-create' ? this.scores : null;
    if (!store) return;
    const id = String(event.body['id'] ?? event.id);
    store.set(id, { ...store.get(id), ...event.body });
  }

  private validateEvent(event: unknown, path: string, problems: string[]): void {
    if (!check.object(event, path, problems)) return;
    check.string(event['id'], `${path}.id`, problems);
    if (!check.oneOf(event['type'], `${path}.type`, EVENT_TYPES, problems)) return;
    if (typeof event['timestamp'] !== 'string' || Number.isNaN(Date.parse(event['timestamp'])))
      problems.push(`${path}.timestamp must be an ISO 8601 date-time`);
    if (!check.object(event['body'], `${path}.body`, problems)) return;
    const body = event['body'];
    if (event['type'] === 'trace-create') this.validateTrace(body, `${path}.body`, problems);
    if (event['type'] === 'score-create') this.validateScore(body, `${path}.body`, problems);
  }

  private validateTrace(body: Record<string, unknown>, path: string, problems: string[]): void {
    for (const field of ['id', 'name', 'sessionId', 'userId', 'release', 'version'])
      if (body[field] !== undefined && body[field] !== null) check.string(body[field], `${path}.${field}`, problems);
    if (body['timestamp'] !== undefined && Number.isNaN(Date.parse(String(body['timestamp']))))
      problems.push(`${path}.timestamp must be an ISO 8601 date-time`);
    if (body['tags'] !== undefined && check.array(body['tags'], `${path}.tags`, problems))
      body['tags'].forEach((tag, index) => check.string(tag, `${path}.tags[${index}]`, problems));
    const known = ['id', 'name', 'timestamp', 'input', 'output', 'sessionId', 'userId', 'release', 'version'];
    for (const field of Object.keys(body))
      if (![...known, 'metadata', 'tags', 'public', 'environment'].includes(field))
        problems.push(`${path}.${field} is not a TraceBody field`);
  }

  private validateScore(body: Record<string, unknown>, path: string, problems: string[]): void {
    if (body['id'] !== undefined) check.string(body['id'], `${path}.id`, problems);
    if (body['traceId'] === undefined && body['sessionId'] === undefined && body['datasetRunId'] === undefined)
      problems.push(`${path} must name a traceId, sessionId or datasetRunId`);
    else if (body['traceId'] !== undefined) check.string(body['traceId'], `${path}.traceId`, problems);
    check.string(body['name'], `${path}.name`, problems);
    if (body['dataType'] !== undefined) check.oneOf(body['dataType'], `${path}.dataType`, SCORE_TYPES, problems);
    if (
      (body['dataType'] ?? 'NUMERIC') === 'NUMERIC' &&
      (typeof body['value'] !== 'number' || !Number.isFinite(body['value']))
    )
      problems.push(`${path}.value must be a number for a NUMERIC score`);
    if (body['comment'] !== undefined && body['comment'] !== null && typeof body['comment'] !== 'string')
      problems.push(`${path}.comment must be a string`);
  }
}
