import { EventEmitter } from 'node:events';
import { START, type GlobalPosition, type RecordedEvent } from './event-store.port.js';
import { PollingSubscription } from './polling-subscription.js';

const recorded = (commit: bigint): RecordedEvent =>
  ({ streamId: 'test-1', revision: 0n, position: { commit, sequence: 1n } }) as RecordedEvent;

/** A wake-up must not be lost: the poll is only a safety net, and with in-process wake-ups it is seconds long. */
describe('a polling subscription', () => {
  it('reads again at once when an append committed while it was reading, instead of waiting for the poll', async () => {
    const appended = new EventEmitter();
    const log: RecordedEvent[] = [];
    let reads = 0;
    // The first read returns what it saw before an append that commits (and wakes) during it.
    const readBatch = async (after: GlobalPosition): Promise<RecordedEvent[]> => {
      reads += 1;
      const seen = log.filter((e) => e.position.commit > after.commit);
      if (reads === 1) {
        log.push(recorded(3n));
        appended.emit('appended');
      }
      return seen;
    };
    const handled: bigint[] = [];
    let delivered!: () => void;
    const third = new Promise<void>((resolve) => (delivered = resolve));
    const subscription = new PollingSubscription(
      readBatch,
      START,
      {
        handler: async (event) => {
          handled.push(event.position.commit);
          delivered();
        },
      },
      appended,
      60_000,
    );
    await third;
    expect(handled).toEqual([3n]);
    expect(reads).toBe(2);
    await subscription.stop();
  });

  it('stops at once when asked while its handler runs, instead of sleeping out the poll', async () => {
    const appended = new EventEmitter();
    let running!: () => void;
    const handling = new Promise<void>((resolve) => (running = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const once = [recorded(3n)];
    const subscription = new PollingSubscription(
      async () => once.splice(0),
      START,
      {
        handler: async () => {
          running();
          await released;
        },
      },
      appended,
      60_000,
    );
    await handling;
    const stopped = subscription.stop();
    release();
    await stopped;
  });
});
