import type { EvalVaultEvent, EventOfType } from '@evalvault/contracts';

/**
 * A domain event as a decider makes it: the type and its payload (no envelope yet). Deciders stamp
 * `occurredAt` with the command's time on the events whose fold needs a time, so a state evolved
 * from decided events equals the state folded from the stored ones (whose envelope has it).
 */
export type Decided<T extends EvalVaultEvent['type']> = T extends EvalVaultEvent['type']
  ? { type: T; payload: EventOfType<T>['payload']; occurredAt?: number }
  : never;

export const DAY_MS = 86_400_000;

/** A number in [0, 1] (finite). */
export const isUnitScore = (value: number): boolean => Number.isFinite(value) && value >= 0 && value <= 1;
