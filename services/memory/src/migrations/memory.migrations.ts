import type { MigrationClass } from '@evalvault/platform';

export const MEMORY_SCHEMA = 'memory';

/** The memory schema's migrations, in order: none until Domain Memory has a read model. */
export const MEMORY_MIGRATIONS: MigrationClass[] = [];
