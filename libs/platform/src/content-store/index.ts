// Content-addressed storage of large payloads (dataset content): the port; PostgreSQL, filesystem and S3 adapters.
export {
  ContentIntegrityError,
  ContentNotFoundError,
  isContentHash,
  type ContentSource,
  type ContentStore,
  type StoredContent,
} from './content-store.port.js';
export { PostgresContentStore, type PostgresContentStoreOptions } from './postgres/postgres-content-store.js';
export {
  CONTENT_STORE_MIGRATIONS,
  CONTENT_STORE_SCHEMA,
  CreateContentStore1764500000000,
} from './postgres/content-store.migration.js';
export { migrateContentStore } from './postgres/migrate-content-store.js';
export { FilesystemContentStore } from './filesystem/filesystem-content-store.js';
export { S3ContentStore, type S3ContentStoreOptions } from './s3/s3-content-store.js';
export {
  CONTENT_STORE_KINDS,
  loadContentStoreSettings,
  type ContentStoreSettings,
  type S3ContentStoreSettings,
} from './content-store-config.js';
export { openContentStore, type OpenContentStoreOptions, type OpenedContentStore } from './open-content-store.js';
