import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  ContentNotFoundError,
  isContentHash,
  type ContentSource,
  type ContentStore,
  type StoredContent,
} from '../content-store.port.js';
import { fixedChunks } from '../fixed-chunks.js';
import { HashingTap, verifiedRead } from '../verified-read.js';

export interface S3ContentStoreOptions {
  bucket: string;
  /** Put before every key, e.g. `evalvault/` when the bucket is shared (default none). */
  prefix?: string;
  /** Bytes per multipart part, and so about the most held in memory per upload (default and minimum 5 MiB). */
  partSize?: number;
}

const MIN_PART_SIZE = 5 * 1024 * 1024; // S3's smallest part but the last
const SOURCE_CHUNK = 256 * 1024;

/**
 * The content store in an S3-compatible bucket: `<prefix>sha256/<hash>` per content. Its hash is
 * known only once every byte went past, so an upload streams (multipart, never whole in memory)
 * to `<prefix>uploads/<uuid>`, is copied to its hash's key unless that key exists, then deleted.
 * Two writers of the same new bytes at once may both copy: the same bytes to the same key.
 * Reads are hashed on the way and fail when the object no longer matches its key.
 */
export class S3ContentStore implements ContentStore {
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;

  constructor(
    private readonly client: S3Client,
    options: S3ContentStoreOptions,
  ) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    this.partSize = Math.max(options.partSize ?? MIN_PART_SIZE, MIN_PART_SIZE);
  }

  /** Fails with a message naming the bucket when it does not exist or these credentials cannot reach it. */
  async checkBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      throw new Error(`content store: S3 bucket "${this.bucket}" cannot be used (${describe(error)})`, {
        cause: error,
      });
    }
  }

  async put(content: ContentSource): Promise<StoredContent> {
    const uploadKey = `${this.prefix}uploads/${randomUUID()}`;
    const tap = new HashingTap();
    try {
      const body = Readable.from(tap.tap(fixedChunks(content, SOURCE_CHUNK)), { objectMode: false });
      const params = { Bucket: this.bucket, Key: uploadKey, Body: body };
      await new Upload({ client: this.client, params, partSize: this.partSize, queueSize: 1 }).done();
      const hash = tap.digest();
      const created = !(await this.has(hash));
      if (created) {
        const copySource = `${this.bucket}/${uploadKey.split('/').map(encodeURIComponent).join('/')}`;
        await this.client.send(
          new CopyObjectCommand({ Bucket: this.bucket, Key: this.keyOf(hash), CopySource: copySource }),
        );
      }
      return { hash, size: tap.size, created };
    } finally {
      // A failed multipart upload is aborted by Upload itself; this removes a completed one.
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: uploadKey })).catch(() => undefined);
    }
  }

  async get(hash: string): Promise<Readable> {
    if (!isContentHash(hash)) throw new ContentNotFoundError(hash);
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(hash) }));
      return verifiedRead(hash, object.Body as Readable);
    } catch (error) {
      if (isNotFound(error)) throw new ContentNotFoundError(hash);
      throw error;
    }
  }

  async has(hash: string): Promise<boolean> {
    if (!isContentHash(hash)) return false;
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(hash) }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /**
   * Removes completed uploads left by a writer that died between its upload and its copy. Parts of
   * multipart uploads that never completed are the bucket's lifecycle rule's to expire
   * (AbortIncompleteMultipartUpload; see docs/operations.md).
   */
  async sweepAbandonedUploads(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let swept = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}uploads/`, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key || (object.LastModified?.getTime() ?? cutoff) >= cutoff) continue;
        await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: object.Key }));
        swept += 1;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return swept;
  }

  /** The object key of a checked hash. */
  keyOf(hash: string): string {
    return `${this.prefix}sha256/${hash}`;
  }
}

function isNotFound(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return name === 'NoSuchKey' || name === 'NotFound' || $metadata?.httpStatusCode === 404;
}

function describe(error: unknown): string {
  const { name, message, $metadata } = error as Error & { $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode ? `HTTP ${$metadata.httpStatusCode} ` : '';
  return `${status}${name}${message && message !== name ? `: ${message}` : ''}`;
}
