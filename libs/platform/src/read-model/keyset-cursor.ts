/**
 * Keyset cursors, opaque to callers: base64url of a small JSON tagged with its listing's kind,
 * so a cursor of one listing cannot be passed to another. Anything that does not decode to
 * exactly the declared shape is refused (InvalidCursorError) before it gets near SQL; each
 * service turns that into its own "invalid input" error.
 */
export type CursorField = 'string' | 'natural' | 'instant';

export type CursorShape = Record<string, CursorField>;

type ValueOf<F extends CursorField> = F extends 'natural' ? number : string;
export type CursorValue<S extends CursorShape> = { [K in keyof S]: ValueOf<S[K]> };

export class InvalidCursorError extends Error {
  constructor() {
    super('the cursor is not one this API returned');
    this.name = 'InvalidCursorError';
  }
}

export interface CursorCodec<S extends CursorShape> {
  encode(value: CursorValue<S>): string;
  /** Throws InvalidCursorError unless the cursor is one `encode` made for this kind. */
  decode(cursor: string): CursorValue<S>;
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MAX_CURSOR_LENGTH = 1024;

export function keysetCursor<S extends CursorShape>(kind: string, shape: S): CursorCodec<S> {
  return {
    encode: (value) => Buffer.from(JSON.stringify({ k: kind, ...value }), 'utf8').toString('base64url'),
    decode(cursor) {
      const value = parse(cursor);
      if (value['k'] !== kind) throw new InvalidCursorError();
      for (const [name, field] of Object.entries(shape)) {
        if (!fits(value[name], field)) throw new InvalidCursorError();
      }
      return Object.fromEntries(Object.keys(shape).map((name) => [name, value[name]])) as CursorValue<S>;
    },
  };
}

function parse(cursor: string): Record<string, unknown> {
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidCursorError();
  return value as Record<string, unknown>;
}

function fits(value: unknown, field: CursorField): boolean {
  switch (field) {
    case 'string':
      return typeof value === 'string';
    case 'natural':
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
    case 'instant':
      return typeof value === 'string' && ISO_MS.test(value) && !Number.isNaN(Date.parse(value));
  }
}

/** The page size asked for, defaulted and capped; null when it is nonsense (the caller's error to report). */
export function pageSizeOf(limit: number | undefined, fallback: number, max: number): number | null {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) return null;
  return Math.min(limit, max);
}
