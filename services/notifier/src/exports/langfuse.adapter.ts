import { parseRetryAfter } from '../delivery/backoff.js';
import type { AttemptResult, DeliveryRequest, DestinationAdapter } from '../delivery/destination.port.js';
import {
  DeliveryStepError,
  failureOf,
  httpCall,
  isSuccess,
  resolveSecret,
  type HttpDeliveryOptions,
} from '../delivery/http-call.js';
import { exportUuid } from './export-ids.js';
import { runToExport } from './export-run.js';
import { langfuseBatches, langfuseEvents } from './langfuse.render.js';
import type { RunResultsRepository } from './run-results.repository.js';

interface IngestionError {
  id: string;
  status: number;
  message?: string;
  error?: unknown;
}

/**
 * Langfuse public ingestion API, POST /api/public/ingestion (Basic auth, public key : secret key): a trace for
 * the run and one per case with its scores, in batches under Langfuse's 3.5 MB. Langfuse answers 207 with
 * each event's status: an event refused with a 4xx fails the delivery for good with its reason; 429 and 5xx,
 * for the request or an event, are tried again later (Retry-After honoured). Every id is derived from the
 * notification, so a batch sent again updates the same traces and scores instead of adding others.
 */
export class LangfuseAdapter implements DestinationAdapter {
  constructor(
    private readonly options: HttpDeliveryOptions,
    private readonly runs: RunResultsRepository,
  ) {}

  async deliver(request: DeliveryRequest): Promise<AttemptResult> {
    const { destination, notificationId } = request;
    if (destination.type !== 'langfuse') throw new Error(`LangfuseAdapter got a ${destination.type} destination`);
    const run = await runToExport(this.runs, request);
    const publicKey = await resolveSecret(this.options.secrets, destination.publicKeyRef);
    const secretKey = await resolveSecret(this.options.secrets, destination.secretKeyRef);
    const secrets = [publicKey, secretKey];
    const headers = {
      authorization: `Basic ${Buffer.from(`${publicKey}:${secretKey}`).toString('base64')}`,
      'content-type': 'application/json',
      accept: 'application/json',
    };
    for (const batch of langfuseBatches(langfuseEvents(run, notificationId))) {
      const answer = await httpCall(this.options, 'langfuse ingestion', `${destination.baseUrl}/api/public/ingestion`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ batch, metadata: { sdk_name: 'evalvault', sdk_integration: 'evalvault-export' } }),
      });
      if (!isSuccess(answer)) throw failureOf('langfuse ingestion', answer, this.options.now(), secrets);
      this.refusedEvents(answer.body, answer.retryAfter);
    }
    // The trace's page is under the Langfuse project's id, which the keys do not tell: no link.
    return { ok: true, remoteId: exportUuid(notificationId, 'langfuse-trace', 'run'), remoteUrl: null };
  }

  /** A 207's per-event errors: any 4xx other than 429 is final; otherwise the batch is tried again. */
  private refusedEvents(body: string, retryAfter: string | null): void {
    const errors = ingestionErrors(body);
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

/** The per-event errors of an ingestion answer; a 2xx without a JSON body refused nothing. */
function ingestionErrors(body: string): IngestionError[] {
  try {
    return (JSON.parse(body) as { errors?: IngestionError[] }).errors ?? [];
  } catch {
    return [];
  }
}
