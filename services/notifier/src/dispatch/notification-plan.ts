import type { GateRuleResult, RunSubject } from '@evalvault/contracts';
import { pagerDutyDedupKey } from '../notification/notification.ids.js';
import type { ActiveRoute } from '../projection/notifier.queries.js';

/** What a trigger event says, whichever type it is. */
export interface TriggerFacts {
  type: 'GateFailed' | 'GatePassed' | 'RunFailed' | 'DriftDetected' | 'DriftResolved';
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

/** The event that ends what another opened: a gate passing again, a drift episode ending. */
const RESOLVES: Partial<Record<TriggerFacts['type'], TriggerFacts['type']>> = {
  GatePassed: 'GateFailed',
  DriftResolved: 'DriftDetected',
};

/**
 * Which routes hear about an event, and how: a route listing the event's type gets a
 * message, ticket or incident; a passing gate (an ended drift) resolves the PagerDuty incident
 * its earlier failure (drift) opened on a route listening to GateFailed (DriftDetected); PagerDuty
 * routes never page on a pass. A drift's `gateId` is its episode's identity (schedule and metric).
 */
export async function planNotifications(
  facts: TriggerFacts,
  routes: readonly ActiveRoute[],
  incidentOpen: (route: ActiveRoute, dedupKey: string) => Promise<boolean>,
): Promise<PlannedNotification[]> {
  const plans: PlannedNotification[] = [];
  for (const route of routes) {
    const resolves = RESOLVES[facts.type];
    if (resolves && route.destination.type === 'pagerduty') {
      if (!route.on.includes(resolves) || !facts.gateId) continue;
      const dedupKey = pagerDutyDedupKey(route.routeId, facts.gateId, facts.runId);
      if (await incidentOpen(route, dedupKey)) plans.push({ route, action: 'resolve', dedupKey });
      continue;
    }
    if (route.on.includes(facts.type)) plans.push({ route, action: 'trigger', dedupKey: null });
  }
  return plans;
}
