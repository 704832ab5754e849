import type { ExportDestination } from '@evalvault/service-apis';
import { parseRetryAfter } from '../delivery/backoff.js';
import {
  DeliveryStepError,
  failureOf,
  httpCall,
  isSuccess,
  resolveSecret,
  type HttpAnswer,
  type HttpDeliveryOptions,
} from '../delivery/http-call.js';
import type { LangfuseDatasetBody, LangfuseDatasetItemBody, LangfuseRunItemBody } from './langfuse-dataset.render.js';
import type { LangfuseEvent } from './langfuse.render.js';

type LangfuseDestination = Extract<ExportDestination, { type: 'langfuse' }>;

interface IngestionError {
  id: string;
  status: number;
  message?: string;
  error?: unknown;
}

/** A dataset run item as Langfuse lists it: which item of the run points at which trace. */
export interface LangfuseRunItemLink {
  datasetItemId: string;
  traceId: string;
}

/** Langfuse answers at most 100 per page (publicApiPaginationZod). */
const PAGE_SIZE = 100;

/**
 * The Langfuse public API calls an export makes, with Basic auth (public key : secret key). A non-2xx answer
 * throws a DeliveryStepError naming the call, with the keys blanked out: 429 and 5xx are tried again later
 * (Retry-After honoured), any other 4xx fails the export for good with Langfuse's reason.
 */
export class LangfuseClient {
  private constructor(
    private readonly options: HttpDeliveryOptions,
    private readonly baseUrl: string,
    private readonly headers: Record<string, string>,
    private readonly secrets: string[],
  ) {}

  static async of(options: HttpDeliveryOptions, destination: LangfuseDestination): Promise<LangfuseClient> {
    const publicKey = await resolveSecret(options.secrets, destination.publicKeyRef);
    const secretKey = await resolveSecret(options.secrets, destination.secretKeyRef);
    const headers = {
      authorization: `Basic ${Buffer.from(`${publicKey}:${secretKey}`).toString('base64')}`,
      'content-type': 'application/json',
      accept: 'application/json',
    };
    return new LangfuseClient(options, destination.baseUrl, headers, [publicKey, secretKey]);
  }

  /** POST /api/public/ingestion: a 207 lists each event's status, and any refused event fails the call. */
  async ingest(batch: LangfuseEvent[]): Promise<void> {
    const body = { batch, metadata: { sdk_name: 'evalvault', sdk_integration: 'evalvault-export' } };
    const answer = await this.call('langfuse ingestion', 'POST', '/api/public/ingestion', body);
    this.refusedEvents(answer.body, answer.retryAfter);
  }

  /** POST /api/public/v2/datasets, upserted on the name; answers the dataset's id at Langfuse. */
  async upsertDataset(dataset: LangfuseDatasetBody): Promise<string> {
    const answer = await this.call('langfuse dataset', 'POST', '/api/public/v2/datasets', dataset);
    const id = parsed<{ id?: unknown }>(answer.body)?.id;
    if (typeof id !== 'string' || id === '')
      throw new DeliveryStepError({
        error: `langfuse dataset: HTTP ${answer.status} without the dataset's id`,
        statusCode: answer.status,
        retryAfterMs: null,
        permanent: true,
      });
    return id;
  }

  /** POST /api/public/dataset-items, upserted on the item's id. */
  async upsertDatasetItem(item: LangfuseDatasetItemBody): Promise<void> {
    await this.call('langfuse dataset item', 'POST', '/api/public/dataset-items', item);
  }

  /** GET /api/public/dataset-run-items, every page; a run that does not exist yet has none (404). */
  async datasetRunItems(datasetId: string, runName: string): Promise<LangfuseRunItemLink[]> {
    const links: LangfuseRunItemLink[] = [];
    for (let page = 1; ; page++) {
      const query = new URLSearchParams({ datasetId, runName, page: String(page), limit: String(PAGE_SIZE) });
      const path = `/api/public/dataset-run-items?${query.toString()}`;
      const answer = await this.call('langfuse dataset run items', 'GET', path, undefined, true);
      if (answer.status === 404) return links;
      const listed = parsed<{ data?: LangfuseRunItemLink[]; meta?: { totalPages?: number } }>(answer.body);
      const data = listed?.data ?? [];
      links.push(...data.map(({ datasetItemId, traceId }) => ({ datasetItemId, traceId })));
      if (data.length === 0 || page >= (listed?.meta?.totalPages ?? page)) return links;
    }
  }

  /** POST /api/public/dataset-run-items: Langfuse takes no id for it, so each call adds one. */
  async createDatasetRunItem(item: LangfuseRunItemBody): Promise<void> {
    await this.call('langfuse dataset run item', 'POST', '/api/public/dataset-run-items', item);
  }

  private async call(
    what: string,
    method: string,
    path: string,
    body?: unknown,
    missingIsAnswer = false,
  ): Promise<HttpAnswer> {
    const answer = await httpCall(this.options, what, `${this.baseUrl}${path}`, {
      method,
      headers: this.headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (isSuccess(answer) || (missingIsAnswer && answer.status === 404)) return answer;
    throw failureOf(what, answer, this.options.now(), this.secrets);
  }

  /** A 207's per-event errors: any 4xx other than 429 is final; otherwise the batch is tried again. */
  private refusedEvents(body: string, retryAfter: string | null): void {
    const errors = parsed<{ errors?: IngestionError[] }>(body)?.errors ?? [];
    if (errors.length === 0) return;
    const final = errors.find((error) => error.status >= 400 && error.status < 500 && error.status !== 429);
    const shown = final ?? errors[0]!;
    const detail = typeof shown.error === 'string' ? shown.error : JSON.stringify(shown.error ?? '');
    const reason = `${shown.message ?? ''} ${detail}`.trim().slice(0, 200);
    const example = `e.g. ${shown.id} HTTP ${shown.status} ${reason}`;
    const error = `langfuse ingestion: ${errors.length} event(s) refused, ${example}`;
    const retryAfterMs = parseRetryAfter(retryAfter, this.options.now());
    throw new DeliveryStepError({ error, statusCode: shown.status, retryAfterMs, permanent: Boolean(final) });
  }
}

/** A JSON answer's body; a 2xx without one says nothing more. */
function parsed<T>(body: string): T | null {
  try {
    return JSON.parse(body) as T;
  } catch {
    return null;
  }
}
