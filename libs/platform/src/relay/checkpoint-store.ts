import type { Pool } from 'pg';
import type { GlobalPosition } from '../event-store/event-store.port.js';

/** Where a follower of the global log (a relay, a projection) remembers how far it got. */
export interface CheckpointStore {
  load(name: string): Promise<GlobalPosition | null>;
  save(name: string, position: GlobalPosition): Promise<void>;
}

export class PostgresCheckpointStore implements CheckpointStore {
  constructor(private readonly pool: Pool) {}

  async load(name: string): Promise<GlobalPosition | null> {
    const result = await this.pool.query<{ commit: string; sequence: string }>(
      'SELECT commit::text, sequence::text FROM eventstore.checkpoints WHERE name = $1',
      [name],
    );
    const row = result.rows[0];
    return row ? { commit: BigInt(row.commit), sequence: BigInt(row.sequence) } : null;
  }

  async save(name: string, position: GlobalPosition): Promise<void> {
    await this.pool.query(
      `INSERT INTO eventstore.checkpoints (name, commit, sequence) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET commit = EXCLUDED.commit, sequence = EXCLUDED.sequence, updated_at = now()`,
      [name, String(position.commit), String(position.sequence)],
    );
  }
}
