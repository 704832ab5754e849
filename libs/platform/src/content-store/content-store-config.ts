import { ConfigError, readChoice, type Environment } from '../config/service-config.js';

export const CONTENT_STORE_KINDS = ['postgres', 'filesystem', 's3'] as const;

export interface S3ContentStoreSettings {
  kind: 's3';
  bucket: string;
  prefix: string;
  region: string;
  /** An S3-compatible server's URL (MinIO, Ceph, …); null: AWS itself. */
  endpoint: string | null;
  forcePathStyle: boolean;
  /** Secret refs (env:, file:, vault:) of a static key pair; null: the AWS SDK's default credential chain. */
  credentialRefs: { accessKeyId: string; secretAccessKey: string } | null;
}

/** Where registered dataset content is kept (the content store). */
export type ContentStoreSettings =
  | { kind: 'postgres' }
  | { kind: 'filesystem'; directory: string }
  | S3ContentStoreSettings;

/**
 * `CONTENT_STORE=postgres|filesystem|s3` (default postgres: the service's database). filesystem:
 * `CONTENT_STORE_DIR`, an absolute path (a volume every registry and runs process mounts). s3:
 * `CONTENT_STORE_S3_BUCKET`, optional `CONTENT_STORE_S3_PREFIX`, `CONTENT_STORE_S3_REGION` (default
 * us-east-1), `CONTENT_STORE_S3_ENDPOINT` (an S3-compatible server), `CONTENT_STORE_S3_FORCE_PATH_STYLE`
 * (default true with an endpoint), and `CONTENT_STORE_S3_ACCESS_KEY_ID_REF` with
 * `CONTENT_STORE_S3_SECRET_ACCESS_KEY_REF` (both or neither).
 */
export function loadContentStoreSettings(env: Environment): ContentStoreSettings {
  const kind = readChoice(env, 'CONTENT_STORE', CONTENT_STORE_KINDS, 'postgres');
  switch (kind) {
    case 'postgres':
      return { kind };
    case 'filesystem': {
      const directory = env['CONTENT_STORE_DIR'] ?? '';
      if (!directory.startsWith('/'))
        throw new ConfigError('CONTENT_STORE_DIR', `must be an absolute directory path when CONTENT_STORE=filesystem`);
      return { kind, directory };
    }
    case 's3':
      return s3Settings(env);
  }
}

function s3Settings(env: Environment): S3ContentStoreSettings {
  const bucket = env['CONTENT_STORE_S3_BUCKET'] ?? '';
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw new ConfigError(
      'CONTENT_STORE_S3_BUCKET',
      `must be an S3 bucket name when CONTENT_STORE=s3, got "${bucket}"`,
    );
  const endpoint = env['CONTENT_STORE_S3_ENDPOINT'] || null;
  if (endpoint !== null && !/^https?:\/\/[^/\s]+\/?$/.test(endpoint))
    throw new ConfigError('CONTENT_STORE_S3_ENDPOINT', `must be an http(s) URL without a path, got "${endpoint}"`);
  const pathStyle = readChoice(env, 'CONTENT_STORE_S3_FORCE_PATH_STYLE', ['true', 'false'] as const, 'true');
  const accessKeyId = env['CONTENT_STORE_S3_ACCESS_KEY_ID_REF'] || null;
  const secretAccessKey = env['CONTENT_STORE_S3_SECRET_ACCESS_KEY_REF'] || null;
  if ((accessKeyId === null) !== (secretAccessKey === null))
    throw new ConfigError(
      accessKeyId === null ? 'CONTENT_STORE_S3_ACCESS_KEY_ID_REF' : 'CONTENT_STORE_S3_SECRET_ACCESS_KEY_REF',
      'must be set together with its pair (or neither, for the AWS default credential chain)',
    );
  const prefix = env['CONTENT_STORE_S3_PREFIX'] ?? '';
  return {
    kind: 's3',
    bucket,
    prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
    region: env['CONTENT_STORE_S3_REGION'] || 'us-east-1',
    endpoint,
    forcePathStyle: endpoint !== null && pathStyle === 'true',
    credentialRefs: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : null,
  };
}
