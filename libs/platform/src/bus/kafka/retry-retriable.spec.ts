import { KafkaJSProtocolError } from 'kafkajs';
import { retryRetriable } from './retry-retriable.js';

/** The error kafkajs builds from a broker's error code (protocol/error.js), as the broker sent it. */
const protocolError = (type: string, code: number, retriable: boolean, message: string): Error =>
  new KafkaJSProtocolError(Object.assign(new Error(message), { type, code, retriable }));
const loading = (): Error =>
  protocolError('GROUP_LOAD_IN_PROGRESS', 14, true, "The coordinator is loading and hence can't process requests");

describe('retryRetriable', () => {
  it('gets past a coordinator that is still loading', async () => {
    let calls = 0;
    const result = await retryRetriable(
      async () => {
        calls += 1;
        if (calls < 3) throw loading();
        return 'offsets';
      },
      { firstDelayMs: 1 },
    );
    expect(result).toBe('offsets');
    expect(calls).toBe(3);
  });

  it('rethrows an error that is not retriable at once', async () => {
    let calls = 0;
    const denied = protocolError('GROUP_AUTHORIZATION_FAILED', 30, false, 'Not authorized to access group');
    await expect(
      retryRetriable(async () => {
        calls += 1;
        throw denied;
      }),
    ).rejects.toBe(denied);
    expect(calls).toBe(1);
  });

  it('gives up with the last error once the deadline has passed', async () => {
    let calls = 0;
    await expect(
      retryRetriable(
        async () => {
          calls += 1;
          throw loading();
        },
        { deadlineMs: 30, firstDelayMs: 5, maxDelayMs: 5 },
      ),
    ).rejects.toMatchObject({ type: 'GROUP_LOAD_IN_PROGRESS' });
    expect(calls).toBeGreaterThan(1);
  });
});
