import { runStarted } from '@evalvault/contracts/testing';
import { BUS_HEADERS, type BusMessage } from './bus-message.js';
import { deadLetterCode, impossibleEnvelope, oversized, PoisonCode, trimmedForDeadLetter } from './poison.js';

const message = (value: Buffer, headers: Record<string, string> = {}): BusMessage => ({
  topic: 'evalvault.runs.v1',
  key: 'run-1',
  value,
  headers,
  partition: 0,
  offset: '7',
});

describe('poison messages the codec cannot see', () => {
  const event = runStarted('run-1', 'tenant-a');

  it('accepts an envelope a producer of ours writes', () => {
    expect(impossibleEnvelope(event, message(Buffer.alloc(0), { [BUS_HEADERS.eventType]: 'RunStarted' }))).toBeNull();
  });

  it.each([
    [{ eventId: 'e-1' }, 'eventId "e-1" is not a UUID'],
    [{ occurredAt: -1 }, 'occurredAt -1 is not a time between 1970 and 9999'],
    [{ occurredAt: 1e17 }, 'occurredAt 100000000000000000 is not a time'],
    [{ tenantId: ' ' }, 'tenantId is empty'],
    [{ streamId: '' }, 'streamId is empty'],
  ])('refuses %j, saying why', (change, reason) => {
    const refused = impossibleEnvelope({ ...event, ...change } as typeof event, message(Buffer.alloc(0)));
    expect(refused?.code).toBe(PoisonCode.ImpossibleEvent);
    expect(refused?.message).toContain(reason);
    expect(deadLetterCode(refused!)).toBe('IMPOSSIBLE_EVENT');
  });

  it('refuses a body that contradicts the event-type header', () => {
    const refused = impossibleEnvelope(event, message(Buffer.alloc(0), { [BUS_HEADERS.eventType]: 'RunCancelled' }));
    expect(refused?.message).toContain('header evalvault-event-type says RunCancelled, the body is RunStarted');
  });

  it('sets an oversized message aside with its head and its size', () => {
    const big = message(Buffer.alloc(200_000, 1));
    expect(oversized(big, 200_000)).toBeNull();
    expect(oversized(big, 199_999)?.message).toBe(
      "message of 200000 bytes exceeds the consumer's limit of 199999 bytes",
    );
    const kept = trimmedForDeadLetter(big);
    expect(kept.value.length).toBe(64 * 1024);
    expect(kept.headers[BUS_HEADERS.originalSize]).toBe('200000');
  });

  it('files other errors as handler failures', () => {
    expect(deadLetterCode(new Error('boom'))).toBe('HANDLER_FAILED');
  });
});
