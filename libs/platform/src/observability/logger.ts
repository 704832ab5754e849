import { pino, type Logger } from 'pino';
import { trace } from '@opentelemetry/api';
import type { LoggerService } from '@nestjs/common';
import { ConfigError, type Environment, type ServiceConfig } from '../config/service-config.js';

/** Secrets never reach a log line, whatever object carries them. */
export const SECRET_LOG_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'headers["x-evalvault-identity"]',
  'req.headers["x-evalvault-identity"]',
  'password',
  '*.password',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'metricsToken',
  '*.metricsToken',
  'secret',
  '*.secret',
];

/**
 * pino logs; every line written inside a span carries its trace_id and span_id. Without a
 * destination they go to stdout as JSON, or as readable lines when a person is watching (see
 * {@link logFormat}). Only the redacted, serialized record is ever formatted, so pretty lines
 * hide the same secrets.
 */
export function createLogger(
  config: Pick<ServiceConfig, 'serviceName' | 'logLevel' | 'redactPaths'>,
  destination?: pino.DestinationStream,
): Logger {
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
    destination ?? stdoutDestination(),
  );
}

export type LogFormat = 'json' | 'pretty';

/**
 * LOG_FORMAT=json|pretty; by default pretty on a terminal and JSON otherwise, so whatever reads
 * a pipe or a file (log shippers, the tests parsing child processes' output) keeps getting JSON.
 * Read here rather than in ServiceConfig because it concerns stdout, not the service.
 */
export function logFormat(env: Environment, stdoutIsTty: boolean): LogFormat {
  const chosen = env['LOG_FORMAT'];
  if (chosen === 'json' || chosen === 'pretty') return chosen;
  if (chosen) throw new ConfigError('LOG_FORMAT', 'must be json or pretty');
  return stdoutIsTty ? 'pretty' : 'json';
}

/**
 * undefined is pino's own stdout destination (JSON); the pretty one writes to stdout too.
 * The one environment read outside a config module: every logger of the process shares stdout,
 * whichever service's config created it.
 */
// eslint-disable-next-line no-restricted-syntax -- LOG_FORMAT and NO_COLOR describe stdout, not a service
function stdoutDestination(env: Environment = process.env): pino.DestinationStream | undefined {
  const tty = process.stdout.isTTY === true;
  if (logFormat(env, tty) === 'json') return undefined;
  return prettyDestination(process.stdout, tty && !env['NO_COLOR']);
}

/** A pino destination writing each JSON line as {@link formatPretty} renders it. */
export function prettyDestination(out: { write(text: string): unknown }, colors: boolean): pino.DestinationStream {
  return {
    write: (line: string) => {
      out.write(`${formatPretty(line, colors)}\n`);
    },
  };
}

const LEVELS: Record<number, { label: string; colour: number }> = {
  10: { label: 'trace', colour: 90 },
  20: { label: 'debug', colour: 36 },
  30: { label: 'info', colour: 32 },
  40: { label: 'warn', colour: 33 },
  50: { label: 'error', colour: 31 },
  60: { label: 'fatal', colour: 35 },
};

/**
 * One pino JSON line as `HH:MM:SS level service: msg key=value…` (local time), stack traces on
 * the lines below; ANSI colours only when asked (a terminal). A line that is not JSON passes as is.
 */
export function formatPretty(line: string, colors = false): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.trimEnd();
  }
  const paint = (code: number, text: string): string => (colors && code ? `\x1b[${code}m${text}\x1b[0m` : text);
  const { time, level, service, msg, ...rest } = record;
  const { label, colour } = LEVELS[level as number] ?? { label: String(level), colour: 0 };
  const fields: string[] = [];
  const below: string[] = [];
  for (const [key, value] of Object.entries(rest)) {
    const stack = stackOf(value);
    if (stack) below.push(stack.replace(/^/gm, '    '));
    else fields.push(`${paint(2, `${key}=`)}${showValue(value)}`);
  }
  const head = [
    paint(2, clock(time)),
    paint(colour, label.padEnd(5)),
    service === undefined ? '' : `${String(service)}:`,
    msg === undefined ? '' : String(msg),
    ...fields,
  ];
  return [head.filter(Boolean).join(' '), ...below].join('\n');
}

function clock(time: unknown): string {
  const date = new Date(time as string);
  return Number.isNaN(date.getTime()) ? '' : date.toTimeString().slice(0, 8);
}

/** A stack trace (an error's, or Nest's `trace` string) reads better on its own lines. */
function stackOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.includes('\n') ? value : undefined;
  const stack = (value as { stack?: unknown } | null)?.stack;
  return typeof stack === 'string' ? stack : undefined;
}

function showValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/**
 * Nest's own start-up narration — every module loaded, controller and route mapped, app started:
 * some hundred lines for the embedded platform. Debug, so a start shows what matters; warnings
 * and errors from these contexts keep their level.
 */
const NEST_BOOTSTRAP_CONTEXTS = new Set([
  'NestFactory',
  'NestApplication',
  'NestMicroservice',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
]);

/** Lets Nest's own messages go through the same pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void {
    if (context && NEST_BOOTSTRAP_CONTEXTS.has(context)) this.logger.debug({ context }, String(message));
    else this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
  fatal(message: unknown, context?: string): void {
    this.logger.fatal({ context }, String(message));
  }
}
