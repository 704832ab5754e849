import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { topicOf } from '@evalvault/contracts';
import {
  busMetrics,
  createKafka,
  createLogger,
  createServiceApp,
  KafkaEventClient,
  KafkaEventServer,
} from '@evalvault/platform';
import { testKafkaSettings } from '@evalvault/platform/testing';
import { AuditModule } from './audit.module.js';
import { AUDIT_LOG } from './audit.consumers.js';
import { auditedEvent, openAuditHarness, sampleHistory, type AuditHarness } from './testing/audit-harness.js';

// A new group pinned to the end of all seven topics: kafkajs' setOffsets takes ~5 s per topic.
jest.setTimeout(180_000);

/**
 * The consumer path on the real Kafka broker: the audit module's handler, in its own consumer
 * group over every topic, records each event once even when the bus delivers it twice, and the
 * log it builds verifies against the event store.
 */
describe('audit log over Kafka', () => {
  let audit: AuditHarness;
  let app: NestFastifyApplication;
  let client: KafkaEventClient;

  beforeAll(async () => {
    audit = await openAuditHarness();
    const kafka = createKafka(testKafkaSettings('audit-consumer-test'));
    const metrics = busMetrics(new Registry());
    const server = new KafkaEventServer({
      kafka,
      groupId: `audit-test-${randomUUID()}`,
      transportId: AUDIT_LOG,
      logger: pino({ level: 'silent' }),
      metrics,
      fromBeginning: false,
    });
    const config = {
      serviceName: 'audit-test',
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent' as const,
      redactPaths: [],
    };
    app = await createServiceApp(AuditModule.with({ projection: audit.projection }), config, createLogger(config));
    app.connectMicroservice({ strategy: server });
    await app.startAllMicroservices();
    await server.ready;
    client = new KafkaEventClient(kafka, metrics);
    await client.connect();
  });

  afterAll(async () => {
    await client.close();
    await app.close();
    await audit.close();
  });

  async function entries(tenant: string): Promise<number> {
    return Number(
      (await audit.pool.query(`SELECT count(*) FROM audit.entries WHERE tenant_id = $1`, [tenant])).rows[0].count,
    );
  }

  it('records every event of every topic once, and the replay verifies the result', async () => {
    const tenant = `tenant-${randomUUID()}`;
    const events = [
      ...sampleHistory(tenant),
      auditedEvent(
        'GateFailed',
        {
          gateId: 'g-1',
          subject: {
            runId: 'r-1',
            dataset: { id: 'ds-qa', name: 'qa', version: 3, contentHash: 'a'.repeat(64) },
            prompt: null,
            modelProfile: null,
            configHash: 'c'.repeat(64),
          },
          rules: [],
          baselineRunId: null,
          baselineSource: null,
        },
        tenant,
        { minute: 7 },
      ),
      auditedEvent('ProjectRoleGranted', { subject: 'dave@example.com', role: 'viewer' }, tenant, { minute: 8 }),
    ];
    expect(new Set(events.map((event) => topicOf(event.type))).size).toBeGreaterThanOrEqual(4);
    for (const event of events) await audit.store.append(event.streamId, [event], 'any');
    await client.publishBatch(events);
    await client.publishBatch(events.slice(0, 3)); // a redelivery, as after a crash before the commit

    const deadline = Date.now() + 30_000;
    while ((await entries(tenant)) < events.length) {
      if (Date.now() > deadline) throw new Error(`only ${await entries(tenant)} of ${events.length} entries arrived`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 500)); // room for the redelivered copies to (not) add entries
    expect(await entries(tenant)).toBe(events.length);
    expect(await audit.replay.replay(tenant)).toMatchObject({
      status: 'verified',
      counts: { entries: events.length, events: events.length, compared: events.length },
    });
    const granted = (await audit.queries.list(tenant, { action: 'ProjectRoleGranted' })).items[0]!;
    expect(granted.target).toMatchObject({ subject: 'dave@example.com', forgotten: false });
  });
});
