import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { startEmbeddedPlatform, type EmbeddedPlatform } from '../src/platform.js';

jest.setTimeout(180_000);

/**
 * A failed gate's Slack message, from the embedded platform started on a free port without
 * EVALVAULT_PUBLIC_URL: "Open the run" goes to the run's page on the port the gateway took.
 */
describe('the run link of the embedded platform’s messages', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'evalvault-link-'));
  const secretName = `EVALVAULT_SECRET_DEFAULT__DEFAULT__SLACK_LINK_${randomBytes(4).toString('hex').toUpperCase()}`;
  const messages: string[] = [];
  // Stands in for Slack's incoming webhook: keeps each message, answers "ok".
  const slack: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      messages.push(body);
      response.end('ok');
    });
  });
  let platform: EmbeddedPlatform;

  beforeAll(async () => {
    await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
    const webhookUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T1/B1/x`;
    process.env[secretName] = webhookUrl; // the notifier resolves secrets from the process environment
    platform = await startEmbeddedPlatform({
      dataDir: join(scratch, 'data'),
      port: 0,
      oidcPort: 0,
      quiet: true,
      env: { EVALVAULT_EGRESS_ALLOW: '127.0.0.1' },
    });
  });

  afterAll(async () => {
    await platform?.stop();
    slack.close();
    delete process.env[secretName];
    rmSync(scratch, { recursive: true, force: true });
  });

  const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${platform.url}/v1/projects/default${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBeLessThan(300);
    return (await response.json()) as Record<string, unknown>;
  };

  it('points at the gateway’s actual address, on the run’s page', async () => {
    expect(new URL(platform.url).port).not.toBe('8080');
    await post('/notification-routes', {
      name: 'team-channel',
      on: ['GateFailed'],
      destination: { type: 'slack', webhookUrlRef: `env:${secretName}` },
    });
    const { runId } = await post('/runs', {
      dataset: { name: 'link', cases: [{ question: 'Q?', answer: 'wrong', contexts: [], ground_truth: 'right' }] },
      metrics: ['exact_match'],
      gate: { rules: ['mean(exact_match) >= 1'] },
    });
    const deadline = Date.now() + 120_000;
    while (messages.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(messages.join('\n')).toContain(`"url":"${platform.url}/runs/${String(runId)}"`);
  });
});
