import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..', '..');

/** Debian's PostgreSQL binaries (the `postgresql` package), newest version installed. */
function binaries(): string {
  const versions = execFileSync('ls', ['/usr/lib/postgresql']).toString().trim().split('\n');
  const newest = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  if (!newest) throw new Error('no PostgreSQL under /usr/lib/postgresql: apt-get install postgresql');
  return `/usr/lib/postgresql/${newest}/bin`;
}

/**
 * A PostgreSQL server of one drill's own, on its own port and data directory, for a drill that
 * restarts it (the machine's shared server must never be restarted). As root, the server runs as
 * the `postgres` user, which PostgreSQL requires.
 */
export class OwnPostgres {
  private readonly bin = binaries();
  private readonly dir = mkdtempSync(join(tmpdir(), 'evalvault-drill-pg-'));
  private readonly data = join(this.dir, 'data');

  constructor(readonly port: number) {}

  get databaseUrl(): string {
    return `postgres://evalvault@127.0.0.1:${this.port}/evalvault_test`;
  }

  private pg(tool: string, args: string[]): void {
    const command = [join(this.bin, tool), ...args];
    const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...command] : command;
    execFileSync(asPostgres[0]!, asPostgres.slice(1), { stdio: 'ignore', timeout: 120_000 });
  }

  /**
   * initdb (trust on 127.0.0.1 only), start, then the roles, database and migrations of the services
   * (all six, or only those named: each one's built `migrate`, quicker for a test that runs one).
   */
  start(services?: readonly string[]): void {
    chmodSync(this.dir, 0o777);
    this.pg('initdb', ['-D', this.data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
    this.pg('pg_ctl', ['-D', this.data, '-l', join(this.dir, 'log'), '-w', '-o', this.options(), 'start']);
    execFileSync('bash', [join(root, 'infra/postgres/setup.sh')], {
      env: { ...process.env, PGPORT: String(this.port), EVALVAULT_DATABASES: 'evalvault_test' },
      stdio: 'ignore',
    });
    const migrations = services?.map((service) => join(root, 'services', service, 'dist', 'migrate.js')) ?? [
      join(root, 'scripts/migrate-all.mjs'),
    ];
    for (const migration of migrations)
      execFileSync(process.execPath, [migration], {
        env: { ...process.env, DATABASE_URL: this.databaseUrl },
        stdio: 'ignore',
      });
  }

  private options(): string {
    return `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.dir}`;
  }

  /** Stops the server (fast: open connections are cut, as in a failover or a crash). */
  halt(): void {
    this.pg('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']);
  }

  resume(): void {
    this.pg('pg_ctl', ['-D', this.data, '-l', join(this.dir, 'log'), '-w', '-o', this.options(), 'start']);
  }

  stop(): void {
    try {
      this.pg('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // not running
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
