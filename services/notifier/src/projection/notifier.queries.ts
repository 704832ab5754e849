import type { DataSource } from 'typeorm';
import type { RunSubject } from '@evalvault/contracts';
import type {
  ExportDestinationType,
  ListNotificationsQuery,
  NotificationSeverity,
  NotificationStatus,
  NotificationTrigger,
  NotificationView,
  NotificationsPage,
  RouteView,
  DestinationType,
} from '@evalvault/service-apis';
import { NOTIFICATION_STATUSES } from '@evalvault/service-apis';
import { InvalidCursorError, keysetCursor } from '@evalvault/platform';
import { NotifierError, NotifierErrorCode } from '../notifier.errors.js';
import { NOTIFIER_SCHEMA } from '../migrations/notifier.migrations.js';
import { isExportDestination, type AnyDestination } from '../routes/destination-kinds.js';

const s = `"${NOTIFIER_SCHEMA}"`;

interface RouteRow {
  route_id: string;
  project_id: string;
  name: string;
  triggers: string[];
  severity: string;
  destination: AnyDestination;
  created_by: string;
  created_at: Date;
}

interface NotificationRow {
  notification_id: string;
  route_id: string;
  route_name: string;
  destination_type: string;
  action: string;
  trigger_type: string;
  trigger_event_id: string;
  run_id: string;
  gate_id: string | null;
  status: string;
  attempts: number;
  last_error: string | null;
  remote_id: string | null;
  remote_url: string | null;
  created_at: Date;
  updated_at: Date;
}

/** A notification route or an export (see exports/), as the read model keeps both. */
export interface ActiveRoute extends Omit<RouteView, 'on' | 'destination'> {
  on: string[];
  destination: AnyDestination;
  createdAtMs: number;
}

function routeView(row: RouteRow): ActiveRoute {
  return {
    routeId: row.route_id,
    projectId: row.project_id,
    name: row.name,
    on: row.triggers,
    severity: row.severity as NotificationSeverity,
    destination: row.destination,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    createdAtMs: row.created_at.getTime(),
  };
}

/** The route as the API shows it (without the projection's bookkeeping); only notification routes get here. */
export function publicRoute(route: ActiveRoute): RouteView {
  const { createdAtMs: _createdAtMs, ...view } = route;
  return view as RouteView;
}

/** The notification routes of a list (not the exports, which /exports lists). */
export const notificationRoutes = (routes: readonly ActiveRoute[]): ActiveRoute[] =>
  routes.filter((route) => !isExportDestination(route.destination));

export const exportRoutes = (routes: readonly ActiveRoute[]): ActiveRoute[] =>
  routes.filter((route) => isExportDestination(route.destination));

function notificationView(row: NotificationRow): NotificationView {
  return {
    notificationId: row.notification_id,
    routeId: row.route_id,
    routeName: row.route_name,
    destinationType: row.destination_type as DestinationType | ExportDestinationType,
    action: row.action as 'trigger' | 'resolve',
    triggerType: row.trigger_type as NotificationTrigger | 'RunCompleted',
    triggerEventId: row.trigger_event_id,
    runId: row.run_id,
    gateId: row.gate_id,
    status: row.status as NotificationStatus,
    attempts: row.attempts,
    lastError: row.last_error,
    remoteId: row.remote_id,
    remoteUrl: row.remote_url,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The platform's keyset cursor: an ISO time with milliseconds (what PostgreSQL reads) and the id. */
const NOTIFICATIONS_CURSOR = keysetCursor('notifications', { at: 'instant', id: 'string' });

const encodeCursor = (row: NotificationRow): string =>
  NOTIFICATIONS_CURSOR.encode({ at: row.created_at.toISOString(), id: row.notification_id });

function decodeCursor(cursor: string): [string, string] {
  try {
    const { at, id } = NOTIFICATIONS_CURSOR.decode(cursor);
    return [at, id];
  } catch (error) {
    if (error instanceof InvalidCursorError)
      throw new NotifierError(NotifierErrorCode.InvalidInput, 'cursor is not one this API returned');
    throw error;
  }
}

/** Queries of the notifier's read model; every one filters on tenant and project. */
export class NotifierQueries {
  constructor(private readonly dataSource: DataSource) {}

  async activeRoutes(tenantId: string, projectId: string): Promise<ActiveRoute[]> {
    const rows: RouteRow[] = await this.dataSource.query(
      `SELECT * FROM ${s}.routes WHERE tenant_id = $1 AND project_id = $2 AND NOT removed
        ORDER BY lower(name), route_id`,
      [tenantId, projectId],
    );
    return rows.map(routeView);
  }

  async getRoute(tenantId: string, projectId: string, routeId: string): Promise<ActiveRoute | null> {
    const rows: RouteRow[] = await this.dataSource.query(
      `SELECT * FROM ${s}.routes WHERE tenant_id = $1 AND project_id = $2 AND route_id = $3 AND NOT removed`,
      [tenantId, projectId, routeId],
    );
    return rows[0] ? routeView(rows[0]) : null;
  }

  /** Is the PagerDuty incident of this route and gate open, opened by a failure before `before`? */
  async openIncident(routeId: string, dedupKey: string, before: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM ${s}.incidents WHERE route_id = $1 AND dedup_key = $2 AND open AND triggered_by_event_at <= $3`,
      [routeId, dedupKey, new Date(before).toISOString()],
    );
    return rows.length > 0;
  }

  async runSubject(tenantId: string, runId: string): Promise<RunSubject | null> {
    const rows: { subject: RunSubject }[] = await this.dataSource.query(
      `SELECT subject FROM ${s}.run_subjects WHERE tenant_id = $1 AND run_id = $2`,
      [tenantId, runId],
    );
    return rows[0]?.subject ?? null;
  }

  async listNotifications(
    tenantId: string,
    projectId: string,
    query: ListNotificationsQuery,
  ): Promise<NotificationsPage> {
    if (query.status && !(NOTIFICATION_STATUSES as readonly string[]).includes(query.status)) {
      throw new NotifierError(
        NotifierErrorCode.InvalidInput,
        `status must be one of ${NOTIFICATION_STATUSES.join(', ')}`,
      );
    }
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
    const params: unknown[] = [tenantId, projectId];
    const where = ['tenant_id = $1', 'project_id = $2'];
    const add = (clause: (n: number) => string, value: unknown): void => {
      params.push(value);
      where.push(clause(params.length));
    };
    if (query.routeId) add((n) => `route_id = $${n}`, query.routeId);
    if (query.status) add((n) => `status = $${n}`, query.status);
    if (query.runId) add((n) => `run_id = $${n}`, query.runId);
    if (query.cursor) {
      const [createdAt, id] = decodeCursor(query.cursor);
      params.push(createdAt, id);
      where.push(`(created_at, notification_id) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    params.push(limit + 1);
    const rows: NotificationRow[] = await this.dataSource.query(
      `SELECT * FROM ${s}.notifications WHERE ${where.join(' AND ')}
        ORDER BY created_at DESC, notification_id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    return { items: page.map(notificationView), nextCursor: rows.length > limit ? encodeCursor(page.at(-1)!) : null };
  }
}
