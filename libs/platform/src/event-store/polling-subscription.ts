import type { EventEmitter } from 'node:events';
import type { GlobalPosition, RecordedEvent, SubscribeOptions, Subscription } from './event-store.port.js';

const BATCH_SIZE = 500;

type ReadBatch = (after: GlobalPosition, maxCount: number) => Promise<RecordedEvent[]>;

/** Reads each record's event once, so a lazily decoding store decodes it now. */
function decodeEach(batch: RecordedEvent[]): RecordedEvent[] {
  for (const recorded of batch) void recorded.event;
  return batch;
}

interface PendingRead {
  batch: Promise<RecordedEvent[]>;
  waiting: (() => void)[];
}

/**
 * Follows the global log: reads a batch after the last handled position, hands each
 * event to the handler in order, and when the log is drained sleeps until an append
 * wakes it (same process, or NOTIFY) or the poll interval passes.
 */
export class PollingSubscription implements Subscription {
  private position: GlobalPosition;
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly done: Promise<void>;
  private waiters: (() => void)[] = [];
  /** An append was reported since the last read began: the next sleep must not wait for the poll. */
  private appendedSinceRead = false;
  private readonly onAppended = (): void => {
    this.appendedSinceRead = true;
    this.wake?.();
  };

  constructor(
    private readonly readBatch: ReadBatch,
    from: GlobalPosition,
    private readonly options: SubscribeOptions,
    private readonly appended: EventEmitter,
    private readonly pollIntervalMs: number,
  ) {
    this.position = from;
    appended.on('appended', this.onAppended);
    this.done = this.run();
  }

  private async run(): Promise<void> {
    let reading: PendingRead | undefined;
    try {
      while (!this.stopped) {
        const batchSize = this.options.batchSize ?? BATCH_SIZE;
        reading ??= this.startRead(this.position, batchSize);
        const { waiting } = reading;
        const batch = await reading.batch;
        // A whole batch means more may follow: read the next while this one is handled (the relay
        // publishes one batch while the next is read). Handling stays one batch after another, in order.
        reading = batch.length === batchSize ? this.startRead(batch.at(-1)!.position, batchSize) : undefined;
        reading?.waiting.unshift(...waiting);
        await this.handle(batch);
        if (!reading) {
          waiting.forEach((resolve) => resolve());
          await this.sleep();
        }
      }
    } catch (error) {
      this.stopped = true;
      this.options.onError?.(error as Error);
    } finally {
      this.appended.off('appended', this.onAppended);
      [...(reading?.waiting ?? []), ...this.waiters].forEach((resolve) => resolve());
    }
  }

  /** Waiters registered before this read began are satisfied once it comes back short. */
  private startRead(after: GlobalPosition, batchSize: number): PendingRead {
    const waiting = this.waiters;
    this.waiters = [];
    this.appendedSinceRead = false;
    const read = this.readBatch(after, batchSize);
    const batch = this.options.decodeAhead ? read.then(decodeEach) : read;
    batch.catch(() => undefined); // a read ahead of a failed handler is dropped; otherwise its error is awaited
    return { batch, waiting };
  }

  private async handle(batch: RecordedEvent[]): Promise<void> {
    if ('batchHandler' in this.options) {
      if (batch.length === 0 || this.stopped) return;
      await this.options.batchHandler(batch);
      this.position = batch.at(-1)!.position;
      return;
    }
    for (const recorded of batch) {
      if (this.stopped) return;
      await this.options.handler(recorded);
      this.position = recorded.position;
    }
  }

  private sleep(): Promise<void> {
    // An append that committed while this read or its handler ran woke nothing (nothing slept yet):
    // it may be after what the read saw, so read again now rather than at the next poll. A stop
    // asked meanwhile likewise finds nothing asleep to wake.
    if (this.appendedSinceRead || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.pollIntervalMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  caughtUp(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.wake?.();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.done;
  }

  /** Where the subscription has got to: the position of the last handled event. */
  get lastPosition(): GlobalPosition {
    return this.position;
  }
}
