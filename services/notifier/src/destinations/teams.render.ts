import type { NotificationMessage } from './message.js';

/**
 * A Teams message carrying an Adaptive Card, as incoming webhooks and Workflows ("Post to a
 * channel when a webhook request is received") accept it:
 * https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using
 * (section "Send Adaptive Cards using an Incoming Webhook").
 * Card schema: https://adaptivecards.io/explorer/AdaptiveCard.html (version 1.4 renders in Teams).
 */
export function teamsMessage(message: NotificationMessage): Record<string, unknown> {
  const body: Record<string, unknown>[] = [
    {
      type: 'TextBlock',
      text: message.title,
      weight: 'Bolder',
      size: 'Medium',
      wrap: true,
      color: message.triggerType === 'GatePassed' || message.triggerType === 'DriftResolved' ? 'Good' : 'Attention',
    },
    { type: 'TextBlock', text: message.summary, wrap: true },
    { type: 'FactSet', facts: message.facts.map((fact) => ({ title: fact.name, value: fact.value })) },
  ];
  if (message.failingRules.length > 0) {
    body.push({ type: 'TextBlock', text: 'Failing rules', weight: 'Bolder', wrap: true });
    body.push({ type: 'TextBlock', text: message.failingRules.map((rule) => `- ${rule}`).join('\n'), wrap: true });
  }
  if (message.failure)
    body.push({ type: 'TextBlock', text: `${message.failure.reason}: ${message.failure.message}`, wrap: true });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          actions: [{ type: 'Action.OpenUrl', title: 'Open the run', url: message.runUrl }],
        },
      },
    ],
  };
}
