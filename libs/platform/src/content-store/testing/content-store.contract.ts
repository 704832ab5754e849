import { createHash, randomBytes } from 'node:crypto';
import { ContentIntegrityError, ContentNotFoundError, type ContentStore } from '../content-store.port.js';

/** A store under test, and how to change the bytes it keeps for a hash behind its back. */
export interface ContentStoreUnderTest {
  store: ContentStore;
  /** Overwrites the stored bytes of `hash` with `bytes` (same key, different content). */
  tamper(hash: string, bytes: Buffer): Promise<void>;
}

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of stream) pieces.push(piece);
  return Buffer.concat(pieces);
}

/** Random bytes in pieces of `piece` bytes, as a client's upload arrives. */
async function* inPieces(bytes: Buffer, piece: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += piece) yield bytes.subarray(at, at + piece);
}

/**
 * The behaviour every ContentStore adapter must have. Each adapter's integration test calls this
 * with a factory for a ready store; every test stores bytes of its own (random), so runs never meet.
 */
export function contentStoreContract(
  adapter: string,
  open: () => Promise<ContentStoreUnderTest>,
  close: () => Promise<void> = async () => undefined,
): void {
  describe(`${adapter} content store contract`, () => {
    let subject: ContentStoreUnderTest;
    beforeAll(async () => {
      subject = await open();
    });
    afterAll(close);

    it('stores a multi-megabyte stream under its sha256 and streams the same bytes back', async () => {
      const bytes = randomBytes(6 * 1024 * 1024 + 123);
      const stored = await subject.store.put(inPieces(bytes, 100_000));
      expect(stored).toEqual({ hash: sha256(bytes), size: bytes.length, created: true });
      expect(await subject.store.has(stored.hash)).toBe(true);
      expect((await readAll(await subject.store.get(stored.hash))).equals(bytes)).toBe(true);
    });

    it('keeps one copy of the same bytes stored twice, whatever their form', async () => {
      const text = `same content ${randomBytes(8).toString('hex')}\n`.repeat(5_000);
      const first = await subject.store.put(text);
      const second = await subject.store.put(Buffer.from(text, 'utf8'));
      expect(first).toEqual({ hash: sha256(text), size: Buffer.byteLength(text), created: true });
      expect(second).toEqual({ ...first, created: false });
      expect((await readAll(await subject.store.get(first.hash))).toString('utf8')).toBe(text);
    });

    it('round-trips empty content', async () => {
      const stored = await subject.store.put('');
      expect(stored.hash).toBe(sha256(''));
      expect(stored.size).toBe(0);
      expect((await readAll(await subject.store.get(stored.hash))).length).toBe(0);
    });

    it('answers not found for unknown and malformed hashes', async () => {
      const unknown = sha256(randomBytes(16));
      expect(await subject.store.has(unknown)).toBe(false);
      expect(await subject.store.has('../etc/passwd')).toBe(false);
      await expect(subject.store.get(unknown)).rejects.toBeInstanceOf(ContentNotFoundError);
      await expect(subject.store.get('not-a-hash')).rejects.toBeInstanceOf(ContentNotFoundError);
    });

    it('stores nothing under any hash when the source fails half-way', async () => {
      const sent = randomBytes(300_000);
      async function* failing(): AsyncGenerator<Buffer> {
        yield* inPieces(sent, 50_000);
        throw new Error('client went away');
      }
      await expect(subject.store.put(failing())).rejects.toThrow('client went away');
      expect(await subject.store.has(sha256(sent))).toBe(false);
    });

    it('refuses to return bytes that no longer match their hash, naming the hash', async () => {
      const stored = await subject.store.put(randomBytes(200_000));
      await subject.tamper(stored.hash, randomBytes(200_000));
      const reading = readAll(await subject.store.get(stored.hash));
      await expect(reading).rejects.toBeInstanceOf(ContentIntegrityError);
      await expect(reading).rejects.toThrow(`stored content ${stored.hash} reads back with hash`);
    });
  });
}
