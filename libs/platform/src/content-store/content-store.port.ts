import type { Readable } from 'node:stream';

/** Bytes to store: whole, or streamed in pieces of any size (a Node stream is an async iterable). */
export type ContentSource = Uint8Array | string | AsyncIterable<Uint8Array | string>;

export interface StoredContent {
  /** sha256 of the bytes, lowercase hex: the content's one and only key. */
  hash: string;
  size: number;
  /** False when the same bytes were already stored (nothing new was kept). */
  created: boolean;
}

/**
 * Content-addressed storage for payloads too large for events (dataset content). The key is the
 * sha256 of the bytes, so storing the same bytes twice keeps one copy, and what `get` returns is
 * checked against its key. Implementations hold a bounded amount in memory whatever the size.
 */
export interface ContentStore {
  put(content: ContentSource): Promise<StoredContent>;
  /** The bytes, streamed; throws ContentNotFoundError for an unknown hash. */
  get(hash: string): Promise<Readable>;
  has(hash: string): Promise<boolean>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isContentHash(value: unknown): value is string {
  return typeof value === 'string' && SHA256_HEX.test(value);
}

export class ContentNotFoundError extends Error {
  constructor(readonly hash: string) {
    super(`no stored content has hash ${hash}`);
    this.name = 'ContentNotFoundError';
  }
}

/** Stored bytes no longer hash to their key: storage corruption, never a caller's mistake. */
export class ContentIntegrityError extends Error {
  constructor(
    readonly hash: string,
    actual: string,
  ) {
    super(`stored content ${hash} reads back with hash ${actual}`);
    this.name = 'ContentIntegrityError';
  }
}
