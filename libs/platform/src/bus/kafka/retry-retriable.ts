import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryRetriableOptions {
  /** Give up (rethrow the last error) once this much time has passed since the first attempt. */
  deadlineMs?: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (error: unknown, attempt: number) => void;
}

/** kafkajs marks errors a later attempt can get past (a coordinator still loading, a leader moving) as retriable. */
export function isRetriableKafkaError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}

/**
 * Runs `attempt` until it succeeds, retrying only kafkajs errors marked retriable, with doubling
 * delays, until the deadline. A broker that has just started (or just elected a new group
 * coordinator) answers "coordinator is loading" for a few seconds; kafkajs retries that inside
 * a consumer but not for admin calls, and a service must not die at start because of it.
 */
export async function retryRetriable<T>(attempt: () => Promise<T>, options: RetryRetriableOptions = {}): Promise<T> {
  const { deadlineMs = 60_000, firstDelayMs = 100, maxDelayMs = 2_000 } = options;
  const startedAt = Date.now();
  for (let tries = 1; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      const delayMs = Math.min(maxDelayMs, firstDelayMs * 2 ** (tries - 1));
      if (!isRetriableKafkaError(error) || Date.now() - startedAt + delayMs > deadlineMs) throw error;
      options.onRetry?.(error, tries);
      await sleep(delayMs);
    }
  }
}
