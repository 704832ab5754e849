import { createHash } from 'node:crypto';

/** A UUID-shaped id derived from its parts: the same parts always name the same stream. */
export function derivedUuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** One notification per (trigger event, route): a redelivered or replayed event finds its stream. */
export const notificationIdFor = (triggerEventId: string, routeId: string): string =>
  derivedUuid('notification', triggerEventId, routeId);

/** One route per (tenant, project, name): creating it again is a retry, not a second route. */
export const routeIdFor = (tenantId: string, projectId: string, name: string): string =>
  derivedUuid('notification-route', tenantId, projectId, name.toLowerCase());

/** One export per (tenant, project, name), in an id space of its own: an export never shadows a route. */
export const exportIdFor = (tenantId: string, projectId: string, name: string): string =>
  derivedUuid('tracker-export', tenantId, projectId, name.toLowerCase());

export const notificationStreamId = (notificationId: string): string => `notification-${notificationId}`;
export const routeStreamId = (routeId: string): string => `notifroute-${routeId}`;

/** Streams the notifier owns, and so relays. */
export const NOTIFIER_STREAM_PREFIXES = ['notification-', 'notifroute-'] as const;

/**
 * The PagerDuty dedup_key: one per route and gate, so repeated failures of a gate group into
 * one open incident and a later pass resolves it (PagerDuty allows 255 characters).
 * A failed run has no gate: its incident is its own.
 */
export function pagerDutyDedupKey(routeId: string, gateId: string | null, runId: string): string {
  return gateId ? `evalvault-${routeId}-gate-${gateId}` : `evalvault-${routeId}-run-${runId}`;
}

/** The Jira label carrying the notification id: how a restarted delivery finds the issue it already created. */
export const jiraNotificationLabel = (notificationId: string): string => `evalvault-notification-${notificationId}`;

/**
 * The Jira label naming a route's episode of a gate (or a drift: schedule and metric), on every issue the
 * episode opened: a passing gate (an ended drift) searches for it to close those issues. Hashed, since a
 * label takes no spaces and a gate id is any string.
 */
export const jiraEpisodeLabel = (routeId: string, gateId: string): string =>
  `evalvault-episode-${derivedUuid('jira-episode', routeId, gateId)}`;

/** The key of the incident a notification opens or resolves, for the destinations that resolve; else null. */
export function incidentKeyOf(
  destinationType: string,
  routeId: string,
  gateId: string | null,
  runId: string,
): string | null {
  if (!gateId) return null;
  if (destinationType === 'pagerduty') return pagerDutyDedupKey(routeId, gateId, runId);
  if (destinationType === 'jira') return jiraEpisodeLabel(routeId, gateId);
  return null;
}
