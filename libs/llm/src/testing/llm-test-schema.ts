import { runMigrations } from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { llmMigrations } from '../migrations.js';

/** The schema the library's integration tests migrate and use, as a service would use its own. */
export const LLM_TEST_SCHEMA = 'llm_test';

/** Migrates the shared test schema, or one a test file keeps to itself (for triggers of its own). */
export async function migrateLlmTestSchema(schema: string = LLM_TEST_SCHEMA): Promise<string> {
  await runMigrations(testDatabaseUrl(), schema, llmMigrations(schema));
  return schema;
}
