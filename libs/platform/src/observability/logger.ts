import { pino, type Logger } from 'pino';
import { trace } from '@opentelemetry/api';
import type { LoggerService } from '@nestjs/common';
import type { ServiceConfig } from '../config/service-config.js';

/** Secrets never reach a log line, whatever object carries them. */
export const SECRET_LOG_PATHS = [
  'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
  'headers["x-evalvault-identity"]', 'req.headers["x-evalvault-identity"]',
  'password', '*.password', 'token', '*.token', 'apiKey', '*.apiKey', 'secret', '*.secret',
];

/** pino JSON logs; every line written inside a span carries its trace_id and span_id. */
export function createLogger(config: Pick<ServiceConfig, 'serviceName' | 'logLevel' | 'redactPaths'>, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: config.serviceName },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...SECRET_LOG_PATHS, ...config.redactPaths], censor: '[redacted]' },
      mixin() {
        const span = trace.getActiveSpan();
        if (!span) return {};
        const { traceId, spanId } = span.spanContext();
        return { trace_id: traceId, span_id: spanId };
      },
    },
    destination,
  );
}

/** Lets Nest's own messages go through the same pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void { this.logger.info({ context }, String(message)); }
  error(message: unknown, trace?: string, context?: string): void { this.logger.error({ context, trace }, String(message)); }
  warn(message: unknown, context?: string): void { this.logger.warn({ context }, String(message)); }
  debug(message: unknown, context?: string): void { this.logger.debug({ context }, String(message)); }
  verbose(message: unknown, context?: string): void { this.logger.trace({ context }, String(message)); }
  fatal(message: unknown, context?: string): void { this.logger.fatal({ context }, String(message)); }
}
