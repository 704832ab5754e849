import type pg from 'pg';
import type { EntityManager } from 'typeorm';

/**
 * A query function returning rows: the same audit code runs inside the inbox's TypeORM
 * transaction (consumer) and on a pg pool or client (queries, replay, retention).
 */
export type Sql = <R extends object = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<R[]>;

export const sqlOfManager =
  (manager: EntityManager): Sql =>
  (text, params) =>
    manager.query(text, params);

export const sqlOfPg =
  (client: pg.Pool | pg.PoolClient): Sql =>
  async <R extends object>(text: string, params?: unknown[]) =>
    (await client.query(text, params)).rows as R[];
