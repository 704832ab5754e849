import type { GateRuleResult, RunSubject } from '@evalvault/contracts';
import { pagerDutyDedupKey } from '../notification/notification.ids.js';
import type { ActiveRoute } from '../projection/notifier.queries.js';

/** What a trigger event says, whichever type it is. */
export interface TriggerFacts {
  type: 'GateFailed' | 'GatePassed' | 'RunFailed';
  eventId: string;
  occurredAt: number;
  projectId: string;
  runId: string;
  gateId: string | null;
  subject: RunSubject | null;
  rules: GateRuleResult[];
  failure: { reason: string; message: string } | null;
}

export interface PlannedNotification {
  route: ActiveRoute;
  action: 'trigger' | 'resolve';
  /** Set for a resolve: the dedup key of the incident it closes. */
  dedupKey: string | null;
}

/**
 * Which routes hear about an event, and how: a route listing the event's type gets a
 * message, ticket or incident; a passing gate resolves the PagerDuty incident its earlier
 * failure opened on a route listening to GateFailed (PagerDuty routes never page on a pass).
 */
export async function planNotifications(
  facts: TriggerFacts,
  routes: readonly ActiveRoute[],
  incidentOpen: (route: ActiveRoute, dedupKey: string) => Promise<boolean>,
): Promise<PlannedNotification[]> {
  const plans: PlannedNotification[] = [];
  for (const route of routes) {
    if (facts.type === 'GatePassed' && route.destination.type === 'pagerduty') {
      if (!route.on.includes('GateFailed') || !facts.gateId) continue;
      const dedupKey = pagerDutyDedupKey(route.routeId, facts.gateId, facts.runId);
      if (await incidentOpen(route, dedupKey)) plans.push({ route, action: 'resolve', dedupKey });
      continue;
    }
    if (route.on.includes(facts.type)) plans.push({ route, action: 'trigger', dedupKey: null });
  }
  return plans;
}
