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

  /**
   * Runs the effects of the events this consumer has not processed yet, in their order, in one
   * transaction with one inbox insert for all of them: all are recorded or none (a failed effect
   * leaves every id behind for the retry). An event repeated within the batch counts once.
   * Answers how many effects ran.
   */
  handleAllOnce(items: readonly { event: EvalVaultEvent; effect: ProjectionEffect }[]): Promise<number> {
    const firsts = firstOfEachEvent(items);
    if (firsts.length === 0) return Promise.resolve(0);
    return this.dataSource.transaction(async (manager) => {
      const inserted: { event_id: string }[] = await manager.query(
        `INSERT INTO "${this.schema}".inbox (consumer, event_id, event_type)
         SELECT $1, id, type FROM unnest($2::uuid[], $3::text[]) AS batch(id, type)
         ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id::text`,
        [this.consumer, firsts.map(({ event }) => event.eventId), firsts.map(({ event }) => event.type)],
      );
      const fresh = new Set(inserted.map((row) => row.event_id.toLowerCase()));
      let applied = 0;
      for (const { event, effect } of firsts) {
        if (!fresh.has(event.eventId.toLowerCase())) continue;
        await effect(manager);
        applied += 1;
      }
      return applied;
    });
  }
}

function firstOfEachEvent<T extends { event: EvalVaultEvent }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter(({ event }) => {
    const id = event.eventId.toLowerCase();
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
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

  /**
   * Applies events in order (e.g. the ones a command just appended) in one transaction: all or
   * none. Answers how many changed the model.
   */
  applyAll(events: readonly EvalVaultEvent[]): Promise<number> {
    const items = events.flatMap((event) => {
      const effect = this.effectOf(event);
      return effect ? [{ event, effect }] : [];
    });
    return this.inbox.handleAllOnce(items);
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
