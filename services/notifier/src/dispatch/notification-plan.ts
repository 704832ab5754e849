import type { GateRuleResult, RunSubject } from '@evalvault/contracts';
import { incidentKeyOf } from '../notification/notification.ids.js';
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
  /** Set for a resolve: the key of the incident (PagerDuty dedup_key, Jira episode label) it closes. */
  dedupKey: string | null;
}

/** The event that ends what another opened: a gate passing again, a drift episode ending. */
const RESOLVES: Partial<Record<TriggerFacts['type'], TriggerFacts['type']>> = {
  GatePassed: 'GateFailed',
  DriftResolved: 'DriftDetected',
};

/** Destinations that close what a failure opened when its gate passes again (its drift ends). */
const RESOLVING_DESTINATIONS: ReadonlySet<string> = new Set(['pagerduty', 'jira']);

/**
 * Which routes hear about an event, and how: a route listing the event's type gets a
 * message, ticket or incident; a passing gate (an ended drift) resolves the PagerDuty incident or
 * closes the Jira issues its earlier failure (drift) opened on a route listening to GateFailed
 * (DriftDetected); those routes never page or open a ticket on a pass. A drift's `gateId` is its
 * episode's identity (schedule and metric).
 */
export async function planNotifications(
  facts: TriggerFacts,
  routes: readonly ActiveRoute[],
  incidentOpen: (route: ActiveRoute, incidentKey: string) => Promise<boolean>,
): Promise<PlannedNotification[]> {
  const plans: PlannedNotification[] = [];
  for (const route of routes) {
    const resolves = RESOLVES[facts.type];
    const type = route.destination.type;
    if (resolves && RESOLVING_DESTINATIONS.has(type)) {
      if (!route.on.includes(resolves)) continue;
      const key = incidentKeyOf(type, route.routeId, facts.gateId, facts.runId);
      if (key && (await incidentOpen(route, key))) plans.push({ route, action: 'resolve', dedupKey: key });
      continue;
    }
    if (route.on.includes(facts.type)) plans.push({ route, action: 'trigger', dedupKey: null });
  }
  return plans;
}
