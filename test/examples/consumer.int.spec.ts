import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { EventCodec, topicOf } from '@evalvault/contracts';
import { testEvent } from '@evalvault/contracts/testing';
import { testKafkaSettings } from '@evalvault/platform/testing';
import {
  describe as describeEvent,
  ProcessedEvents,
  startConsumer,
  type DecodedEvent,
} from '../../examples/consumer/consumer.mjs';

/**
 * The example downstream consumer (examples/consumer) on the real broker: its own consumer group on
 * evalvault.runs.v1, decoding with the published schemas only, handling each event id once however often
 * it is delivered, remembering the ids it handled across a restart.
 */
describe('the example downstream consumer', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'evalvault-consumer-'));
  const brokers = testKafkaSettings('example-consumer').brokers;
  const kafka = new Kafka({ clientId: 'example-consumer-test', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  const codec = new EventCodec();
  const tenantId = `tenant-${randomUUID()}`;

  beforeAll(() => producer.connect());
  afterAll(async () => {
    await producer.disconnect();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('decodes with the published schemas, handles each event id once across redeliveries and restarts', async () => {
    const streamId = `schedule-${randomUUID()}`;
    const drift = testEvent(
      'DriftDetected',
      {
        scheduleId: streamId.slice('schedule-'.length),
        runId: randomUUID(),
        metric: 'token_f1',
        current: 0.25,
        baseline: 0.875,
        drop: 0.625,
        threshold: 0.1,
        baselineRunIds: ['r1', 'r2'],
        datasetId: 'ds-1',
        pairedCases: 8,
        pValue: 0.0078125,
        interval: { low: -0.75, high: -0.5, confidence: 0.95 },
        effectSize: { cohensDz: -4.5, rankBiserial: -1 },
      },
      { streamId, tenantId },
    );
    const started = testEvent(
      'ScheduledRunStarted',
      {
        scheduleId: drift.payload.scheduleId,
        slot: Date.UTC(2026, 11, 6, 2),
        runId: drift.payload.runId,
        skippedSlots: 3,
        dataset: null,
      },
      { streamId, tenantId },
    );
    const ours = new Set([drift.eventId, started.eventId]);
    const stateFile = join(scratch, 'processed.jsonl');
    const groupId = `example-downstream-${randomUUID()}`;
    const seen: DecodedEvent[] = [];
    const consumer = await startConsumer({
      brokers,
      groupId,
      stateFile,
      handle: async (event) => {
        if (event.tenantId === tenantId) seen.push(event);
      },
    });
    // The producer's retry, as at-least-once delivery allows: the same event twice.
    const messages = [started, drift, drift].map((event) => ({ key: streamId, value: codec.encode(event) }));
    // A new group starting at 'latest' settles its offsets at its first fetch, after the join, so a send
    // right after the start may land before them and be skipped: send again (more duplicates, which the
    // consumer must skip anyway) until both events are seen.
    for (let deadline = Date.now() + 30_000, nextSend = 0; seen.length < 2 && Date.now() < deadline; ) {
      if (Date.now() >= nextSend) {
        await producer.send({ topic: topicOf('DriftDetected'), messages });
        nextSend = Date.now() + 3_000;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 500)); // the duplicate had its chance
    await consumer.stop();
    expect(seen.map((event) => event.eventId).sort()).toEqual([...ours].sort());
    const decoded = seen.find((event) => event.type === 'DriftDetected')!;
    expect(decoded.payload).toEqual(drift.payload);
    expect(describeEvent(decoded)).toBe(
      `schedule ${drift.payload.scheduleId}: token_f1 drifted to 0.250 (baseline 0.875)`,
    );

    // A restart finds both ids in its state: a redelivery after it is skipped too.
    const restarted = new ProcessedEvents(stateFile);
    expect([...ours].every((eventId) => restarted.has(eventId))).toBe(true);
  });
});
