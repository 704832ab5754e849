import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ContentIntegrityError } from './content-store.port.js';

/**
 * The stored bytes passed through as they are read, hashed on the way: when the last byte does not
 * hash to the key the stream fails with ContentIntegrityError, so a consumer (hashing, parsing or
 * copying it) never takes tampered or corrupted content for the registered one.
 */
export function verifiedRead(hash: string, stored: AsyncIterable<Uint8Array | string>): Readable {
  // Not in object mode, with the smallest buffer: one piece is read ahead of the consumer, no more.
  return Readable.from(verifying(hash, stored), { objectMode: false, highWaterMark: 1 });
}

async function* verifying(hash: string, stored: AsyncIterable<Uint8Array | string>): AsyncGenerator<Buffer> {
  const hasher = createHash('sha256');
  for await (const piece of stored) {
    const bytes =
      typeof piece === 'string'
        ? Buffer.from(piece, 'utf8')
        : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    hasher.update(bytes);
    yield bytes;
  }
  const actual = hasher.digest('hex');
  if (actual !== hash) throw new ContentIntegrityError(hash, actual);
}

/** The content's hash and size, worked out while it streams past (to an upload of unknown length). */
export class HashingTap {
  private readonly hasher = createHash('sha256');
  size = 0;

  async *tap(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      this.hasher.update(chunk);
      this.size += chunk.length;
      yield chunk;
    }
  }

  digest(): string {
    return this.hasher.digest('hex');
  }
}
