import type { DataSource, EntityManager } from 'typeorm';
import type { EvalVaultEvent, EventOfType } from '@evalvault/contracts';
import { InboxProjection, type ProjectionEffect } from '@evalvault/platform';
import { NOTIFIER_SCHEMA } from '../migrations/notifier.migrations.js';
import { incidentKeyOf } from '../notification/notification.ids.js';

/** The inbox consumer name of the notifier's read model. */
export const NOTIFIER_READ_MODEL_CONSUMER = 'notifier-read-model';

const s = `"${NOTIFIER_SCHEMA}"`;
const at = (ms: number): string => new Date(ms).toISOString();

/**
 * The notifier's read model, applied effectively once per event (inbox). The writer applies
 * its own events right after appending them (read-your-writes for the API and the worker),
 * and the read-model consumer applies everything from the bus (covering a crash in between
 * and events written by other notifier processes); the inbox makes the second one a no-op.
 */
export class NotifierProjection extends InboxProjection {
  constructor(dataSource: DataSource) {
    super(dataSource, NOTIFIER_SCHEMA, NOTIFIER_READ_MODEL_CONSUMER);
  }

  protected effectOf(event: EvalVaultEvent): ProjectionEffect | null {
    return effectOf(event);
  }
}

function effectOf(event: EvalVaultEvent): ProjectionEffect | null {
  switch (event.type) {
    case 'NotificationRouteCreated':
      return (m) => onRouteCreated(m, event);
    case 'NotificationRouteRemoved':
      return (m) =>
        m
          .query(`UPDATE ${s}.routes SET removed = true WHERE route_id = $1`, [event.payload.routeId])
          .then(() => undefined);
    case 'NotificationIntended':
      return (m) => onIntended(m, event);
    case 'NotificationAttemptFailed':
      return (m) => onAttemptFailed(m, event);
    case 'TicketCreated':
      return (m) =>
        m
          .query(`UPDATE ${s}.notifications SET remote_id = $2, remote_url = $3 WHERE notification_id = $1`, [
            event.payload.notificationId,
            event.payload.ticketKey,
            event.payload.ticketUrl,
          ])
          .then(() => undefined);
    case 'NotificationDelivered':
      return (m) =>
        onOutcome(
          m,
          event.payload.notificationId,
          'delivered',
          event.payload.attempts,
          null,
          event.payload.remoteId,
          event.occurredAt,
        );
    case 'NotificationFailed':
      return (m) =>
        onOutcome(
          m,
          event.payload.notificationId,
          'failed',
          event.payload.attempts,
          event.payload.error,
          null,
          event.occurredAt,
        );
    case 'RunRequested':
      return (m) => onRunRequested(m, event);
    default:
      return null;
  }
}

async function onRouteCreated(m: EntityManager, event: EventOfType<'NotificationRouteCreated'>): Promise<void> {
  const p = event.payload;
  await m.query(
    `INSERT INTO ${s}.routes (route_id, tenant_id, project_id, name, triggers, severity, destination_type, destination,
       created_by, created_at, removed)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, false)
     ON CONFLICT (route_id) DO UPDATE SET triggers = $5, severity = $6, destination_type = $7, destination = $8,
       created_by = $9, created_at = $10, removed = false`,
    [
      p.routeId,
      event.tenantId,
      event.projectId,
      p.name,
      p.on,
      p.severity,
      p.destinationType,
      p.destinationJson,
      event.actor.subject,
      at(event.occurredAt),
    ],
  );
}

async function onIntended(m: EntityManager, event: EventOfType<'NotificationIntended'>): Promise<void> {
  const p = event.payload;
  await m.query(
    `INSERT INTO ${s}.notifications (notification_id, tenant_id, project_id, route_id, route_name, destination_type,
       action, dedup_key, trigger_type, trigger_event_id, run_id, gate_id, status, created_at, updated_at, not_before)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending', $13, $13, $13)
     ON CONFLICT (notification_id) DO NOTHING`,
    [
      p.notificationId,
      event.tenantId,
      event.projectId,
      p.routeId,
      p.routeName,
      p.destinationType,
      p.action,
      p.dedupKey,
      p.triggerType,
      p.triggerEventId,
      p.runId,
      p.gateId,
      at(event.occurredAt),
    ],
  );
  // A PagerDuty incident or the Jira issues of an episode: open until the gate passes again (the drift ends).
  const key = incidentKeyOf(p.destinationType, p.routeId, p.gateId, p.runId);
  if (!key || !p.gateId) return;
  if (p.action === 'trigger') {
    await m.query(
      `INSERT INTO ${s}.incidents (route_id, dedup_key, tenant_id, project_id, gate_id, open, triggered_by_event_at)
       VALUES ($1, $2, $3, $4, $5, true, $6)
       ON CONFLICT (route_id, dedup_key) DO UPDATE SET open = true, triggered_by_event_at = $6
         WHERE ${s}.incidents.triggered_by_event_at <= $6`,
      [p.routeId, key, event.tenantId, event.projectId, p.gateId, at(p.triggerOccurredAt)],
    );
  } else {
    await m.query(
      `UPDATE ${s}.incidents SET open = false WHERE route_id = $1 AND dedup_key = $2 AND triggered_by_event_at <= $3`,
      [p.routeId, key, at(p.triggerOccurredAt)],
    );
  }
}

async function onAttemptFailed(m: EntityManager, event: EventOfType<'NotificationAttemptFailed'>): Promise<void> {
  const p = event.payload;
  await m.query(
    `UPDATE ${s}.notifications SET attempts = GREATEST(attempts, $2), last_error = $3,
       not_before = GREATEST(not_before, $4::timestamptz), updated_at = $5
     WHERE notification_id = $1 AND status = 'pending'`,
    [p.notificationId, p.attempt, p.error, at(p.nextAttemptAt), at(event.occurredAt)],
  );
}

async function onOutcome(
  m: EntityManager,
  id: string,
  status: 'delivered' | 'failed',
  attempts: number,
  error: string | null,
  remoteId: string | null,
  occurredAt: number,
): Promise<void> {
  await m.query(
    `UPDATE ${s}.notifications SET status = $2, attempts = $3, last_error = COALESCE($4, last_error),
       remote_id = COALESCE(remote_id, $5), updated_at = $6, lease_owner = NULL, lease_until = NULL
     WHERE notification_id = $1`,
    [id, status, attempts, error, remoteId, at(occurredAt)],
  );
}

async function onRunRequested(m: EntityManager, event: EventOfType<'RunRequested'>): Promise<void> {
  const { runId, dataset, prompt, modelProfile, configHash } = event.payload;
  await m.query(
    `INSERT INTO ${s}.run_subjects (run_id, tenant_id, subject) VALUES ($1, $2, $3) ON CONFLICT (run_id) DO NOTHING`,
    [runId, event.tenantId, JSON.stringify({ runId, dataset, prompt, modelProfile, configHash })],
  );
}
