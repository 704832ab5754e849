import { check, FakeVendorServer, type ReceivedRequest, type VendorAnswer } from './fake-vendor-server.js';

/**
 * PagerDuty Events API v2, POST /v2/enqueue, checked against
 * https://developer.pagerduty.com/api-reference/368ae3d938c9e-send-an-event-to-pager-duty and
 * https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ (…/resolve-events/):
 * routing_key (the integration key, in the body), event_action trigger|acknowledge|resolve,
 * dedup_key ≤ 255 (required to resolve), and for a trigger a payload with summary ≤ 1024,
 * source, severity critical|error|warning|info, optional ISO timestamp, links [{href, text}].
 * Answers 202 {status: "success", message: "Event processed", dedup_key}, or 400 "invalid event".
 * Incidents are opened and resolved by dedup_key as PagerDuty does.
 */
export class FakePagerDuty extends FakeVendorServer {
  readonly incidents = new Map<string, 'triggered' | 'resolved'>();

  constructor(private readonly routingKey: string) {
    super();
  }

  static start(routingKey: string): Promise<FakePagerDuty> {
    return new FakePagerDuty(routingKey).listen();
  }

  /** Accepted events with this action. */
  events(action: 'trigger' | 'resolve'): Record<string, unknown>[] {
    return this.accepted(/^\/v2\/enqueue$/)
      .map((request) => request.body as Record<string, unknown>)
      .filter((body) => body['event_action'] === action);
  }

  protected handle(request: ReceivedRequest): VendorAnswer {
    if (request.method !== 'POST' || request.path !== '/v2/enqueue') {
      request.problems.push(`no such endpoint ${request.method} ${request.path}`);
      return { status: 404, body: { status: 'not found' } };
    }
    const problems = request.problems;
    const event = request.body;
    if (check.object(event, 'event', problems)) this.validate(event, problems);
    if (problems.length > 0)
      return { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors: problems } };
    const body = event as { event_action: string; dedup_key?: string };
    const dedupKey = body.dedup_key ?? `generated-${this.received.length}`;
    if (body.event_action === 'trigger') this.incidents.set(dedupKey, 'triggered');
    if (body.event_action === 'resolve' && this.incidents.has(dedupKey)) this.incidents.set(dedupKey, 'resolved');
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } };
  }

  private validate(event: Record<string, unknown>, problems: string[]): void {
    if (event['routing_key'] !== this.routingKey) problems.push('routing_key is not a known integration key');
    const action = event['event_action'];
    check.oneOf(action, 'event_action', ['trigger', 'acknowledge', 'resolve'], problems);
    if (event['dedup_key'] !== undefined) check.string(event['dedup_key'], 'dedup_key', problems, 255);
    if (action !== 'trigger') {
      if (event['dedup_key'] === undefined) problems.push(`dedup_key is required to ${String(action)}`);
      return;
    }
    const payload = event['payload'];
    if (!check.object(payload, 'payload', problems)) return;
    check.string(payload['summary'], 'payload.summary', problems, 1024);
    check.string(payload['source'], 'payload.source', problems);
    check.oneOf(payload['severity'], 'payload.severity', ['critical', 'error', 'warning', 'info'], problems);
    if (payload['timestamp'] !== undefined && Number.isNaN(Date.parse(String(payload['timestamp']))))
      problems.push('payload.timestamp must be ISO 8601');
    if (payload['custom_details'] !== undefined)
      check.object(payload['custom_details'], 'payload.custom_details', problems);
    if (event['links'] !== undefined && check.array(event['links'], 'links', problems)) {
      for (const link of event['links'])
        if (!check.object(link, 'links[]', problems) || !check.url(link['href'], 'links[].href', problems)) break;
    }
  }
}
