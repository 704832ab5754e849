import type { DataSource } from 'typeorm';
import { NOTIFIER_SCHEMA } from '../migrations/notifier.migrations.js';

const s = `"${NOTIFIER_SCHEMA}"`;

export interface ClaimedNotification {
  notificationId: string;
  projectId: string;
  routeId: string;
}

/**
 * The delivery queue is the delivery log's pending rows. A worker claims due rows with a
 * lease (SKIP LOCKED: workers never wait on each other); a crashed worker's lease runs out
 * and another worker, or the restarted one, takes the notification over. A PagerDuty
 * resolve waits while the trigger it answers is still pending, so it never overtakes it.
 * Times are the database's, so workers on several machines agree on them.
 */
export class DeliveryQueue {
  constructor(private readonly dataSource: DataSource) {}

  async claim(owner: string, leaseMs: number, limit: number): Promise<ClaimedNotification[]> {
    const rows: { notification_id: string; project_id: string; route_id: string }[] = await this.dataSource.query(
      `UPDATE ${s}.notifications n
          SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
       WHERE n.notification_id IN (
         SELECT c.notification_id FROM ${s}.notifications c
         WHERE c.status = 'pending' AND c.not_before <= now() AND (c.lease_until IS NULL OR c.lease_until < now())
           AND NOT (c.action = 'resolve' AND EXISTS (
             SELECT 1 FROM ${s}.notifications t
             WHERE t.route_id = c.route_id AND t.dedup_key = c.dedup_key
               AND t.action = 'trigger' AND t.status = 'pending'))
         ORDER BY c.not_before LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING n.notification_id, n.project_id, n.route_id`,
      [owner, leaseMs, limit],
    );
    // TypeORM answers UPDATE … RETURNING as [rows, count].
    const updated = Array.isArray(rows[0]) ? (rows[0] as typeof rows) : rows;
    return updated.map((row) => ({
      notificationId: row.notification_id,
      projectId: row.project_id,
      routeId: row.route_id,
    }));
  }

  /**
   * Extends a lease the owner still holds, from now: an attempt that outlasts its lease (an export of a large
   * run is many requests) keeps it, so no other worker starts the same notification meanwhile. False when
   * the owner no longer holds it (it ran out and another worker took it) or the notification is settled.
   */
  async renew(notificationId: string, owner: string, leaseMs: number): Promise<boolean> {
    const result: unknown[] = await this.dataSource.query(
      `UPDATE ${s}.notifications SET lease_until = now() + make_interval(secs => $3::double precision / 1000)
        WHERE notification_id = $1 AND lease_owner = $2 AND status = 'pending'
        RETURNING notification_id`,
      [notificationId, owner, leaseMs],
    );
    // TypeORM answers UPDATE … RETURNING as [rows, count].
    const rows = Array.isArray(result[0]) ? (result[0] as unknown[]) : result;
    return rows.length > 0;
  }

  /** Hand the notification back, due again at `notBefore` (ms) or as its projected schedule says. */
  async release(notificationId: string, owner: string, notBefore: number | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${s}.notifications SET lease_owner = NULL, lease_until = NULL,
         not_before = CASE WHEN $3::timestamptz IS NULL THEN not_before ELSE GREATEST(not_before, $3::timestamptz) END
       WHERE notification_id = $1 AND lease_owner = $2`,
      [notificationId, owner, notBefore === null ? null : new Date(notBefore).toISOString()],
    );
  }

  /** The stream is the truth: a row the projection has not caught up with is set to what the stream says. */
  async settle(notificationId: string, status: 'delivered' | 'failed'): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${s}.notifications SET status = $2, lease_owner = NULL, lease_until = NULL
        WHERE notification_id = $1 AND status = 'pending'`,
      [notificationId, status],
    );
  }
}
