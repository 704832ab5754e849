import pg from 'pg';

/**
 * Columns that legitimately differ between a read model and its rebuild, by table: when a row was
 * processed, not what it says.
 * - `inbox.processed_at`: the moment the consumer recorded the event (the rebuild records it again).
 */
export const PROCESSING_COLUMNS: Record<string, readonly string[]> = {
  inbox: ['processed_at'],
};

/** Every row of a table, its columns sorted by name, rows in a total order, ignored columns left out. */
export async function tableRows(url: string, schema: string, table: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: columns } = await client.query<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns
        WHERE table_schema = $1 AND table_name = $2 AND is_generated = 'NEVER' ORDER BY column_name`,
      [schema, table],
    );
    const ignored = PROCESSING_COLUMNS[table] ?? [];
    const kept = columns.map(({ name }) => name).filter((name) => !ignored.includes(name));
    const list = kept.map((name) => `"${name}"::text AS "${name}"`).join(', ');
    const { rows } = await client.query(`SELECT ${list} FROM "${schema}"."${table}"`);
    return rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  } finally {
    await client.end();
  }
}

/** When a table was last analysed by hand (ANALYZE), not by autovacuum; null if never. */
export async function analysedAt(url: string, schema: string, table: string): Promise<Date | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ last_analyze: Date | null }>(
      'SELECT last_analyze FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2',
      [schema, table],
    );
    return rows[0]?.last_analyze ?? null;
  } finally {
    await client.end();
  }
}
