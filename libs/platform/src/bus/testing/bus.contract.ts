import { randomUUID } from 'node:crypto';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload, type CustomTransportStrategy, type Server } from '@nestjs/microservices';
import { deadLetterTopic, topicOf, type EvalVaultEvent } from '@evalvault/contracts';
import { runStarted, testEvent } from '@evalvault/contracts/testing';
import type { Registry } from 'prom-client';
import { parseMetricSamples, registryValue } from '../../testing/metric-samples.js';
import { BUS_HEADERS, BusContext, type BusMessage, type DeliveryPolicy } from '../bus-message.js';

export type EventServer = Server & CustomTransportStrategy & { ready: Promise<void> };

/** What the shared bus suite needs from a transport. */
export interface BusHarness {
  publishBatch(events: readonly EvalVaultEvent[]): Promise<void>;
  createServer(groupId: string, policy: DeliveryPolicy): EventServer;
  produceRaw(topic: string, key: string, value: Buffer, headers: Record<string, string>): Promise<void>;
  deadLetters(topic: string, key: string): Promise<BusMessage[]>;
  close(): Promise<void>;
  /** The registry of the bus metrics the servers and client were given. */
  registry: Registry;
  /** Whether the transport knows how far a group is behind (consumer_lag): Kafka does, in-process not. */
  reportsConsumerLag: boolean;
}

const POLICY: DeliveryPolicy = { maxAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 50 };

export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function listen(server: EventServer): Promise<void> {
  await new Promise<void>((resolve, reject) => server.listen((error?: unknown) => (error ? reject(error) : resolve())));
  await server.ready;
}

/**
 * Delivery semantics both transports share: asynchronous, in order per key, at least
 * once, retries then dead letters, poison messages set aside, one copy per consumer group.
 */
export function busContract(transport: string, makeHarness: () => Promise<BusHarness>): void {
  describe(`${transport} bus`, () => {
    let harness: BusHarness;
    const servers: EventServer[] = [];
    const tenant = `tenant-${randomUUID()}`;
    const group = (): string => `bus-test-${randomUUID()}`;

    beforeAll(async () => {
      harness = await makeHarness();
    });
    afterEach(async () => {
      await Promise.all(servers.splice(0).map((server) => server.close()));
    });
    afterAll(async () => {
      await harness.close();
    });

    async function serverWith(
      handlers: Record<string, (event: EvalVaultEvent, context: BusContext) => Promise<unknown>>,
      groupId = group(),
    ): Promise<EventServer> {
      const server = harness.createServer(groupId, POLICY);
      for (const [type, handler] of Object.entries(handlers))
        server.addHandler(
          type,
          (data: unknown, context: unknown) => handler(data as EvalVaultEvent, context as BusContext),
          true,
        );
      servers.push(server);
      await listen(server);
      return server;
    }

    it('delivers each event to the handler of its type, asynchronously and in order per key', async () => {
      const keys = [`run-${randomUUID()}`, `run-${randomUUID()}`, `run-${randomUUID()}`];
      const seen = new Map<string, number[]>();
      const groupId = group();
      await serverWith(
        {
          RunStarted: async (event) => {
            if (event.type !== 'RunStarted' || !keys.includes(event.streamId)) return;
            seen.set(event.streamId, [...(seen.get(event.streamId) ?? []), event.payload.totalCases!]);
          },
        },
        groupId,
      );
      const events = Array.from({ length: 30 }, (_, index) => runStarted(keys[index % 3]!, tenant, index));
      const published = harness.publishBatch(events);
      expect(seen.size).toBe(0); // never handled inside the publisher's call
      await published;
      await waitFor(() => [...seen.values()].flat().length === 30, '30 events');
      keys.forEach((key, k) => expect(seen.get(key)).toEqual(events.map((_, i) => i).filter((i) => i % 3 === k)));
      if (!harness.reportsConsumerLag) return;
      const lag = parseMetricSamples(await harness.registry.metrics()).filter(
        (sample) => sample.name === 'consumer_lag' && sample.labels['group'] === groupId,
      );
      expect(lag.length).toBeGreaterThan(0);
      for (const sample of lag) {
        expect(sample.labels).toMatchObject({
          topic: topicOf('RunStarted'),
          partition: expect.stringMatching(/^\d+$/),
        });
        expect(Number.isInteger(sample.value) && sample.value >= 0).toBe(true);
      }
    });

    it('skips event types this consumer has no handler for', async () => {
      const key = `run-${randomUUID()}`;
      const seen: string[] = [];
      await serverWith({
        RunStarted: async (event) => {
          if (event.streamId === key) seen.push(event.type);
        },
      });
      await harness.publishBatch([
        testEvent('RunCancelled', { runId: key, reason: null }, { streamId: key, tenantId: tenant }),
        runStarted(key, tenant),
      ]);
      await waitFor(() => seen.length === 1, 'the RunStarted after an unhandled RunCancelled');
      expect(seen).toEqual(['RunStarted']);
    });

    it('retries a failing handler and keeps the order of the events behind it', async () => {
      const key = `run-${randomUUID()}`;
      const handled: number[] = [];
      const attempts: number[] = [];
      await serverWith({
        RunStarted: async (event, context) => {
          if (event.type !== 'RunStarted' || event.streamId !== key) return;
          if (event.payload.totalCases === 0) attempts.push(context.getAttempt());
          if (event.payload.totalCases === 0 && context.getAttempt() < 3)
            throw new Error('database briefly unavailable');
          handled.push(event.payload.totalCases!);
        },
      });
      await harness.publishBatch([0, 1, 2].map((n) => runStarted(key, tenant, n)));
      await waitFor(() => handled.length === 3, 'three events after two retries');
      expect(attempts).toEqual([1, 2, 3]);
      expect(handled).toEqual([0, 1, 2]);
    });

    it('dead-letters a handler that keeps failing, with the error and original headers, and goes on', async () => {
      const key = `run-${randomUUID()}`;
      const handled: number[] = [];
      const groupId = group();
      await serverWith(
        {
          RunStarted: async (event) => {
            if (event.type !== 'RunStarted' || event.streamId !== key) return;
            if (event.payload.totalCases === 0) throw new Error('case store rejected the write');
            handled.push(event.payload.totalCases!);
          },
        },
        groupId,
      );
      const [failing, next] = [runStarted(key, tenant, 0), runStarted(key, tenant, 1)];
      await harness.publishBatch([failing, next]);
      await waitFor(() => handled.length === 1, 'the event after the dead letter');
      const topic = topicOf('RunStarted');
      await waitFor(async () => (await harness.deadLetters(topic, key)).length === 1, 'one dead letter');
      const [letter] = await harness.deadLetters(topic, key);
      expect(letter!.topic).toBe(deadLetterTopic(topic));
      expect(letter!.headers).toMatchObject({
        [BUS_HEADERS.error]: 'case store rejected the write',
        [BUS_HEADERS.errorCode]: 'HANDLER_FAILED',
        [BUS_HEADERS.attempts]: '3',
        [BUS_HEADERS.originalTopic]: topic,
        [BUS_HEADERS.eventId]: failing.eventId,
        [BUS_HEADERS.eventType]: 'RunStarted',
      });
      const counted = { group: groupId, topic, reason: 'HANDLER_FAILED' };
      expect(await registryValue(harness.registry, 'bus_dead_lettered_total', counted)).toBe(1);
    });

    it('sets a poison message aside at once and consumes the next one', async () => {
      const key = `run-${randomUUID()}`;
      const handled: string[] = [];
      const groupId = group();
      await serverWith(
        {
          RunStarted: async (event) => {
            if (event.streamId === key) handled.push(event.eventId);
          },
        },
        groupId,
      );
      const topic = topicOf('RunStarted');
      await harness.produceRaw(topic, key, Buffer.from('{"not":"avro"}'), { 'x-origin': 'a misconfigured producer' });
      const next = runStarted(key, tenant);
      await harness.publishBatch([next]);
      await waitFor(() => handled.length === 1, 'the event after the poison message');
      expect(handled).toEqual([next.eventId]);
      await waitFor(async () => (await harness.deadLetters(topic, key)).length === 1, 'the poison message in the DLQ');
      const [letter] = await harness.deadLetters(topic, key);
      expect(letter!.value.toString()).toBe('{"not":"avro"}');
      expect(letter!.headers).toMatchObject({
        'x-origin': 'a misconfigured producer',
        [BUS_HEADERS.errorCode]: 'NOT_SINGLE_OBJECT',
        [BUS_HEADERS.attempts]: '0',
      });
      const counted = { group: groupId, topic, reason: 'NOT_SINGLE_OBJECT' };
      expect(await registryValue(harness.registry, 'bus_dead_lettered_total', counted)).toBe(1);
    });

    it('skips, without decoding, a message whose header names a type the group does not handle', async () => {
      const key = `run-${randomUUID()}`;
      const handled: string[] = [];
      await serverWith({
        RunStarted: async (event) => {
          if (event.streamId === key) handled.push(event.eventId);
        },
      });
      const topic = topicOf('RunStarted');
      // Not Avro: decoding it would dead-letter it; the header says no handler of this group wants it.
      await harness.produceRaw(topic, key, Buffer.from('not for this group'), {
        [BUS_HEADERS.eventType]: 'RunCancelled',
      });
      await harness.produceRaw(topic, key, Buffer.from('claims to be handled'), {
        [BUS_HEADERS.eventType]: 'RunStarted',
      });
      const next = runStarted(key, tenant);
      await harness.publishBatch([next]);
      await waitFor(() => handled.length === 1, 'the event after the skipped message');
      await waitFor(async () => (await harness.deadLetters(topic, key)).length === 1, 'one dead letter');
      const letters = await harness.deadLetters(topic, key);
      expect(letters.map((letter) => letter.value.toString())).toEqual(['claims to be handled']);
    });

    it('gives every consumer group its own copy', async () => {
      const key = `run-${randomUUID()}`;
      const seen = { audit: 0, memory: 0 };
      await serverWith({
        RunStarted: async (event) => {
          if (event.streamId === key) seen.audit++;
        },
      });
      await serverWith({
        RunStarted: async (event) => {
          if (event.streamId === key) seen.memory++;
        },
      });
      await harness.publishBatch([runStarted(key, tenant), runStarted(key, tenant)]);
      await waitFor(() => seen.audit === 2 && seen.memory === 2, 'two copies in each group');
    });

    it('drives Nest @EventPattern handlers', async () => {
      const key = `run-${randomUUID()}`;
      const received: { runId: string; topic: string }[] = [];
      @Controller()
      class RunsListener {
        @EventPattern('RunStarted')
        async onRunStarted(@Payload() event: EvalVaultEvent, @Ctx() context: unknown): Promise<void> {
          if (event.type === 'RunStarted' && event.streamId === key)
            received.push({ runId: event.payload.runId, topic: (context as BusContext).getMessage().topic });
        }
      }
      @Module({ controllers: [RunsListener] })
      class ListenerModule {}
      const server = harness.createServer(group(), POLICY);
      const app = await NestFactory.createMicroservice(ListenerModule, { strategy: server, logger: false });
      await app.listen();
      await server.ready;
      try {
        const event = runStarted(key, tenant);
        await harness.publishBatch([event]);
        await waitFor(() => received.length === 1, 'the Nest handler');
        expect(received).toEqual([{ runId: event.payload.runId, topic: topicOf('RunStarted') }]);
      } finally {
        await app.close();
      }
    });
  });
}
