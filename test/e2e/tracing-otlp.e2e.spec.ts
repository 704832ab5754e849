import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { jest } from '@jest/globals';
import { FakeLlmServer } from '@evalvault/llm/testing';
import {
  migrateTestDatabase,
  startServiceProcess,
  stopRunsProcess,
  type RunsProcess,
} from '@evalvault/platform/testing';
import { OTLP_KIND, OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';

// Four services start as processes, join consumer groups, judge a run and notify: minutes at worst on two cores.
jest.setTimeout(300_000);

/**
 * Tracing as an operator turns it on: the built services started with OTEL_EXPORTER_OTLP_ENDPOINT
 * pointing at a local OTLP/HTTP receiver and nothing else of OTel configured. One submitted run
 * whose gate fails is one trace, one tree: the gateway's request → the runs service's internal
 * API, event store append and PostgreSQL queries → Kafka send and consume → the worker's judge
 * call (fetch) → GateFailed sent and consumed by the notifier → its Slack delivery.
 */
describe('a run traced across the services, exported over OTLP', () => {
  const tag = randomBytes(4).toString('hex');
  const adminKey = `evk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
  const slackRef = `EVALVAULT_SECRET_DEFAULT__DEFAULT__SLACK_URL_${tag}`;
  const processes: RunsProcess[] = [];
  let receiver: OtlpReceiver;
  let llm: FakeLlmServer;
  let slack: Server;
  let slackCalls = 0;
  let gateway: string;
  let routeId: string | undefined;

  beforeAll(async () => {
    migrateTestDatabase();
    receiver = await OtlpReceiver.start();
    llm = await FakeLlmServer.start({
      apiKeys: ['fake-judge-key'],
      script: (request) => {
        const prompt = request.messages.map((m) => m.content).join('\n');
        if (prompt.includes('"claims"')) return { text: JSON.stringify({ claims: ['one', 'two'] }) };
        return {
          text: JSON.stringify({
            verdicts: [
              { claim: 1, reason: 'stated', verdict: 1 },
              { claim: 2, reason: 'absent', verdict: 0 },
            ],
          }),
        };
      },
    });
    slack = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        slackCalls += 1;
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok'); // Slack's incoming-webhook answer
      });
    });
    await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
    const slackPort = (slack.address() as { port: number }).port;
    const shared = {
      E2E_INTERNAL_SECRET: randomBytes(32).toString('base64url'),
      EVALVAULT_INTERNAL_SECRET_REF: 'env:E2E_INTERNAL_SECRET',
      // The production configuration: only the endpoint; a short batch delay so the test need not wait 5 s.
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    const own = (service: string) => ({
      [`${service}_CONSUMER_START`]: 'latest',
      [`${service}_RELAY_START`]: 'latest',
      [`${service}_RELAY_NAME`]: `otlp-${tag}-${service.toLowerCase()}`,
      [`${service}_GROUP_PREFIX`]: `otlp-${tag}-${service.toLowerCase()}`,
    });
    const runs = await startServiceProcess('runs', {
      ...shared,
      ...own('RUNS'),
      EVALVAULT_JUDGE_PROVIDER: 'openai',
      EVALVAULT_JUDGE_BASE_URL: llm.url,
      EVALVAULT_JUDGE_MODEL: 'judge-test',
      EVALVAULT_JUDGE_API_KEY_REF: 'env:E2E_JUDGE_KEY',
      E2E_JUDGE_KEY: 'fake-judge-key',
      EVALVAULT_JUDGE_REQUESTS_PER_SECOND: '500',
    });
    const notifier = await startServiceProcess('notifier', {
      ...shared,
      ...own('NOTIFIER'),
      [slackRef]: `http://127.0.0.1:${slackPort}/services/T/B/${tag}`,
      EVALVAULT_EGRESS_ALLOW: '127.0.0.1',
      NOTIFIER_POLL_MS: '100',
    });
    const registry = await startServiceProcess('registry', { ...shared, ...own('REGISTRY') });
    processes.push(runs, notifier, registry);
    const gatewayProcess = await startServiceProcess('gateway', {
      ...shared,
      E2E_PEPPER: randomBytes(32).toString('base64url'),
      EVALVAULT_API_KEY_PEPPER_REF: 'env:E2E_PEPPER',
      EVALVAULT_BOOTSTRAP_ADMIN_KEY: adminKey,
      RUNS_SERVICE_URL: runs.url,
      REGISTRY_SERVICE_URL: registry.url,
      NOTIFIER_SERVICE_URL: notifier.url,
      GATEWAY_RELAY_NAME: `otlp-${tag}-gateway`,
      GATEWAY_RELAY_START: 'latest',
    });
    processes.push(gatewayProcess);
    gateway = gatewayProcess.url;
  });

  afterAll(async () => {
    if (routeId) await call(`/notification-routes/${routeId}`, { method: 'DELETE' }).catch(() => undefined);
    await Promise.all(processes.map((p) => stopRunsProcess(p)));
    await llm?.close();
    await new Promise((resolve) => slack?.close(resolve));
    await receiver?.close();
  });

  const call = (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${adminKey}`);
    if (init.body) headers.set('content-type', 'application/json');
    return fetch(`${gateway}/v1/projects/default${path}`, { ...init, headers });
  };

  it('exports one tree from the gateway request to the notifier’s Slack delivery', async () => {
    const route = await call('/notification-routes', {
      method: 'POST',
      body: JSON.stringify({
        name: `otlp-${tag}`,
        on: ['GateFailed'],
        destination: { type: 'slack', webhookUrlRef: `env:${slackRef}` },
      }),
    });
    expect(route.status).toBe(201);
    routeId = ((await route.json()) as { routeId: string }).routeId;

    // The test is the caller of a trace: its id is known, and the gateway's span continues it.
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const submitted = await call('/runs', {
      method: 'POST',
      headers: { traceparent: `00-${traceId}-${callerSpanId}-01` },
      body: JSON.stringify({
        dataset: {
          name: `otlp-${tag}`,
          cases: [{ id: 'c1', question: `Capital of France (${tag})?`, answer: 'Paris', contexts: ['Paris'] }],
        },
        metrics: ['faithfulness'],
        gate: { rules: ['mean(faithfulness) >= 0.9'] }, // 0.5: fails
      }),
    });
    expect(submitted.status).toBe(202);

    const spans = await completeTree(traceId, callerSpanId);
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const ancestors = (span: ReceivedSpan): ReceivedSpan[] => {
      const chain: ReceivedSpan[] = [];
      for (let parent = byId.get(span.parentSpanId); parent; parent = byId.get(parent.parentSpanId)) chain.push(parent);
      return chain;
    };
    const find = (what: string, test: (span: ReceivedSpan) => boolean): ReceivedSpan => {
      const found = spans.find(test);
      if (!found) throw new Error(`no ${what} in the trace:\n${listSpans(spans)}`);
      return found;
    };

    // One tree: the gateway's request is the only span whose parent is outside the export (the test).
    const roots = spans.filter((span) => !byId.has(span.parentSpanId));
    expect(roots.map((span) => [span.service, span.kind, span.parentSpanId])).toEqual([
      ['gateway', OTLP_KIND.server, callerSpanId],
    ]);
    expect(roots[0]!.name).toMatch(/^POST \/v1\/projects\/.+\/runs$/);

    find('append', (s) => s.service === 'runs' && s.name === 'eventstore.append');
    find('pg query', (s) => s.service === 'runs' && s.scope === '@opentelemetry/instrumentation-pg');
    const runsSend = find('Kafka send', (s) => s.name === 'send evalvault.runs.v1' && s.kind === OTLP_KIND.producer);
    const planned = find('RunRequested consumed', (s) => s.name === 'handle RunRequested');
    expect([planned.kind, byId.get(planned.parentSpanId)?.name]).toEqual([OTLP_KIND.consumer, runsSend.name]);

    const judgeCall = find(
      'judge HTTP call',
      (s) =>
        s.scope === '@opentelemetry/instrumentation-undici' &&
        s.kind === OTLP_KIND.client &&
        ancestors(s).some((a) => a.name === 'llm.judge'),
    );
    expect(judgeCall.service).toBe('runs');

    const gateConsumed = find(
      'GateFailed consumed by the notifier',
      (s) => s.name === 'handle GateFailed' && s.service === 'notifier',
    );
    expect(byId.get(gateConsumed.parentSpanId)).toMatchObject({
      name: 'send evalvault.gates.v1',
      kind: OTLP_KIND.producer,
      service: 'runs',
    });
    // The notifier's vendor call: the HTTP client span of the request, under its delivery span. (Other routes of
    // the project, left by other suites in the shared test database, may deliver in the same trace: so the request
    // looked for is one whose parent is a Slack delivery, not the trace's first 'deliver slack' or first POST.)
    const slackRequest = find(
      'Slack HTTP call under its delivery span',
      (s) =>
        s.service === 'notifier' && s.name === 'POST 127.0.0.1' && byId.get(s.parentSpanId)?.name === 'deliver slack',
    );
    expect(slackRequest.kind).toBe(OTLP_KIND.client);
    const vendorCall = byId.get(slackRequest.parentSpanId)!;
    expect(vendorCall.service).toBe('notifier');
    expect(ancestors(vendorCall).map((s) => s.name)).toEqual(
      expect.arrayContaining(['handle GateFailed', 'handle RunRequested', roots[0]!.name]),
    );
    expect(slackCalls).toBeGreaterThanOrEqual(1);
    expect([...receiver.contentTypes]).toEqual(['application/x-protobuf']);
  });

  /**
   * Waits until the trace holds the notifier's Slack HTTP call under its delivery span and every exported
   * span's parent is in it too, but the gateway's (the spans of one tree arrive from four processes in any order).
   */
  async function completeTree(traceId: string, callerSpanId: string): Promise<ReceivedSpan[]> {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const spans = receiver.spans.filter((span) => span.traceId === traceId);
      const byId = new Map(spans.map((span) => [span.spanId, span]));
      const open = spans.filter((span) => span.parentSpanId !== callerSpanId && !byId.has(span.parentSpanId));
      // Our route's vendor call, not any 'deliver slack': a route another suite left in the shared database may
      // fail its deliveries (no HTTP call) in this trace before ours is done.
      const delivered = spans.some(
        (s) =>
          s.service === 'notifier' && s.name === 'POST 127.0.0.1' && byId.get(s.parentSpanId)?.name === 'deliver slack',
      );
      const judged = spans.some((s) => s.name === 'llm.judge');
      if (delivered && judged && open.length === 0) return spans;
      if (Date.now() > deadline) {
        const logs = processes.map((p) => p.output().slice(-2000)).join('\n');
        throw new Error(`trace ${traceId} incomplete:\n${listSpans(spans)}\n${logs}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
});

function listSpans(spans: readonly ReceivedSpan[]): string {
  return spans.map((s) => `${s.service} ${s.scope} ${s.name} kind=${s.kind} ${s.spanId}<-${s.parentSpanId}`).join('\n');
}
