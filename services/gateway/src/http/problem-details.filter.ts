import { Catch, type ArgumentsHost, type ExceptionFilter, type HttpServer } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';
import { PROBLEM_CONTENT_TYPE, type ErrorLogger } from '@evalvault/platform';
import { problemFor } from './problem.js';

/**
 * The gateway's only error answer: every exception, from a handler, a guard, Fastify's body
 * parsing and schema validation, or the not-found handler, reaches Nest's exception layer (Nest
 * installs Fastify's error and not-found handlers) and leaves as `application/problem+json`.
 * Installed with `app.useGlobalFilters()` before the app initialises, so those handlers get it.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(
    private readonly adapter: Pick<HttpServer, 'isHeadersSent' | 'setHeader' | 'reply'>,
    private readonly logger: ErrorLogger,
    /** Told of every refused request before it is answered (the denied-access audit). */
    private readonly onRefused: (exception: unknown, request: never) => void = () => undefined,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    // Event consumers inherit the app's global filters (inheritAppConfig): theirs is not an HTTP answer.
    if (host.getType() !== 'http') return throwError(() => exception);
    const http = host.switchToHttp();
    const request = http.getRequest<{
      url?: string;
      method?: string;
      body?: unknown;
      routeOptions?: { schema?: { body?: unknown } };
    }>();
    const response: unknown = http.getResponse();
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const input = { body: request.body, bodySchema: request.routeOptions?.schema?.body };
    const { problem, headers, internal } = problemFor(exception, path, input);
    this.onRefused(exception, request as never);
    if (internal !== undefined) {
      this.logger.error({ err: internal, method: request.method, url: path }, 'request failed');
    }
    // A handler that already streamed its headers cannot be answered again; the log has it.
    if (this.adapter.isHeadersSent(response)) return;
    for (const [name, value] of Object.entries(headers)) this.adapter.setHeader(response, name, value);
    this.adapter.setHeader(response, 'content-type', PROBLEM_CONTENT_TYPE);
    this.adapter.reply(response, JSON.stringify(problem), problem.status);
  }
}
