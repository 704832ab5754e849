import { createHash } from 'node:crypto';
import pg from 'pg';
import { testDatabaseUrl } from '../../testing/index.js';
import { ContentIntegrityError, ContentNotFoundError } from '../content-store.port.js';
import { contentStoreContract } from '../testing/content-store.contract.js';
import { migrateContentStore } from './migrate-content-store.js';
import { PostgresContentStore } from './postgres-content-store.js';

const CHUNK = 64 * 1024;
const PIECE = 100_000;

/** A real pool whose chunk writes and reads are counted, to see what the store holds at a time. */
function observedPool(pool: pg.Pool) {
  const seen = { writtenBytes: 0, chunkReads: 0, uploadIds: [] as string[] };
  const query = pool.query.bind(pool) as (text: string, params?: unknown[]) => Promise<pg.QueryResult>;
  const observed = new Proxy(pool, {
    get(target, property, receiver) {
      if (property !== 'query') return Reflect.get(target, property, receiver) as unknown;
      return async (text: string, params?: unknown[]) => {
        if (text.includes('INSERT INTO contentstore.uploads')) seen.uploadIds.push(params![0] as string);
        if (text.includes('SELECT data FROM contentstore.chunks')) seen.chunkReads += 1;
        const result = await query(text, params);
        if (text.includes('INSERT INTO contentstore.chunks')) seen.writtenBytes += (params![2] as Buffer).length;
        return result;
      };
    },
  });
  return { pool: observed, seen };
}

/** Deterministic pseudo-random bytes, generated piece by piece and hashed as they go. */
async function* generated(
  totalBytes: number,
  seed: number,
  onPiece: (pulledBytes: number) => void,
  hasher = createHash('sha256'),
): AsyncGenerator<Buffer> {
  let pulled = 0;
  let state = seed;
  while (pulled < totalBytes) {
    const piece = Buffer.alloc(Math.min(PIECE, totalBytes - pulled));
    for (let i = 0; i < piece.length; i++) {
      state = (state * 1_103_515_245 + 12_345) >>> 0;
      piece[i] = state >>> 24;
    }
    hasher.update(piece);
    pulled += piece.length;
    onPiece(pulled);
    yield piece;
  }
}

async function sha256Of(
  stream: AsyncIterable<Buffer>,
  onChunk: (chunk: Buffer) => void = () => undefined,
): Promise<string> {
  const hasher = createHash('sha256');
  for await (const chunk of stream) {
    onChunk(chunk);
    hasher.update(chunk);
  }
  return hasher.digest('hex');
}

describe('PostgresContentStore', () => {
  let pool: pg.Pool;

  beforeAll(async () => {
    await migrateContentStore(testDatabaseUrl());
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 3 });
  });
  afterAll(async () => {
    await pool.end();
  });

  const chunksOf = async (contentId: string): Promise<number> =>
    (
      await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM contentstore.chunks WHERE content_id = $1', [
        contentId,
      ])
    ).rows[0]!.n;

  it('stores a multi-megabyte stream and streams it back, holding about one chunk at a time', async () => {
    const { pool: observed, seen } = observedPool(pool);
    const store = new PostgresContentStore(observed, { chunkSize: CHUNK });
    const sourceHash = createHash('sha256');
    let mostHeld = 0;
    const total = 6 * 1024 * 1024 + 123;
    const seed = Math.floor(Math.random() * 2 ** 31);
    const stored = await store.put(
      generated(
        total,
        seed,
        (pulled) => {
          mostHeld = Math.max(mostHeld, pulled - seen.writtenBytes);
        },
        sourceHash,
      ),
    );

    expect(stored).toEqual({ hash: sourceHash.digest('hex'), size: total, created: true });
    // What was pulled from the source but not yet written never exceeds a chunk plus the piece in hand.
    expect(mostHeld).toBeLessThanOrEqual(CHUNK + PIECE);
    expect(await store.has(stored.hash)).toBe(true);

    const stream = await store.get(stored.hash);
    let largest = 0;
    let readsAtFirstChunk = -1;
    const readBack = await sha256Of(stream, (chunk) => {
      largest = Math.max(largest, chunk.length);
      if (readsAtFirstChunk < 0) readsAtFirstChunk = seen.chunkReads;
    });
    expect(readBack).toBe(stored.hash);
    expect(largest).toBeLessThanOrEqual(CHUNK);
    expect(readsAtFirstChunk).toBeLessThanOrEqual(3); // read lazily, not all ~97 chunks up front
    expect(seen.chunkReads).toBe(Math.ceil(total / CHUNK));
  });

  it('keeps one copy of the same bytes stored twice', async () => {
    const { pool: observed, seen } = observedPool(pool);
    const store = new PostgresContentStore(observed, { chunkSize: CHUNK });
    const text = `same content ${Math.random()}\n`.repeat(10_000);
    const first = await store.put(text);
    const second = await store.put(Buffer.from(text, 'utf8'));
    expect(second).toEqual({ ...first, created: false });
    expect(await chunksOf(seen.uploadIds[0]!)).toBe(Math.ceil(first.size / CHUNK));
    expect(await chunksOf(seen.uploadIds[1]!)).toBe(0);
    expect(await sha256Of(await store.get(first.hash))).toBe(first.hash);
  });

  it('round-trips empty content', async () => {
    const store = new PostgresContentStore(pool);
    const stored = await store.put('');
    expect(stored.hash).toBe(createHash('sha256').digest('hex'));
    expect(await sha256Of(await store.get(stored.hash))).toBe(stored.hash);
  });

  it('leaves nothing behind when the source fails half-way', async () => {
    const { pool: observed, seen } = observedPool(pool);
    const store = new PostgresContentStore(observed, { chunkSize: CHUNK });
    async function* failing(): AsyncGenerator<Buffer> {
      yield* generated(300_000, 7, () => undefined);
      throw new Error('client went away');
    }
    await expect(store.put(failing())).rejects.toThrow('client went away');
    expect(await chunksOf(seen.uploadIds[0]!)).toBe(0);
    const uploads = await pool.query('SELECT 1 FROM contentstore.uploads WHERE content_id = $1', [seen.uploadIds[0]]);
    expect(uploads.rowCount).toBe(0);
  });

  it('answers not found for unknown and malformed hashes', async () => {
    const store = new PostgresContentStore(pool);
    const unknown = createHash('sha256').update(`never stored ${Math.random()}`).digest('hex');
    expect(await store.has(unknown)).toBe(false);
    expect(await store.has('../etc/passwd')).toBe(false);
    await expect(store.get(unknown)).rejects.toBeInstanceOf(ContentNotFoundError);
    await expect(store.get('not-a-hash')).rejects.toBeInstanceOf(ContentNotFoundError);
  });

  it('refuses to return bytes that no longer match their hash', async () => {
    const { pool: observed, seen } = observedPool(pool);
    const store = new PostgresContentStore(observed, { chunkSize: 1024 });
    const stored = await store.put(`integrity ${Math.random()}`.repeat(500));
    await pool.query(`UPDATE contentstore.chunks SET data = $2 WHERE content_id = $1 AND seq = 1`, [
      seen.uploadIds[0],
      Buffer.alloc(1024, 0x41),
    ]);
    await expect(sha256Of(await store.get(stored.hash))).rejects.toBeInstanceOf(ContentIntegrityError);
  });

  it('sweeps the chunks of uploads that never finished', async () => {
    const store = new PostgresContentStore(pool);
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO contentstore.uploads (content_id, started_at) VALUES (gen_random_uuid(), now() - interval '2 days')
       RETURNING content_id AS id`,
    );
    const contentId = rows[0]!.id;
    await pool.query('INSERT INTO contentstore.chunks (content_id, seq, data) VALUES ($1, 0, $2)', [
      contentId,
      Buffer.from('orphan'),
    ]);
    expect(await store.sweepAbandonedUploads(24 * 60 * 60 * 1000)).toBeGreaterThanOrEqual(1);
    expect(await chunksOf(contentId)).toBe(0);
  });
});

describe('PostgresContentStore, as every content store', () => {
  let pool: pg.Pool;
  afterAll(async () => {
    await pool.end();
  });

  contentStoreContract('PostgreSQL', async () => {
    await migrateContentStore(testDatabaseUrl());
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 3 });
    /** The blob's chunks replaced by one chunk of other bytes. */
    const tamper = async (hash: string, bytes: Buffer): Promise<void> => {
      const { rows } = await pool.query<{ id: string }>(
        'UPDATE contentstore.blobs SET chunk_count = 1 WHERE hash = $1 RETURNING content_id AS id',
        [hash],
      );
      await pool.query('DELETE FROM contentstore.chunks WHERE content_id = $1', [rows[0]!.id]);
      await pool.query('INSERT INTO contentstore.chunks (content_id, seq, data) VALUES ($1, 0, $2)', [
        rows[0]!.id,
        bytes,
      ]);
    };
    return { store: new PostgresContentStore(pool, { chunkSize: 64 * 1024 }), tamper };
  });
});
