import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
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

/**
 * The servers up, and a scratch database made as infra/postgres/setup.sh makes every database, with the
 * runs schema.
 */
export function ensureServers(root: string, database: string): void {
  const scripts = [
    { script: 'infra/postgres/setup.sh', args: [], env: { EVALVAULT_DATABASES: database } },
    { script: 'infra/kafka/kafka.sh', args: ['start'], env: {} },
  ];
  for (const { script, args, env } of scripts) {
    try {
      execFileSync('bash', [script, ...args], {
        cwd: root,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 240_000,
      });
    } catch (error) {
      const { stderr } = error as { stderr?: Buffer };
      throw new BenchError(`\`bash ${script} ${args.join(' ')}\` failed:\n${stderr?.toString().slice(-1000) ?? ''}`);
    }
  }
  // The processes refuse to start on pending migrations.
  execFileSync(process.execPath, [join(root, 'services/runs/dist/migrate.js')], {
    env: { ...process.env, DATABASE_URL: databaseUrlFor(database) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
