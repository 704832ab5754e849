import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import { createLogger } from './logger.js';

function capture(redactPaths: string[] = []): { logger: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ serviceName: 'svc', logLevel: 'info', redactPaths }, new Writable({
    write(chunk: Buffer, _encoding, done) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done(); },
  }));
  return { logger, lines };
}

describe('logger', () => {
  it('writes JSON with the service name and never the secrets it is handed', () => {
    const { logger, lines } = capture();
    logger.info({ req: { headers: { authorization: 'Bearer evk_live_abc', 'x-evalvault-identity': 'eyJ.internal.token' } }, password: 'hunter2', route: { token: 't0k' } }, 'request');
    expect(lines[0]).toMatchObject({ service: 'svc', msg: 'request', password: '[redacted]', route: { token: '[redacted]' } });
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
});
