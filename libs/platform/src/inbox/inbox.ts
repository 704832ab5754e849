import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import type { EvalVaultEvent } from '@evalvault/contracts';

/**
 * Effectively-once consumption over at-least-once delivery: the event id is recorded
 * in the consumer's own schema in the same transaction as its read-model change, so a
 * redelivered event finds its id and has no second effect, and a failed effect leaves
 * no id behind (the retry applies it).
 */
export class Inbox {
  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
    private readonly consumer: string,
  ) {}

  /** Runs `effect` unless this consumer already processed the event; false for a duplicate. */
  handleOnce(event: EvalVaultEvent, effect: (manager: EntityManager) => Promise<void>): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO "${this.schema}".inbox (consumer, event_id, event_type) VALUES ($1, $2, $3)
         ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`,
        [this.consumer, event.eventId, event.type],
      );
      if (inserted.length === 0) return false;
      await effect(manager);
      return true;
    });
  }
}

/** The inbox table in a service's schema, as a migration the service lists with its own. */
export function inboxMigration(schema: string): new () => MigrationInterface {
  return class CreateInbox1764115300000 implements MigrationInterface {
    name = 'CreateInbox1764115300000';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        CREATE TABLE "${schema}".inbox (
          consumer     text        NOT NULL,
          event_id     uuid        NOT NULL,
          event_type   text        NOT NULL,
          processed_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (consumer, event_id)
        )`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP TABLE "${schema}".inbox`);
    }
  };
}
