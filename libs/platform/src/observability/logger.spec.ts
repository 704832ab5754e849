import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import { createLogger, formatPretty, logFormat, PinoNestLogger, prettyDestination } from './logger.js';

function capture(
  redactPaths: string[] = [],
  logLevel: 'info' | 'debug' = 'info',
): { logger: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    { serviceName: 'svc', logLevel, redactPaths },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  return { logger, lines };
}

describe('logger', () => {
  it('writes JSON with the service name and never the secrets it is handed', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        req: { headers: { authorization: 'Bearer evk_live_abc', 'x-evalvault-identity': 'eyJ.internal.token' } },
        password: 'hunter2',
        route: { token: 't0k' },
      },
      'request',
    );
    expect(lines[0]).toMatchObject({
      service: 'svc',
      msg: 'request',
      password: '[redacted]',
      route: { token: '[redacted]' },
    });
    expect(JSON.stringify(lines[0])).not.toMatch(/evk_live_abc|hunter2|t0k|eyJ\.internal/);
  });

  it('redacts configured personal-data paths too', () => {
    const { logger, lines } = capture(['user.email']);
    logger.info({ user: { email: 'alice@example.com', id: 'u1' } }, 'signed in');
    expect(lines[0]).toMatchObject({ user: { email: '[redacted]', id: 'u1' } });
  });

  it('carries the active span’s trace and span ids', () => {
    const { logger, lines } = capture();
    const spanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
    const span = trace.wrapSpanContext(spanContext);
    const original = trace.getActiveSpan;
    trace.getActiveSpan = () => span;
    try {
      logger.info('inside a span');
    } finally {
      trace.getActiveSpan = original;
    }
    expect(lines[0]).toMatchObject({ trace_id: spanContext.traceId, span_id: spanContext.spanId });
  });

  it('sends Nest’s start-up narration to debug and keeps its warnings and errors', () => {
    const { logger, lines } = capture([], 'debug');
    const nest = new PinoNestLogger(logger);
    nest.log('Mapped {/healthz, GET} route', 'RouterExplorer');
    nest.log('Nest application successfully started', 'NestApplication');
    nest.log('RunsModule dependencies initialized', 'InstanceLoader');
    nest.log('relay caught up', 'RunsRelay');
    nest.warn('deprecated option', 'RoutesResolver');
    nest.error('route failed', 'Error: boom\n    at x', 'RouterExplorer');
    expect(lines.map((l) => [l['context'], l['level']])).toEqual([
      ['RouterExplorer', 20],
      ['NestApplication', 20],
      ['InstanceLoader', 20],
      ['RunsRelay', 30],
      ['RoutesResolver', 40],
      ['RouterExplorer', 50],
    ]);
  });

  it('keeps the narration out of an info-level log', () => {
    const { logger, lines } = capture();
    new PinoNestLogger(logger).log('Mapped {/healthz, GET} route', 'RouterExplorer');
    expect(lines).toEqual([]);
  });
});

describe('pretty log lines', () => {
  const line = (record: Record<string, unknown>): string =>
    JSON.stringify({ level: 30, time: '2026-01-02T03:04:05.678Z', service: 'gateway', ...record });

  it('reads as time, level, service, message, then key=value fields', () => {
    const text = formatPretty(
      line({
        msg: 'gateway listening',
        url: 'http://127.0.0.1:8080',
        port: 8080,
        group: 'runs read model',
        ids: [1, 2],
      }),
    );
    expect(text).toMatch(
      new RegExp(
        '^\\d\\d:\\d\\d:\\d\\d info {2}gateway: gateway listening ' +
          'url=http://127\\.0\\.0\\.1:8080 port=8080 group="runs read model" ids=\\[1,2\\]$',
      ),
    );
    expect(text).not.toContain('\x1b[');
  });

  it('puts stack traces on the lines below and colours only when asked', () => {
    const text = formatPretty(
      line({
        level: 50,
        msg: 'shutdown failed',
        err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at stop (a.js:1:1)' },
      }),
      true,
    );
    const [head, ...below] = text.split('\n');
    expect(head).toContain('\x1b[31merror\x1b[0m');
    expect(head).toContain('gateway: shutdown failed');
    expect(head).not.toContain('err=');
    expect(below).toEqual(['    Error: boom', '        at stop (a.js:1:1)']);
  });

  it('passes a line that is not JSON through', () => {
    expect(formatPretty('not json\n')).toBe('not json');
  });

  it('formats what the logger wrote, secrets already redacted', () => {
    const written: string[] = [];
    const logger = createLogger(
      { serviceName: 'svc', logLevel: 'info', redactPaths: [] },
      prettyDestination({ write: (text: string) => written.push(text) }, false),
    );
    logger.warn({ password: 'hunter2' }, 'careful');
    expect(written).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d warn {2}svc: careful password=\[redacted\]\n$/)]);
  });

  it('is pretty on a terminal and JSON on a pipe unless LOG_FORMAT says otherwise', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(() => logFormat({ LOG_FORMAT: 'yaml' }, true)).toThrow(/LOG_FORMAT must be json or pretty/);
  });
});
