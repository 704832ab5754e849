import type { AttemptResult, DeliveryRequest, DestinationAdapter } from '../delivery/destination.port.js';
import { failureOf, httpCall, isSuccess, resolveSecret, type HttpDeliveryOptions } from '../delivery/http-call.js';
import { DEFAULT_PAGERDUTY_EVENTS_URL } from '../routes/route.validation.js';
import { pagerDutyEvent } from './pagerduty.render.js';

/**
 * PagerDuty Events API v2 (https://developer.pagerduty.com/api-reference/368ae3d938c9e-send-an-event-to-pager-duty).
 * Sending the same trigger again is harmless: PagerDuty de-duplicates on dedup_key while the
 * incident is open, so a lost answer needs no lookup. 202 means accepted.
 */
export class PagerDutyAdapter implements DestinationAdapter {
  constructor(private readonly options: HttpDeliveryOptions) {}

  async deliver({ destination, message, intent }: DeliveryRequest): Promise<AttemptResult> {
    if (destination.type !== 'pagerduty') throw new Error(`PagerDutyAdapter got a ${destination.type} destination`);
    const routingKey = await resolveSecret(this.options.secrets, destination.routingKeyRef);
    const answer = await httpCall(
      this.options,
      `pagerduty ${message.action}`,
      destination.eventsUrl ?? DEFAULT_PAGERDUTY_EVENTS_URL,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(pagerDutyEvent(message, routingKey, intent.dedupKey)),
      },
    );
    if (!isSuccess(answer)) throw failureOf(`pagerduty ${message.action}`, answer, this.options.now(), [routingKey]);
    return { ok: true, remoteId: intent.dedupKey, remoteUrl: null };
  }
}
