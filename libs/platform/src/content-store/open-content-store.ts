import { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import type { SecretResolver } from '../secrets/secret-ref.js';
import type { ContentStoreSettings, S3ContentStoreSettings } from './content-store-config.js';
import type { ContentStore } from './content-store.port.js';
import { FilesystemContentStore } from './filesystem/filesystem-content-store.js';
import { PostgresContentStore } from './postgres/postgres-content-store.js';
import { S3ContentStore } from './s3/s3-content-store.js';

/** A content store a service runs on, with what its owner does beyond the port. */
export interface OpenedContentStore extends ContentStore {
  /** Removes what writers that died mid-upload left, once older than `olderThanMs`; how many. */
  sweepAbandonedUploads(olderThanMs: number): Promise<number>;
  close(): Promise<void>;
}

export interface OpenContentStoreOptions {
  /** The service's PostgreSQL pool (the PostgreSQL store's content lives there). */
  pool: pg.Pool;
  /** Resolves the S3 key pair's refs, when configured. */
  secrets: SecretResolver;
}

/**
 * The store the configuration selects. The S3 store checks its bucket here, so a missing bucket or
 * refused credentials stop the service at start with a message naming the bucket.
 */
export async function openContentStore(
  settings: ContentStoreSettings,
  options: OpenContentStoreOptions,
): Promise<OpenedContentStore> {
  switch (settings.kind) {
    case 'postgres':
      return withClose(new PostgresContentStore(options.pool), async () => undefined);
    case 'filesystem':
      return withClose(new FilesystemContentStore(settings.directory), async () => undefined);
    case 's3': {
      const client = new S3Client(await s3ClientConfig(settings, options.secrets));
      const store = new S3ContentStore(client, { bucket: settings.bucket, prefix: settings.prefix });
      await store.checkBucket().catch((error: unknown) => {
        client.destroy();
        throw error;
      });
      return withClose(store, async () => client.destroy());
    }
    default: {
      const unexpected: never = settings;
      throw new Error(`unknown content store ${JSON.stringify(unexpected)}`);
    }
  }
}

async function s3ClientConfig(settings: S3ContentStoreSettings, secrets: SecretResolver) {
  const refs = settings.credentialRefs;
  return {
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(refs
      ? {
          credentials: {
            accessKeyId: await secrets(refs.accessKeyId),
            secretAccessKey: await secrets(refs.secretAccessKey),
          },
        }
      : {}),
  };
}

function withClose<T extends ContentStore & Omit<OpenedContentStore, 'close'>>(
  store: T,
  close: () => Promise<void>,
): OpenedContentStore {
  return Object.assign(store, { close });
}
