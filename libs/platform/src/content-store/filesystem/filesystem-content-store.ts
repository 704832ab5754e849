import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  ContentNotFoundError,
  isContentHash,
  type ContentSource,
  type ContentStore,
  type StoredContent,
} from '../content-store.port.js';
import { fixedChunks } from '../fixed-chunks.js';
import { HashingTap, verifiedRead } from '../verified-read.js';

const WRITE_CHUNK = 256 * 1024;

/**
 * The content store in a directory (a mounted volume): `sha256/<first two hex>/<hash>` per content,
 * `uploads/<uuid>` while one is written. An upload is written and synced under its own name, then
 * hard-linked to its hash's name: a link never replaces an existing file, so the first complete copy
 * of some bytes is the one kept, and a half-written file is never visible under a hash.
 */
export class FilesystemContentStore implements ContentStore {
  constructor(private readonly root: string) {}

  async put(content: ContentSource): Promise<StoredContent> {
    const uploads = join(this.root, 'uploads');
    await mkdir(uploads, { recursive: true });
    const upload = join(uploads, randomUUID());
    try {
      const tap = new HashingTap();
      const file = await open(upload, 'wx');
      try {
        for await (const chunk of tap.tap(fixedChunks(content, WRITE_CHUNK))) await file.write(chunk);
        await file.sync();
      } finally {
        await file.close();
      }
      const hash = tap.digest();
      await mkdir(join(this.root, 'sha256', hash.slice(0, 2)), { recursive: true });
      const created = await link(upload, this.pathOf(hash)).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'EEXIST') return false; // the same bytes were already stored
          throw error;
        },
      );
      return { hash, size: tap.size, created };
    } finally {
      await unlink(upload).catch(() => undefined);
    }
  }

  async get(hash: string): Promise<Readable> {
    if (!(await this.has(hash))) throw new ContentNotFoundError(hash);
    return verifiedRead(hash, createReadStream(this.pathOf(hash), { highWaterMark: WRITE_CHUNK }));
  }

  async has(hash: string): Promise<boolean> {
    if (!isContentHash(hash)) return false;
    return stat(this.pathOf(hash)).then(
      (found) => found.isFile(),
      () => false,
    );
  }

  /** Removes uploads that started before `olderThanMs` ago and never finished (a writer that died). */
  async sweepAbandonedUploads(olderThanMs: number): Promise<number> {
    const uploads = join(this.root, 'uploads');
    const names = await readdir(uploads).catch(() => [] as string[]);
    const cutoff = Date.now() - olderThanMs;
    let swept = 0;
    for (const name of names) {
      const path = join(uploads, name);
      const found = await stat(path).catch(() => null);
      if (
        found &&
        found.mtimeMs < cutoff &&
        (await unlink(path).then(
          () => true,
          () => false,
        ))
      )
        swept += 1;
    }
    return swept;
  }

  /** Only ever called with a checked hash (64 hex digits), so no path can leave the root. */
  private pathOf(hash: string): string {
    return join(this.root, 'sha256', hash.slice(0, 2), hash);
  }
}
