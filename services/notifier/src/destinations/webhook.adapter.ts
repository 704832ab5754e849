import type { AttemptResult, DeliveryRequest, DestinationAdapter } from '../delivery/destination.port.js';
import { failureOf, httpCall, isSuccess, resolveSecret, type HttpDeliveryOptions } from '../delivery/http-call.js';
import type { NotificationMessage } from './message.js';
import { slackMessage } from './slack.render.js';
import { teamsMessage } from './teams.render.js';

/**
 * Teams and Slack incoming webhooks: the URL is the credential (a secret reference), the
 * body the rendered message. Neither offers an idempotency key, so a message whose answer
 * was lost to a crash may be posted again on restart (at least once); redeliveries of the
 * trigger event never post twice, since they find the notification's stream.
 */
export class WebhookAdapter implements DestinationAdapter {
  constructor(
    private readonly kind: 'teams' | 'slack',
    private readonly options: HttpDeliveryOptions,
  ) {}

  async deliver({ destination, message }: DeliveryRequest): Promise<AttemptResult> {
    if (destination.type !== this.kind)
      throw new Error(`WebhookAdapter(${this.kind}) got a ${destination.type} destination`);
    const url = await resolveSecret(this.options.secrets, destination.webhookUrlRef);
    const body = this.render(message);
    const answer = await httpCall(this.options, `${this.kind} webhook`, url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!isSuccess(answer)) throw failureOf(`${this.kind} webhook`, answer, this.options.now(), [url]);
    return { ok: true, remoteId: null, remoteUrl: null };
  }

  private render(message: NotificationMessage): Record<string, unknown> {
    return this.kind === 'teams' ? teamsMessage(message) : slackMessage(message);
  }
}
