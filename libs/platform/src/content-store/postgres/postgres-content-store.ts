import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type pg from 'pg';
import {
  ContentIntegrityError,
  ContentNotFoundError,
  isContentHash,
  type ContentSource,
  type ContentStore,
  type StoredContent,
} from '../content-store.port.js';
import { CONTENT_STORE_SCHEMA as S } from './content-store.migration.js';
import { fixedChunks } from '../fixed-chunks.js';

export interface PostgresContentStoreOptions {
  /** Bytes per stored row, and so the most held in memory per upload or download (default 256 KiB). */
  chunkSize?: number;
}

const DEFAULT_CHUNK_SIZE = 256 * 1024;

interface BlobRow {
  content_id: string;
  size: string;
  chunk_count: number;
}

/**
 * The content store on PostgreSQL (schema `contentstore`, shared like the event store). Every
 * statement is short and autocommitted: an upload never keeps a transaction open while its
 * client streams, since a long transaction would hold back the event store's readers.
 */
export class PostgresContentStore implements ContentStore {
  private readonly chunkSize: number;

  constructor(
    private readonly pool: pg.Pool,
    options: PostgresContentStoreOptions = {},
  ) {
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  }

  async put(content: ContentSource): Promise<StoredContent> {
    const contentId = randomUUID();
    await this.pool.query(`INSERT INTO ${S}.uploads (content_id) VALUES ($1)`, [contentId]);
    try {
      const hasher = createHash('sha256');
      let size = 0;
      let seq = 0;
      for await (const chunk of fixedChunks(content, this.chunkSize)) {
        hasher.update(chunk);
        size += chunk.length;
        await this.pool.query(`INSERT INTO ${S}.chunks (content_id, seq, data) VALUES ($1, $2, $3)`, [
          contentId,
          seq++,
          chunk,
        ]);
      }
      const hash = hasher.digest('hex');
      const created = await this.publish(hash, contentId, size, seq);
      if (!created) await this.discard(contentId); // the same bytes were already stored
      return { hash, size, created };
    } catch (error) {
      await this.discard(contentId).catch(() => undefined); // a sweep removes it otherwise
      throw error;
    }
  }

  async get(hash: string): Promise<Readable> {
    const blob = isContentHash(hash) ? await this.blob(hash) : null;
    if (!blob) throw new ContentNotFoundError(hash);
    // Not in object mode, with the smallest buffer: one chunk is read ahead of the consumer, no more.
    return Readable.from(this.chunksOf(hash, blob), { objectMode: false, highWaterMark: 1 });
  }

  async has(hash: string): Promise<boolean> {
    return isContentHash(hash) && (await this.blob(hash)) !== null;
  }

  /** Removes chunks of uploads that started before `olderThanMs` ago and never finished (a crashed writer). */
  async sweepAbandonedUploads(olderThanMs: number): Promise<number> {
    const { rows } = await this.pool.query<{ content_id: string }>(
      `SELECT content_id FROM ${S}.uploads
        WHERE started_at < now() - make_interval(secs => $1::double precision / 1000)`,
      [olderThanMs],
    );
    for (const { content_id } of rows) await this.discard(content_id);
    return rows.length;
  }

  private async blob(hash: string): Promise<BlobRow | null> {
    const { rows } = await this.pool.query<BlobRow>(
      `SELECT content_id, size, chunk_count FROM ${S}.blobs WHERE hash = $1`,
      [hash],
    );
    return rows[0] ?? null;
  }

  /** Makes the upload the content of `hash` unless those bytes are already stored; true when it did. */
  private async publish(hash: string, contentId: string, size: number, chunkCount: number): Promise<boolean> {
    const { rows } = await this.pool.query<{ created: number }>(
      `
      WITH published AS (
        INSERT INTO ${S}.blobs (hash, content_id, size, chunk_count) VALUES ($1, $2, $3, $4)
        ON CONFLICT (hash) DO NOTHING RETURNING content_id
      ), finished AS (
        DELETE FROM ${S}.uploads WHERE content_id = $2 AND EXISTS (SELECT 1 FROM published)
      )
      SELECT count(*)::int AS created FROM published`,
      [hash, contentId, size, chunkCount],
    );
    return rows[0]!.created === 1;
  }

  private async discard(contentId: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${S}.chunks WHERE content_id = $1`, [contentId]);
    await this.pool.query(`DELETE FROM ${S}.uploads WHERE content_id = $1`, [contentId]);
  }

  /** One chunk per query, hashed on the way: bytes that no longer match their key fail the read. */
  private async *chunksOf(hash: string, blob: BlobRow): AsyncGenerator<Buffer> {
    const hasher = createHash('sha256');
    for (let seq = 0; seq < blob.chunk_count; seq++) {
      const { rows } = await this.pool.query<{ data: Buffer }>(
        `SELECT data FROM ${S}.chunks WHERE content_id = $1 AND seq = $2`,
        [blob.content_id, seq],
      );
      if (!rows[0]) throw new ContentIntegrityError(hash, `(chunk ${seq} missing)`);
      hasher.update(rows[0].data);
      yield rows[0].data;
    }
    const actual = hasher.digest('hex');
    if (actual !== hash) throw new ContentIntegrityError(hash, actual);
  }
}
