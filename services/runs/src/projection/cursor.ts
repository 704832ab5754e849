import {
  InvalidCursorError,
  keysetCursor,
  pageSizeOf,
  type CursorCodec,
  type CursorShape,
  type CursorValue,
} from '@evalvault/platform';
import { RunsQueryError } from './runs-query.error.js';

/** The runs service's keyset cursors (the platform's codec), refused as INVALID_CURSOR. */
export interface RunsCursor {
  requestedAt: string;
  runId: string;
}

const RUNS = keysetCursor('runs', { at: 'instant', id: 'string' });
const CASES = keysetCursor('cases', { after: 'natural' });

function decode<S extends CursorShape>(codec: CursorCodec<S>, cursor: string): CursorValue<S> {
  try {
    return codec.decode(cursor);
  } catch (error) {
    if (error instanceof InvalidCursorError) throw new RunsQueryError('INVALID_CURSOR', error.message);
    throw error;
  }
}

export const encodeRunsCursor = (position: RunsCursor): string =>
  RUNS.encode({ at: position.requestedAt, id: position.runId });

export function decodeRunsCursor(cursor: string): RunsCursor {
  const { at, id } = decode(RUNS, cursor);
  return { requestedAt: at, runId: id };
}

export const encodeCasesCursor = (caseIndex: number): string => CASES.encode({ after: caseIndex });

export const decodeCasesCursor = (cursor: string): number => decode(CASES, cursor).after;

/** The page size asked for, defaulted and capped; nonsense is the caller's error. */
export function pageSize(limit: number | undefined, fallback: number, max: number): number {
  const size = pageSizeOf(limit, fallback, max);
  if (size === null) throw new RunsQueryError('INVALID_LIMIT', `limit must be a whole number from 1 to ${max}`);
  return size;
}
