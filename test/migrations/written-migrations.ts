import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A migration as written in a source file: the name TypeORM records, where it is. */
export interface WrittenMigration {
  name: string;
  file: string;
}

/**
 * `name = 'CreateThing1764115200000'` in a class implementing MigrationInterface (a plain class or
 * one a factory returns, such as inboxMigration): the name TypeORM records once it is applied.
 */
const MIGRATION_NAME = /implements\s+MigrationInterface\s*\{\s*(?:readonly\s+)?name\s*=\s*'([^']+)'/g;

/** Production sources only: a test may write a migration of its own (e.g. the inbox's fixture table). */
const isProductionSource = (name: string): boolean =>
  name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.spec.ts');

function sourceFiles(dir: string, found: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'testing') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, found);
    else if (isProductionSource(name)) found.push(path);
  }
  return found;
}

/** Every migration written in the `src` of the given package directories (e.g. libs/*, services/*). */
export function writtenMigrations(root: string, packageDirs: readonly string[]): WrittenMigration[] {
  return packageDirs.flatMap((dir) =>
    sourceFiles(join(root, dir, 'src')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(MIGRATION_NAME)].map((match) => ({
        name: match[1]!,
        file: relative(root, file),
      })),
    ),
  );
}

/** The written migrations no schema's list applies: `npm run migrate` would never run them. */
export function unregisteredMigrations(
  written: readonly WrittenMigration[],
  registered: ReadonlySet<string>,
): WrittenMigration[] {
  return written.filter(({ name }) => !registered.has(name));
}

/** How a pending migration is reported: each by name and file, and what to do. */
export function pendingReport(pending: readonly WrittenMigration[]): string {
  return pending
    .map(({ name, file }) => `${name} (${file}) is written but no service lists it in its migrations`)
    .join('\n');
}
