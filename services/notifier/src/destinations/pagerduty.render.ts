import type { NotificationMessage } from './message.js';
import { truncate } from './message.js';

/**
 * PagerDuty Events API v2 (POST https://events.pagerduty.com/v2/enqueue):
 * trigger https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
 * resolve https://developer.pagerduty.com/docs/events-api-v2/resolve-events/
 * The routing key travels in the body (no auth header); dedup_key groups a gate's failures
 * into one incident and lets the later resolve find it.
 */
export function pagerDutyEvent(
  message: NotificationMessage,
  routingKey: string,
  dedupKey: string,
): Record<string, unknown> {
  if (message.action === 'resolve') return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: truncate(`${message.title}. ${message.summary}`, 1024),
      source: 'evalvault',
      severity: message.severity,
      timestamp: new Date(message.occurredAt).toISOString(),
      component: message.facts.find((fact) => fact.name === 'Dataset')?.value ?? 'unknown dataset',
      group: message.projectId,
      class: message.triggerType,
      custom_details: {
        run_url: message.runUrl,
        failing_rules: message.failingRules,
        ...(message.failure ? { failure: message.failure } : {}),
        ...Object.fromEntries(message.facts.map((fact) => [fact.name.toLowerCase().replaceAll(' ', '_'), fact.value])),
      },
    },
    links: [{ href: message.runUrl, text: `EvalVault run ${message.runId}` }],
    client: 'EvalVault',
    client_url: message.runUrl,
  };
}
