import {
  InvalidCursorError,
  keysetCursor,
  pageSizeOf,
  type CursorCodec,
  type CursorShape,
  type CursorValue,
} from '@evalvault/platform';
import { invalidInput } from '../api/memory-errors.js';

/** Ranked listings page by position (the ranking is a computed score); learnings by key. */
export const FACTS_CURSOR = keysetCursor('memory-facts', { offset: 'natural' });
export const BEHAVIOURS_CURSOR = keysetCursor('memory-behaviours', { offset: 'natural' });
export const LEARNINGS_CURSOR = keysetCursor('memory-learnings', { dataset: 'string', metric: 'string', id: 'string' });
export const DELETIONS_CURSOR = keysetCursor('memory-deletions', { at: 'instant', id: 'string' });

export function decodeCursor<S extends CursorShape>(codec: CursorCodec<S>, cursor: string): CursorValue<S> {
  try {
    return codec.decode(cursor);
  } catch (error) {
    if (error instanceof InvalidCursorError) throw invalidInput('cursor: not one this API returned');
    throw error;
  }
}

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;

/** The page size asked for, defaulted and capped; nonsense is the caller's error. */
export function pageSize(limit: unknown, fallback = DEFAULT_PAGE, max = MAX_PAGE): number {
  if (limit !== undefined && limit !== null && typeof limit !== 'number')
    throw invalidInput(`limit: a whole number from 1 to ${max}`);
  const size = pageSizeOf((limit ?? undefined) as number | undefined, fallback, max);
  if (size === null) throw invalidInput(`limit: a whole number from 1 to ${max}`);
  return size;
}
