import { randomBytes, randomUUID } from 'node:crypto';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type pg from 'pg';
import { secretResolver } from '../../secrets/secret-ref.js';
import { loadContentStoreSettings } from '../content-store-config.js';
import { openContentStore } from '../open-content-store.js';
import { LocalS3 } from '../testing/local-s3.js';
import { contentStoreContract } from '../testing/content-store.contract.js';
import { S3ContentStore } from './s3-content-store.js';

let s3: LocalS3;
const bucket = `evalvault-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  s3 = await LocalS3.start();
  await s3.createBucket(bucket);
});
afterAll(async () => {
  await s3.stop();
});

contentStoreContract('S3 (s3rver)', async () => {
  const store = new S3ContentStore(s3.client, { bucket, prefix: 'contract/' });
  const tamper = async (hash: string, bytes: Buffer): Promise<void> => {
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: store.keyOf(hash), Body: bytes }));
  };
  return { store, tamper };
});

describe('S3ContentStore', () => {
  const keysUnder = async (prefix: string): Promise<string[]> => {
    const page = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    return (page.Contents ?? []).map((object) => object.Key!);
  };

  it('keeps content under <prefix>sha256/<hash> and leaves no upload behind', async () => {
    const prefix = `keys-${randomUUID()}/`;
    const store = new S3ContentStore(s3.client, { bucket, prefix });
    const stored = await store.put(randomBytes(1000));
    await store.put(randomBytes(1000).toString('hex'));
    const keys = await keysUnder(prefix);
    expect(keys).toContain(`${prefix}sha256/${stored.hash}`);
    expect(keys).toHaveLength(2);
    expect(keys.every((key) => key.startsWith(`${prefix}sha256/`))).toBe(true);
  });

  it('sweeps completed uploads a dead writer left, only once they are old enough', async () => {
    const prefix = `sweep-${randomUUID()}/`;
    const store = new S3ContentStore(s3.client, { bucket, prefix });
    const orphan = `${prefix}uploads/${randomUUID()}`;
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: orphan, Body: 'half a dataset' }));
    expect(await store.sweepAbandonedUploads(60 * 60 * 1000)).toBe(0);
    expect(await keysUnder(orphan)).toEqual([orphan]);
    expect(await store.sweepAbandonedUploads(-60 * 1000)).toBe(1);
    expect(await keysUnder(orphan)).toEqual([]);
  });

  it('says which bucket cannot be used when it does not exist', async () => {
    const store = new S3ContentStore(s3.client, { bucket: 'no-such-bucket-here' });
    await expect(store.checkBucket()).rejects.toThrow('content store: S3 bucket "no-such-bucket-here" cannot be used');
    await expect(new S3ContentStore(s3.client, { bucket }).checkBucket()).resolves.toBeUndefined();
  });
});

describe('openContentStore with CONTENT_STORE=s3', () => {
  const settings = (bucketName: string, env: Record<string, string> = {}) =>
    loadContentStoreSettings({
      CONTENT_STORE: 's3',
      CONTENT_STORE_S3_BUCKET: bucketName,
      CONTENT_STORE_S3_ENDPOINT: s3.endpoint,
      CONTENT_STORE_S3_ACCESS_KEY_ID_REF: 'env:TEST_S3_KEY_ID',
      CONTENT_STORE_S3_SECRET_ACCESS_KEY_REF: 'env:TEST_S3_SECRET',
      ...env,
    });
  const secrets = () =>
    secretResolver({ TEST_S3_KEY_ID: s3.credentials.accessKeyId, TEST_S3_SECRET: s3.credentials.secretAccessKey });
  const pool = {} as pg.Pool; // not used by the S3 store

  it('opens the configured bucket with the key pair its refs name', async () => {
    const store = await openContentStore(settings(bucket, { CONTENT_STORE_S3_PREFIX: 'opened' }), {
      pool,
      secrets: secrets(),
    });
    const stored = await store.put('opened through the configuration');
    expect(await store.has(stored.hash)).toBe(true);
    await store.close();
  });

  it('stops the start when the bucket is missing or a credential ref does not resolve', async () => {
    await expect(openContentStore(settings('missing-bucket'), { pool, secrets: secrets() })).rejects.toThrow(
      'S3 bucket "missing-bucket" cannot be used',
    );
    await expect(openContentStore(settings(bucket), { pool, secrets: secretResolver({}) })).rejects.toThrow(
      'secret env:TEST_S3_KEY_ID: the environment variable is not set',
    );
  });
});
