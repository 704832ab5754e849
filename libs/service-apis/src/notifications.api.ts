import type { CreateExportRequest, ExportDestinationType, ExportView } from './exports.api.js';

/**
 * The notifier's internal API: notification routes of a project and its delivery log, typed
 * once for the gateway's client and the notifier's handlers. Every operation runs for the
 * tenant and project of the signed internal identity that carries it.
 */
/** DriftDetected / DriftResolved: a scheduled evaluation's drift episode opens / ends (docs/schedules.md). */
export const NOTIFICATION_TRIGGERS = [
  'GateFailed',
  'RunFailed',
  'GatePassed',
  'DriftDetected',
  'DriftResolved',
] as const;
export type NotificationTrigger = (typeof NOTIFICATION_TRIGGERS)[number];

export const NOTIFICATION_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type NotificationSeverity = (typeof NOTIFICATION_SEVERITIES)[number];

export const DESTINATION_TYPES = ['jira', 'pagerduty', 'teams', 'slack'] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];

/**
 * A `…Ref` names a secret (`env:NAME` or `file:/path`), never holds it. A Jira route's `resolveTransition` names
 * the workflow transition that closes its issues when the gate passes again (default: the first offered whose
 * target status is in the done category).
 */
export type Destination =
  | {
      type: 'jira';
      baseUrl: string;
      projectKey: string;
      issueType: string;
      emailRef?: string | null;
      tokenRef: string;
      resolveTransition?: string | null;
    }
  | { type: 'pagerduty'; routingKeyRef: string; eventsUrl?: string | null }
  | { type: 'teams'; webhookUrlRef: string }
  | { type: 'slack'; webhookUrlRef: string };

export interface CreateRouteRequest {
  name: string;
  on: NotificationTrigger[];
  destination: Destination;
  severity?: NotificationSeverity | null;
}

export interface RouteView {
  routeId: string;
  projectId: string;
  name: string;
  on: NotificationTrigger[];
  severity: NotificationSeverity;
  destination: Destination;
  createdBy: string;
  /** ISO 8601 UTC. */
  createdAt: string;
}

export const NOTIFICATION_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** One entry of the delivery log. */
export interface NotificationView {
  notificationId: string;
  routeId: string;
  routeName: string;
  /** A notification's destination, or an export's (langfuse, mlflow, otlp). */
  destinationType: DestinationType | ExportDestinationType;
  /**
   * trigger: a ticket, incident or message; resolve: after the gate passed again (the drift ended), a PagerDuty
   * resolve or the Jira issues of the episode moved to done.
   */
  action: 'trigger' | 'resolve';
  /** RunCompleted for an export. */
  triggerType: NotificationTrigger | 'RunCompleted';
  triggerEventId: string;
  runId: string;
  gateId: string | null;
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
  /** The Jira issue key (a resolve: the keys it closed, comma-separated), PagerDuty dedup key, or null for chat. */
  remoteId: string | null;
  remoteUrl: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ListNotificationsQuery {
  routeId?: string;
  status?: string;
  runId?: string;
  limit?: number;
  cursor?: string;
}

export interface NotificationsPage {
  items: NotificationView[];
  nextCursor: string | null;
}

export interface NotificationsOperations {
  createRoute: { input: CreateRouteRequest; output: RouteView };
  listRoutes: { input: Record<string, never>; output: { items: RouteView[] } };
  getRoute: { input: { routeId: string }; output: RouteView };
  deleteRoute: { input: { routeId: string }; output: RouteView };
  listNotifications: { input: ListNotificationsQuery; output: NotificationsPage };
  createExport: { input: CreateExportRequest; output: ExportView };
  listExports: { input: Record<string, never>; output: { items: ExportView[] } };
  deleteExport: { input: { exportId: string }; output: ExportView };
}
