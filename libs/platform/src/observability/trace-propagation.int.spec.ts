import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Controller, Inject, Module, Param, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import pg from 'pg';
import { Registry } from 'prom-client';
import { EventCodec, type EvalVaultEvent } from '@evalvault/contracts';
import { runStarted } from '@evalvault/contracts/testing';
import { createKafka } from '../kafka/kafka-config.js';
import { testDatabaseUrl, testKafkaSettings } from '../testing/index.js';
import { busMetrics } from '../bus/bus-metrics.js';
import { KafkaEventClient } from '../bus/kafka/kafka-event-client.js';
import { KafkaEventServer } from '../bus/kafka/kafka-event-server.js';
import { waitFor } from '../bus/testing/bus.contract.js';
import { migrateEventStore } from '../event-store/postgres/migrate.js';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store.js';
import { PostgresCheckpointStore } from '../relay/checkpoint-store.js';
import { EventRelay } from '../relay/event-relay.js';
import { createServiceApp } from '../service/run-service.js';
import { createLogger } from './logger.js';
import { startTelemetry, type Telemetry } from './telemetry.js';
import { currentTraceparent } from './tracing.js';

/**
 * One trace from an HTTP request, through the event store and Kafka, into a consumer:
 * the envelope and the Kafka headers carry the context, spans are exported in memory.
 */
describe('trace propagation across HTTP, the event store and Kafka', () => {
  const exporter = new InMemorySpanExporter();
  const prefix = `run-trace${randomUUID().slice(0, 8)}-`;
  const STORE = Symbol('STORE');
  let sdk: Telemetry;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let app: NestFastifyApplication;

  @Controller('runs')
  class StartController {
    constructor(@Inject(STORE) private readonly events: PostgresEventStore) {}

    @Post(':id/start')
    async start(@Param('id') id: string): Promise<{ ok: true }> {
      const streamId = `${prefix}${id}`;
      await this.events.append(
        streamId,
        [{ ...runStarted(streamId, 'tenant-trace'), traceparent: currentTraceparent() }],
        'no_stream',
      );
      return { ok: true };
    }
  }

  beforeAll(async () => {
    sdk = startTelemetry('trace-test', { exportSpans: false, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    await migrateEventStore(testDatabaseUrl());
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    store = new PostgresEventStore(pool, new EventCodec(), { pollIntervalMs: 50 });
    @Module({ controllers: [StartController], providers: [{ provide: STORE, useValue: store }] })
    class TraceFeature {}
    const config = {
      serviceName: 'trace-test',
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent' as const,
      redactPaths: [],
    };
    app = await createServiceApp(TraceFeature, config, createLogger(config));
    await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app.close();
    await store.close();
    await pool.end();
    await sdk.shutdown();
  });

  it('keeps one trace id from the request to the consumer, and its logs carry it', async () => {
    const kafka = createKafka(testKafkaSettings('trace-test'));
    const registry = new Registry();
    const client = new KafkaEventClient(kafka, busMetrics(registry));
    const lines: { msg: string; trace_id?: string }[] = [];
    const logger = createLogger(
      { serviceName: 'consumer', logLevel: 'info', redactPaths: [] },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString()));
          done();
        },
      }),
    );
    const server = new KafkaEventServer({
      kafka,
      groupId: `trace-${randomUUID()}`,
      metrics: busMetrics(registry),
      logger,
      fromBeginning: false,
    });
    const handled: { traceId: string | undefined; event: EvalVaultEvent }[] = [];
    server.addHandler(
      'RunStarted',
      async (event: EvalVaultEvent) => {
        if (!event.streamId.startsWith(prefix)) return;
        handled.push({ traceId: trace.getActiveSpan()?.spanContext().traceId, event });
        logger.info({ eventId: event.eventId }, 'run started handled');
      },
      true,
    );
    await new Promise<void>((resolve, reject) =>
      server.listen((error?: unknown) => (error ? reject(error) : resolve())),
    );
    await server.ready;
    const relay = new EventRelay(store, client, new PostgresCheckpointStore(pool), {
      name: `trace-${randomUUID()}`,
      filter: { streamPrefixes: [prefix] },
      logger,
      registry,
    });
    await relay.start();
    try {
      const traceId = randomBytes(16).toString('hex');
      const address = app.getHttpServer().address() as { port: number } | null;
      const response = await fetch(`${address ? `http://127.0.0.1:${address.port}` : ''}/runs/${randomUUID()}/start`, {
        method: 'POST',
        headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      });
      expect(response.status).toBe(201);
      await waitFor(() => handled.length === 1, 'the consumer to handle the event');

      expect(handled[0]!.event.traceparent).toMatch(new RegExp(`^00-${traceId}-`));
      expect(handled[0]!.traceId).toBe(traceId);
      const spans = exporter
        .getFinishedSpans()
        .filter((span) => span.spanContext().traceId === traceId)
        .map((span) => span.name);
      expect(spans).toEqual(
        expect.arrayContaining([
          'POST /runs/:id/start',
          'eventstore.append',
          'send evalvault.runs.v1',
          'handle RunStarted',
        ]),
      );
      // Parent links: request → Kafka send (from the envelope's traceparent) → consumer (from the message header).
      const finished = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
      const named = (name: string) => finished.find((span) => span.name === name)!;
      const [request, send, handle] = ['POST /runs/:id/start', 'send evalvault.runs.v1', 'handle RunStarted'].map(
        named,
      );
      expect([send!.kind, handle!.kind]).toEqual([SpanKind.PRODUCER, SpanKind.CONSUMER]);
      expect(send!.parentSpanContext?.spanId).toBe(request!.spanContext().spanId);
      expect(handle!.parentSpanContext?.spanId).toBe(send!.spanContext().spanId);
      expect(lines.find((line) => line.msg === 'run started handled')?.trace_id).toBe(traceId);
    } finally {
      await relay.stop();
      await server.close();
      await client.close();
    }
  });
});
