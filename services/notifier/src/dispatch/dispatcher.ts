import type { EventOfType, NotificationIntendedPayload, RunSubject } from '@evalvault/contracts';
import { contextCausedBy } from '@evalvault/platform';
import type { Logger } from 'pino';
import {
  jiraNotificationLabel,
  notificationIdFor,
  notificationStreamId,
  pagerDutyDedupKey,
} from '../notification/notification.ids.js';
import type { NotificationRepository } from '../notification/notification.repository.js';
import type { NotifierProjection } from '../projection/notifier.projection.js';
import type { ActiveRoute, NotifierQueries } from '../projection/notifier.queries.js';
import { driftDetectedMessage, driftResolvedMessage } from './drift-message.js';
import { planNotifications, type TriggerFacts } from './notification-plan.js';
import { runPageUrl } from './run-link.js';

export type TriggerEvent =
  | EventOfType<'GateFailed'>
  | EventOfType<'GatePassed'>
  | EventOfType<'RunFailed'>
  | EventOfType<'DriftDetected'>
  | EventOfType<'DriftResolved'>;

/**
 * Turns a trigger event into notification intents, one stream per (event, route). The
 * stream id is derived from both, so a redelivered or replayed event finds the intent
 * already there and nothing is appended twice; delivery is the worker's job.
 */
export class NotificationDispatcher {
  constructor(
    private readonly notifications: NotificationRepository,
    private readonly queries: NotifierQueries,
    private readonly projection: NotifierProjection,
    private readonly publicUrl: () => string,
    private readonly logger: Logger,
  ) {}

  async dispatch(event: TriggerEvent): Promise<number> {
    const routes = (await this.queries.activeRoutes(event.tenantId, event.projectId)).filter(
      (route) => route.createdAtMs <= event.occurredAt,
    ); // a route does not page for what happened before it
    if (routes.length === 0) return 0;
    const facts = await this.factsOf(event);
    const plans = await planNotifications(facts, routes, (route, dedupKey) =>
      this.queries.openIncident(route.routeId, dedupKey, event.occurredAt),
    );
    let intended = 0;
    for (const { route, action, dedupKey } of plans) {
      const intent = this.intentFor(facts, route, action, dedupKey);
      const { events } = await this.notifications.handle(
        notificationStreamId(intent.notificationId),
        { type: 'Intend', intent },
        contextCausedBy(event),
      );
      await this.projection.applyAll(events);
      intended += events.length;
    }
    if (intended > 0)
      this.logger.info({ eventId: event.eventId, eventType: event.type, intended }, 'notifications intended');
    return intended;
  }

  private async factsOf(event: TriggerEvent): Promise<TriggerFacts> {
    const base = { eventId: event.eventId, occurredAt: event.occurredAt, projectId: event.projectId };
    if (event.type === 'DriftDetected' || event.type === 'DriftResolved') return this.driftFactsOf(event, base);
    if (event.type === 'RunFailed') {
      // Version 2 carries the subject; an older event's comes from the read model.
      const subject: RunSubject | null =
        event.payload.subject ?? (await this.queries.runSubject(event.tenantId, event.payload.runId));
      return {
        ...base,
        type: 'RunFailed',
        runId: event.payload.runId,
        gateId: null,
        subject,
        rules: [],
        failure: { reason: event.payload.reason, message: event.payload.message },
      };
    }
    return {
      ...base,
      type: event.type,
      runId: event.payload.subject.runId,
      gateId: event.payload.gateId,
      subject: event.payload.subject,
      rules: event.payload.rules,
      failure: null,
    };
  }

  /**
   * A drift as a trigger: the run that showed it (its subject from the read model, as for RunFailed), the
   * episode's identity (schedule and metric) in place of a gate's, and what moved in the failure's place.
   */
  private async driftFactsOf(
    event: EventOfType<'DriftDetected'> | EventOfType<'DriftResolved'>,
    base: Pick<TriggerFacts, 'eventId' | 'occurredAt' | 'projectId'>,
  ): Promise<TriggerFacts> {
    const p = event.payload;
    const message =
      event.type === 'DriftDetected' ? driftDetectedMessage(event.payload) : driftResolvedMessage(event.payload);
    return {
      ...base,
      type: event.type,
      runId: p.runId,
      gateId: `drift-${p.scheduleId}-${p.metric}`,
      subject: await this.queries.runSubject(event.tenantId, p.runId),
      rules: [],
      failure: { reason: `drift:${p.metric}`, message },
    };
  }

  private intentFor(
    facts: TriggerFacts,
    route: ActiveRoute,
    action: 'trigger' | 'resolve',
    dedupKey: string | null,
  ): NotificationIntendedPayload {
    const notificationId = notificationIdFor(facts.eventId, route.routeId);
    const type = route.destination.type;
    return {
      notificationId,
      routeId: route.routeId,
      routeName: route.name,
      destinationType: type,
      destinationJson: JSON.stringify(route.destination),
      severity: facts.type === 'GatePassed' || facts.type === 'DriftResolved' ? 'info' : route.severity,
      action,
      dedupKey:
        dedupKey ??
        (type === 'pagerduty'
          ? pagerDutyDedupKey(route.routeId, facts.gateId, facts.runId)
          : jiraNotificationLabel(notificationId)),
      triggerEventId: facts.eventId,
      triggerType: facts.type,
      triggerOccurredAt: facts.occurredAt,
      runId: facts.runId,
      runUrl: runPageUrl(this.publicUrl(), facts.runId),
      gateId: facts.gateId,
      subject: facts.subject,
      rules: facts.rules,
      failureReason: facts.failure?.reason ?? null,
      failureMessage: facts.failure?.message ?? null,
    };
  }
}
