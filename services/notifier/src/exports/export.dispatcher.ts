import type { EventOfType, NotificationIntendedPayload } from '@evalvault/contracts';
import { contextCausedBy } from '@evalvault/platform';
import type { Logger } from 'pino';
import { notificationIdFor, notificationStreamId } from '../notification/notification.ids.js';
import type { NotificationRepository } from '../notification/notification.repository.js';
import type { NotifierProjection } from '../projection/notifier.projection.js';
import { exportRoutes, type ActiveRoute, type NotifierQueries } from '../projection/notifier.queries.js';
import { runPageUrl } from '../dispatch/run-link.js';
import { exportTagValue } from './export-ids.js';

/**
 * Turns a RunCompleted into one export intent per export of the project listening to it: a notification
 * stream per (event, export) whose id is derived from both, so a redelivered or replayed RunCompleted intends
 * nothing new and a run is exported once per destination. The worker delivers it like any notification.
 */
export class ExportDispatcher {
  constructor(
    private readonly notifications: NotificationRepository,
    private readonly queries: NotifierQueries,
    private readonly projection: NotifierProjection,
    private readonly publicUrl: () => string,
    private readonly logger: Logger,
  ) {}

  async dispatch(event: EventOfType<'RunCompleted'>): Promise<number> {
    const exports = exportRoutes(await this.queries.activeRoutes(event.tenantId, event.projectId)).filter(
      (route) => route.on.includes('RunCompleted') && route.createdAtMs <= event.occurredAt,
    ); // an export does not push runs that completed before it existed
    let intended = 0;
    for (const route of exports) {
      const { events } = await this.notifications.handle(
        notificationStreamId(notificationIdFor(event.eventId, route.routeId)),
        { type: 'Intend', intent: await this.intentFor(event, route) },
        contextCausedBy(event),
      );
      await this.projection.applyAll(events);
      intended += events.length;
    }
    if (intended > 0)
      this.logger.info({ eventId: event.eventId, runId: event.payload.runId, intended }, 'exports intended');
    return intended;
  }

  private async intentFor(
    event: EventOfType<'RunCompleted'>,
    route: ActiveRoute,
  ): Promise<NotificationIntendedPayload> {
    const notificationId = notificationIdFor(event.eventId, route.routeId);
    const { runId } = event.payload;
    return {
      notificationId,
      routeId: route.routeId,
      routeName: route.name,
      destinationType: route.destination.type,
      destinationJson: JSON.stringify(route.destination),
      severity: 'info',
      action: 'trigger',
      dedupKey: exportTagValue(notificationId),
      triggerEventId: event.eventId,
      triggerType: 'RunCompleted',
      triggerOccurredAt: event.occurredAt,
      runId,
      runUrl: runPageUrl(this.publicUrl(), runId),
      gateId: null,
      subject: await this.queries.runSubject(event.tenantId, runId),
      rules: [],
      failureReason: null,
      failureMessage: null,
    };
  }
}
