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

/** The change one event makes to a read model, inside the inbox's transaction. */
export type ProjectionEffect = (manager: EntityManager) => Promise<void>;

/**
 * A read model fed with events, each applied effectively once through its inbox. A projection
 * only says what each event type changes (`effectOf`); types it returns null for are ignored
 * and not recorded, so a later version that learns them can replay them.
 */
export abstract class InboxProjection {
  private readonly inbox: Inbox;

  constructor(dataSource: DataSource, schema: string, consumer: string) {
    this.inbox = new Inbox(dataSource, schema, consumer);
  }

  protected abstract effectOf(event: EvalVaultEvent): ProjectionEffect | null;

  /** True when the event changed the read model; false for a duplicate or a type this model ignores. */
  apply(event: EvalVaultEvent): Promise<boolean> {
    const effect = this.effectOf(event);
    if (!effect) return Promise.resolve(false);
    return this.inbox.handleOnce(event, effect);
  }

  /** Applies events in order (e.g. the ones a command just appended); answers how many changed the model. */
  async applyAll(events: readonly EvalVaultEvent[]): Promise<number> {
    let changed = 0;
    for (const event of events) if (await this.apply(event)) changed += 1;
    return changed;
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
