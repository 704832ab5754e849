import {
  ApiProblemError,
  ApiUnreachableError,
  createEvalVaultClient,
  type ApiPath,
  type EvalVaultClient,
  type RawRequest,
} from '@evalvault/client';
import { CliError } from '../errors.js';
import { ApiError } from './problem.js';

/** Gives the Authorization header value for each request (a token may be refreshed in between). */
export type AuthorizationSource = () => Promise<string | null>;

/**
 * The gateway's public REST API through the typed client (@evalvault/client): every route with
 * the paths, parameters, bodies and answers of the OpenAPI document. Transient failures (connection
 * refused or reset, 429, 502–504) are retried with backoff; that is safe for writes too because each
 * POST carries an Idempotency-Key, the same on every attempt. Other failures become an ApiError with
 * the problem's detail, and a server never reached a `network` CliError.
 */
export class ApiClient {
  /** The typed routes: `await dataOf(client.api.GET('/v1/projects/{project}/runs/{runId}', …))`. */
  readonly api: EvalVaultClient;

  constructor(
    readonly baseUrl: string,
    authorization: AuthorizationSource,
    sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.api = createEvalVaultClient({ baseUrl, authorization, sleep });
    this.api.use({ onError: ({ error }) => (error instanceof Error ? cliErrorOf(error) : undefined) });
  }

  /**
   * What the typed routes do not stream: a response read as a stream (Server-Sent Events) or a
   * streamed upload (NDJSON); a non-2xx answer throws its problem, as the typed routes do.
   */
  async raw(method: 'GET' | 'POST', path: ApiPath, request: RawRequest = {}): Promise<Response> {
    try {
      return await this.api.raw(method, path, request);
    } catch (error) {
      throw error instanceof Error ? cliErrorOf(error) : error;
    }
  }
}

/** The client's errors as the CLI reports them (exit code 2, one line); anything else (an abort) as it is. */
function cliErrorOf(error: Error): Error {
  if (error instanceof ApiProblemError) return new ApiError(error.status, error.title, error.detail, error.errors);
  if (error instanceof ApiUnreachableError) return new CliError('network', error.message);
  return error;
}
