import type { NotificationMessage } from './message.js';
import { truncate } from './message.js';

/**
 * A Slack incoming-webhook message (https://api.slack.com/messaging/webhooks) in Block Kit
 * (https://api.slack.com/reference/block-kit/blocks): `text` is the notification fallback,
 * `blocks` the layout. mrkdwn needs &, < and > escaped (https://api.slack.com/reference/surfaces/formatting#escaping).
 */
const escape = (value: string): string =>
  value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

export function slackMessage(message: NotificationMessage): Record<string, unknown> {
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(message.title, 150), emoji: false } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(escape(message.summary), 3000) } },
    {
      type: 'section',
      fields: message.facts
        .slice(0, 10)
        .map((fact) => ({ type: 'mrkdwn', text: truncate(`*${escape(fact.name)}*\n${escape(fact.value)}`, 2000) })),
    },
  ];
  if (message.failingRules.length > 0) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(`*Failing rules*\n${message.failingRules.map((rule) => `• ${escape(rule)}`).join('\n')}`, 3000),
      },
    });
  }
  if (message.failure)
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(`*${escape(message.failure.reason)}*: ${escape(message.failure.message)}`, 3000),
      },
    });
  blocks.push({
    type: 'actions',
    elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the run' }, url: message.runUrl }],
  });
  return { text: truncate(escape(`${message.title}. ${message.summary}`), 3000), blocks };
}
