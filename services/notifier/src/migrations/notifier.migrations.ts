import type { MigrationInterface, QueryRunner } from 'typeorm';
import { inboxMigration } from '@evalvault/platform';

/** The schema the notifier owns: routes, the delivery log (which is also the delivery queue), open incidents. */
export const NOTIFIER_SCHEMA = 'notifier';

/**
 * routes: the active and removed routes of every project (projection of notifroute-*).
 * notifications: one row per notification stream; status and attempts come from its events,
 * not_before / lease_* are the delivery worker's scheduling (a crashed worker's lease expires).
 * incidents: which PagerDuty incidents (route, gate) are open, so a passing gate resolves them.
 * run_subjects: dataset, prompt and model versions of runs, so a RunFailed message can name them.
 */
export class CreateNotifierReadModel1764400000000 implements MigrationInterface {
  name = 'CreateNotifierReadModel1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = `"${NOTIFIER_SCHEMA}"`;
    await runner.query(`
      CREATE TABLE ${s}.routes (
        route_id         text           PRIMARY KEY,
        tenant_id        text           NOT NULL,
        project_id       text           NOT NULL,
        name             text           NOT NULL,
        triggers         text[]         NOT NULL,
        severity         text           NOT NULL,
        destination_type text           NOT NULL,
        destination      jsonb          NOT NULL,
        created_by       text           NOT NULL,
        created_at       timestamptz(3) NOT NULL,
        removed          boolean        NOT NULL DEFAULT false
      )`);
    await runner.query(`CREATE INDEX routes_project_idx ON ${s}.routes (tenant_id, project_id) WHERE NOT removed`);
    await runner.query(`
      CREATE TABLE ${s}.notifications (
        notification_id  text           PRIMARY KEY,
        tenant_id        text           NOT NULL,
        project_id       text           NOT NULL,
        route_id         text           NOT NULL,
        route_name       text           NOT NULL,
        destination_type text           NOT NULL,
        action           text           NOT NULL,
        dedup_key        text           NOT NULL,
        trigger_type     text           NOT NULL,
        trigger_event_id text           NOT NULL,
        run_id           text           NOT NULL,
        gate_id          text,
        status           text           NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts         integer        NOT NULL DEFAULT 0,
        last_error       text,
        remote_id        text,
        remote_url       text,
        created_at       timestamptz(3) NOT NULL,
        updated_at       timestamptz(3) NOT NULL,
        not_before       timestamptz(3) NOT NULL,
        lease_owner      text,
        lease_until      timestamptz(3)
      )`);
    await runner.query(
      `CREATE INDEX notifications_due_idx ON ${s}.notifications (not_before) WHERE status = 'pending'`,
    );
    await runner.query(
      `CREATE INDEX notifications_log_idx
         ON ${s}.notifications (tenant_id, project_id, created_at DESC, notification_id DESC)`,
    );
    await runner.query(`
      CREATE TABLE ${s}.incidents (
        route_id            text           NOT NULL,
        dedup_key           text           NOT NULL,
        tenant_id           text           NOT NULL,
        project_id          text           NOT NULL,
        gate_id             text           NOT NULL,
        open                boolean        NOT NULL,
        triggered_by_event_at timestamptz(3) NOT NULL,
        PRIMARY KEY (route_id, dedup_key)
      )`);
    await runner.query(`
      CREATE TABLE ${s}.run_subjects (
        run_id     text  PRIMARY KEY,
        tenant_id  text  NOT NULL,
        subject    jsonb NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['run_subjects', 'incidents', 'notifications', 'routes'])
      await runner.query(`DROP TABLE "${NOTIFIER_SCHEMA}".${table}`);
  }
}

/** In order: the inbox first, since every projected change is recorded there. */
export const NOTIFIER_MIGRATIONS: (new () => MigrationInterface)[] = [
  inboxMigration(NOTIFIER_SCHEMA),
  CreateNotifierReadModel1764400000000,
];
