import { check, FakeVendorServer, type ReceivedRequest, type VendorAnswer } from './fake-vendor-server.js';

/**
 * A Teams incoming webhook / Workflows webhook receiving an Adaptive Card, checked against
 * https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using
 * (section "Send Adaptive Cards using an Incoming Webhook") and the card schema
 * (https://adaptivecards.io/explorer/AdaptiveCard.html): {type: "message", attachments:
 * [{contentType: "application/vnd.microsoft.card.adaptive", content: {type: "AdaptiveCard",
 * version, body: [elements with a type], actions?: [Action.OpenUrl with url]}}]}.
 * The URL path is the secret; another path is 404. Answers 202 like a workflow.
 */
const ELEMENTS = new Set([
  'TextBlock',
  'FactSet',
  'ColumnSet',
  'Container',
  'Image',
  'RichTextBlock',
  'ActionSet',
  'Table',
]);

export class FakeTeams extends FakeVendorServer {
  constructor(private readonly secretPath: string) {
    super();
  }

  static start(secretPath = '/webhookb2/fake-teams-token'): Promise<FakeTeams> {
    return new FakeTeams(secretPath).listen();
  }

  get webhookUrl(): string {
    return `${this.url}${this.secretPath}`;
  }

  cards(): Record<string, unknown>[] {
    return this.accepted().map(
      (request) => (request.body as { attachments: { content: Record<string, unknown> }[] }).attachments[0]!.content,
    );
  }

  protected handle(request: ReceivedRequest): VendorAnswer {
    if (request.method !== 'POST' || request.path !== this.secretPath) {
      request.problems.push('unknown webhook');
      return { status: 404, body: 'Webhook not found' };
    }
    const problems = request.problems;
    const message = request.body;
    if (check.object(message, 'message', problems)) {
      if (message['type'] !== 'message') problems.push('type must be "message"');
      if (check.array(message['attachments'], 'attachments', problems) && message['attachments'].length === 1) {
        const attachment = message['attachments'][0];
        if (check.object(attachment, 'attachments[0]', problems)) {
          if (attachment['contentType'] !== 'application/vnd.microsoft.card.adaptive')
            problems.push('attachments[0].contentType must be application/vnd.microsoft.card.adaptive');
          validateCard(attachment['content'], problems);
        }
      } else problems.push('attachments must hold exactly one card');
    }
    return problems.length > 0
      ? { status: 400, body: `Bad payload: ${problems.join('; ')}` }
      : { status: 202, body: '' };
  }
}

function validateCard(card: unknown, problems: string[]): void {
  if (!check.object(card, 'card', problems)) return;
  if (card['type'] !== 'AdaptiveCard') problems.push('card.type must be AdaptiveCard');
  if (typeof card['version'] !== 'string' || !/^1\.[0-6]$/.test(card['version']))
    problems.push('card.version must be 1.0-1.6');
  if (check.array(card['body'], 'card.body', problems)) {
    card['body'].forEach((element, index) => {
      if (!check.object(element, `card.body[${index}]`, problems)) return;
      if (!ELEMENTS.has(String(element['type'])))
        problems.push(`card.body[${index}].type ${String(element['type'])} is not an element`);
      if (element['type'] === 'TextBlock') check.string(element['text'], `card.body[${index}].text`, problems);
      if (element['type'] === 'FactSet' && check.array(element['facts'], `card.body[${index}].facts`, problems)) {
        for (const fact of element['facts'])
          if (
            !check.object(fact, 'fact', problems) ||
            typeof fact['title'] !== 'string' ||
            typeof fact['value'] !== 'string'
          )
            problems.push('facts need string title and value');
      }
    });
  }
  if (card['actions'] !== undefined && check.array(card['actions'], 'card.actions', problems)) {
    for (const action of card['actions']) {
      if (!check.object(action, 'action', problems)) continue;
      if (action['type'] === 'Action.OpenUrl') check.url(action['url'], 'action.url', problems);
    }
  }
}
