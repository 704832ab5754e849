import { pino } from 'pino';
import { Registry } from 'prom-client';
import { EventCodec } from '@evalvault/contracts';
import { runStarted } from '@evalvault/contracts/testing';
import type { BusMessage } from './bus-message.js';
import { busMetrics } from './bus-metrics.js';
import { processMessage, type DeadLetter, type ProcessorDeps } from './message-processor.js';

const codec = new EventCodec();
const message: BusMessage = {
  topic: 'evalvault.runs.v1',
  key: 'run-1',
  value: codec.encode(runStarted('run-1', 'tenant-a')),
  headers: {},
  partition: 0,
  offset: '3',
};

/** A handler failing `failures` times, and a database that answers only from call `upFrom` of the probe. */
function deps(failures: number, upFrom: number | null) {
  let calls = 0;
  let probes = 0;
  const letters: DeadLetter[] = [];
  const processor: ProcessorDeps = {
    codec,
    policy: { maxAttempts: 3, initialBackoffMs: 1, maxBackoffMs: 2 },
    groupId: 'g',
    logger: pino({ level: 'silent' }),
    metrics: busMetrics(new Registry()),
    handlerFor: () => async () => {
      calls += 1;
      if (calls <= failures) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    },
    deadLetter: async (letter) => {
      letters.push(letter);
    },
    ...(upFrom === null ? {} : { dependenciesUp: async () => ++probes >= upFrom }),
  };
  return { processor, letters, calls: () => calls };
}

describe('a handler failing while its database is away', () => {
  it('is retried past maxAttempts without a dead letter, and succeeds once the database is back', async () => {
    // Six failures, the first five during the outage: only the sixth counts (1 of 3).
    const { processor, letters, calls } = deps(6, 6);
    await processMessage(message, processor);
    expect(letters).toEqual([]);
    expect(calls()).toBe(7);
  });

  it('counts failures while the database answers, and dead-letters after maxAttempts', async () => {
    const { processor, letters, calls } = deps(10, 1);
    await processMessage(message, processor);
    expect(calls()).toBe(3);
    expect(letters.map((letter) => letter.attempts)).toEqual([3]);
  });

  it('without a probe, counts every failure (the in-process bus has no database to ask)', async () => {
    const { processor, letters } = deps(10, null);
    await processMessage(message, processor);
    expect(letters.map((letter) => letter.attempts)).toEqual([3]);
  });
});
