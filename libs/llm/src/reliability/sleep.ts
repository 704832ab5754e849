import { setTimeout as delay } from 'node:timers/promises';
import { LlmError, LlmErrorCode } from '../llm-error.js';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Waits, but gives up as soon as the caller aborts (a cancelled run must not sit out a backoff). */
export const sleep: Sleep = async (ms, signal) => {
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
  } catch (error) {
    if (signal?.aborted) throw new LlmError(LlmErrorCode.Aborted, 'aborted while waiting to retry');
    throw error;
  }
};
