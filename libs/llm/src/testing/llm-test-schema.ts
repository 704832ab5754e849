import { runMigrations } from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { llmMigrations } from '../migrations.js';

/** The schema the library's integration tests migrate and use, as a service would use its own. */
export const LLM_TEST_SCHEMA = 'llm_test';

export async function migrateLlmTestSchema(): Promise<string> {
  await runMigrations(testDatabaseUrl(), LLM_TEST_SCHEMA, llmMigrations(LLM_TEST_SCHEMA));
  return LLM_TEST_SCHEMA;
}
