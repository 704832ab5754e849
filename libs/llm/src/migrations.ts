import type { MigrationInterface } from 'typeorm';
import { budgetMigration } from './budget/budget.migration.js';
import { dailySpendMigration } from './budget/daily-spend.migration.js';
import { responseCacheMigration } from './cache/response-cache.migration.js';
import { rateLimitMigration } from './rate-limit/rate-limit.migration.js';
import { rateWindowMigration } from './rate-limit/rate-window.migration.js';
import { tenantScopeMigration } from './tenant-scope.migration.js';

/** The library's tables in the schema of the service that uses it (e.g. "runs"), listed with its own migrations. */
export function llmMigrations(schema: string): (new () => MigrationInterface)[] {
  return [
    rateLimitMigration(schema),
    budgetMigration(schema),
    responseCacheMigration(schema),
    rateWindowMigration(schema),
    tenantScopeMigration(schema),
    dailySpendMigration(schema),
  ];
}

export {
  budgetMigration,
  dailySpendMigration,
  rateLimitMigration,
  rateWindowMigration,
  responseCacheMigration,
  tenantScopeMigration,
};
