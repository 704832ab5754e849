import { execFileSync } from 'node:child_process';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { BenchError, progress } from './bench-progress.js';

/** The superuser infra/postgres/setup.sh creates databases as (PGADMIN_USER). */
const ADMIN_USER = process.env['PGADMIN_USER'] || 'postgres';

export function dropDatabase(database: string): void {
  try {
    psqlAdmin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } catch (error) {
    progress(`could not drop the scratch database ${database}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** The scratch database's URL: the test database's server and user. */
export function databaseUrlFor(database: string): string {
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

function psqlAdmin(sql: string): void {
  const url = new URL(testDatabaseUrl());
  execFileSync('psql', ['-h', url.hostname, '-p', url.port || '5432', '-U', ADMIN_USER, '-d', 'postgres', '-qc', sql], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A set-up command of a bench: a script or a migration, run from the repository's root. */
export interface SetupStep {
  file: string;
  args: string[];
  env: Record<string, string>;
}

/** Runs each step in turn; the first to fail stops the bench with the end of what it printed. */
export function runSetupSteps(root: string, steps: readonly SetupStep[]): void {
  for (const { file, args, env } of steps) {
    try {
      execFileSync(file, args, {
        cwd: root,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 240_000,
      });
    } catch (error) {
      const { stderr } = error as { stderr?: Buffer };
      throw new BenchError(`\`${file} ${args.join(' ')}\` failed:\n${stderr?.toString().slice(-1000) ?? ''}`, {
        cause: error,
      });
    }
  }
}

/**
 * The servers up, and a scratch database made as infra/postgres/setup.sh makes every database, with the
 * runs schema.
 */
export function ensureServers(root: string, database: string): void {
  runSetupSteps(root, [
    { file: 'bash', args: ['infra/postgres/setup.sh'], env: { EVALVAULT_DATABASES: database } },
    { file: 'bash', args: ['infra/kafka/kafka.sh', 'start'], env: {} },
    // The processes refuse to start on pending migrations.
    {
      file: process.execPath,
      args: ['services/runs/dist/migrate.js'],
      env: { DATABASE_URL: databaseUrlFor(database) },
    },
  ]);
}

/** Whether the local broker (infra/kafka/kafka.sh) answers now: one that does belongs to someone else. */
export function kafkaAnswers(root: string): boolean {
  try {
    execFileSync('bash', ['infra/kafka/kafka.sh', 'status'], { cwd: root, stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Stops the broker the bench started (a bench stops what it started), saying so when it cannot. */
export function stopKafka(root: string): void {
  try {
    runSetupSteps(root, [{ file: 'bash', args: ['infra/kafka/kafka.sh', 'stop'], env: {} }]);
  } catch (error) {
    progress(`could not stop the Kafka broker this bench started: ${(error as Error).message.split('\n')[0]}`);
  }
}
