import pg from 'pg';
import type { Logger } from 'pino';

/** How often a lost connection is logged at warn: a restart cuts every pooled connection at once. */
const WARN_EVERY_MS = 10_000;

/**
 * The service's PostgreSQL pool, made to ride out a database restart. pg reports a connection the
 * server cut (57P01 on a restart, a reset socket on a crash) as an 'error' event: on the pool for an
 * idle connection, on the client for one checked out between two queries (a transaction under way,
 * a LISTEN). Either, unheard, ends the process. Both are heard here: a dead connection is dropped
 * and another opened at the next query; the query that was running fails, and its caller retries
 * (relays, consumers and pollers with backoff), while /readyz says not ready.
 */
export function openDatabasePool(databaseUrl: string, logger: Logger): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  let warnedAt = 0;
  const lost = (error: Error): void => {
    const fields = { err: { message: error.message, code: (error as { code?: string }).code } };
    if (Date.now() - warnedAt < WARN_EVERY_MS) return logger.debug(fields, 'PostgreSQL connection lost');
    warnedAt = Date.now();
    logger.warn(fields, 'PostgreSQL connection lost; the pool opens another at the next query');
  };
  pool.on('error', lost);
  // The pool listens to a client only while it is idle; a checked-out one needs its own listener.
  pool.on('connect', (client) => client.on('error', lost));
  return pool;
}

/** Whether the database answers a query now (consumers ask before counting a failed attempt). */
export function databaseAnswers(pool: pg.Pool): Promise<boolean> {
  return pool.query('SELECT 1').then(
    () => true,
    () => false,
  );
}
