// Content-addressed storage of large payloads (dataset content): the port and its PostgreSQL adapter.
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
