import { loadContentStoreSettings } from './content-store-config.js';

describe('content store settings', () => {
  it('keeps content in PostgreSQL unless told otherwise', () => {
    expect(loadContentStoreSettings({})).toEqual({ kind: 'postgres' });
    expect(() => loadContentStoreSettings({ CONTENT_STORE: 'ftp' })).toThrow(
      'invalid configuration: CONTENT_STORE must be one of postgres, filesystem, s3, got "ftp"',
    );
  });

  it('needs an absolute directory for the filesystem store', () => {
    expect(loadContentStoreSettings({ CONTENT_STORE: 'filesystem', CONTENT_STORE_DIR: '/data/content' })).toEqual({
      kind: 'filesystem',
      directory: '/data/content',
    });
    expect(() => loadContentStoreSettings({ CONTENT_STORE: 'filesystem', CONTENT_STORE_DIR: 'data' })).toThrow(
      'CONTENT_STORE_DIR must be an absolute directory path',
    );
  });

  it('reads the S3 bucket, endpoint and credential refs, naming what is wrong', () => {
    const env = {
      CONTENT_STORE: 's3',
      CONTENT_STORE_S3_BUCKET: 'evalvault-content',
      CONTENT_STORE_S3_PREFIX: 'prod',
      CONTENT_STORE_S3_ENDPOINT: 'http://minio:9000',
      CONTENT_STORE_S3_ACCESS_KEY_ID_REF: 'file:/run/secrets/s3-key-id',
      CONTENT_STORE_S3_SECRET_ACCESS_KEY_REF: 'vault:secret/evalvault/s3#secret',
    };
    expect(loadContentStoreSettings(env)).toEqual({
      kind: 's3',
      bucket: 'evalvault-content',
      prefix: 'prod/',
      region: 'us-east-1',
      endpoint: 'http://minio:9000',
      forcePathStyle: true,
      credentialRefs: {
        accessKeyId: 'file:/run/secrets/s3-key-id',
        secretAccessKey: 'vault:secret/evalvault/s3#secret',
      },
    });
    expect(loadContentStoreSettings({ CONTENT_STORE: 's3', CONTENT_STORE_S3_BUCKET: 'b-1' })).toMatchObject({
      endpoint: null,
      forcePathStyle: false,
      credentialRefs: null,
      prefix: '',
    });
    expect(() => loadContentStoreSettings({ CONTENT_STORE: 's3' })).toThrow('CONTENT_STORE_S3_BUCKET must be');
    expect(() => loadContentStoreSettings({ ...env, CONTENT_STORE_S3_ENDPOINT: 'minio:9000' })).toThrow(
      'CONTENT_STORE_S3_ENDPOINT must be an http(s) URL',
    );
    expect(() => loadContentStoreSettings({ ...env, CONTENT_STORE_S3_SECRET_ACCESS_KEY_REF: '' })).toThrow(
      'CONTENT_STORE_S3_SECRET_ACCESS_KEY_REF must be set together with its pair',
    );
  });
});
