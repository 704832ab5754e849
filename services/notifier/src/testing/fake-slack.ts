import { check, FakeVendorServer, type ReceivedRequest, type VendorAnswer } from './fake-vendor-server.js';

/**
 * A Slack incoming webhook (https://api.slack.com/messaging/webhooks), checked against Block
 * Kit's limits (https://api.slack.com/reference/block-kit/blocks): `text` and/or `blocks`
 * (≤ 50); header: plain_text ≤ 150; section: text ≤ 3000 and/or ≤ 10 fields of ≤ 2000;
 * actions: ≤ 25 elements, buttons with plain_text text and a url. Answers 200 "ok", or Slack's
 * plain-text errors: 400 invalid_blocks / no_text, 404 no_service.
 */
const BLOCK_TYPES = new Set(['header', 'section', 'divider', 'context', 'actions', 'image', 'rich_text']);

export class FakeSlack extends FakeVendorServer {
  constructor(private readonly secretPath: string) {
    super();
  }

  static start(secretPath = '/services/T000/B000/fakeslacksecret'): Promise<FakeSlack> {
    return new FakeSlack(secretPath).listen();
  }

  get webhookUrl(): string {
    return `${this.url}${this.secretPath}`;
  }

  messages(): { text?: string; blocks?: Record<string, unknown>[] }[] {
    return this.accepted().map((request) => request.body as { text?: string; blocks?: Record<string, unknown>[] });
  }

  protected handle(request: ReceivedRequest): VendorAnswer {
    if (request.method !== 'POST' || request.path !== this.secretPath) {
      request.problems.push('unknown webhook');
      return { status: 404, body: 'no_service' };
    }
    const problems = request.problems;
    const message = request.body;
    if (!check.object(message, 'message', problems)) return { status: 400, body: 'invalid_payload' };
    if (message['text'] === undefined && message['blocks'] === undefined) {
      problems.push('text or blocks is required');
      return { status: 400, body: 'no_text' };
    }
    if (message['text'] !== undefined) check.string(message['text'], 'text', problems, 40_000);
    if (message['blocks'] !== undefined && check.array(message['blocks'], 'blocks', problems, 50))
      message['blocks'].forEach((block, index) => validateBlock(block, `blocks[${index}]`, problems));
    return problems.length > 0 ? { status: 400, body: 'invalid_blocks' } : { status: 200, body: 'ok' };
  }
}

function textObject(value: unknown, path: string, problems: string[], max: number, plainOnly = false): void {
  if (!check.object(value, path, problems)) return;
  check.oneOf(value['type'], `${path}.type`, plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'], problems);
  check.string(value['text'], `${path}.text`, problems, max);
}

function validateBlock(block: unknown, path: string, problems: string[]): void {
  if (!check.object(block, path, problems)) return;
  if (!BLOCK_TYPES.has(String(block['type']))) {
    problems.push(`${path}.type ${String(block['type'])} is not a block`);
    return;
  }
  switch (block['type']) {
    case 'header':
      textObject(block['text'], `${path}.text`, problems, 150, true);
      break;
    case 'section':
      if (block['text'] === undefined && block['fields'] === undefined) problems.push(`${path} needs text or fields`);
      if (block['text'] !== undefined) textObject(block['text'], `${path}.text`, problems, 3000);
      if (block['fields'] !== undefined && check.array(block['fields'], `${path}.fields`, problems, 10))
        block['fields'].forEach((field, index) => textObject(field, `${path}.fields[${index}]`, problems, 2000));
      break;
    case 'actions':
      if (check.array(block['elements'], `${path}.elements`, problems, 25)) {
        block['elements'].forEach((element, index) => {
          if (!check.object(element, `${path}.elements[${index}]`, problems)) return;
          if (element['type'] === 'button') {
            textObject(element['text'], `${path}.elements[${index}].text`, problems, 75, true);
            if (element['url'] !== undefined) check.url(element['url'], `${path}.elements[${index}].url`, problems);
          }
        });
      }
      break;
    default:
      break;
  }
}
