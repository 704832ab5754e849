import {
  InvalidCursorError,
  keysetCursor,
  pageSizeOf,
  type CursorCodec,
  type CursorShape,
  type CursorValue,
} from '@evalvault/platform';
import { invalidInput } from '../resource/resource.errors.js';

/** The registry's keyset cursors (the platform's codec), one kind per listing. */
export const RESOURCES_CURSOR = keysetCursor('resources', { name: 'string', id: 'string' });
export const VERSIONS_CURSOR = keysetCursor('versions', { before: 'natural' });
export const CASES_CURSOR = keysetCursor('cases', { after: 'natural' });

export function decodeCursor<S extends CursorShape>(codec: CursorCodec<S>, cursor: string): CursorValue<S> {
  try {
    return codec.decode(cursor);
  } catch (error) {
    if (error instanceof InvalidCursorError) throw invalidInput('cursor: not one this API returned');
    throw error;
  }
}

/** The page size asked for, defaulted and capped; nonsense is the caller's error. */
export function pageSize(limit: number | undefined, fallback: number, max: number): number {
  const size = pageSizeOf(limit, fallback, max);
  if (size === null) throw invalidInput(`limit: a whole number from 1 to ${max}`);
  return size;
}
