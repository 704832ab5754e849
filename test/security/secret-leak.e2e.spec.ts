import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jest } from '@jest/globals';
import pg from 'pg';
import { declaredTopics, EventCodec } from '@evalvault/contracts';
import { createKafka } from '@evalvault/platform';
import { testKafkaSettings, TopicReader } from '@evalvault/platform/testing';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database.js';

jest.setTimeout(240_000);

const root = resolve(import.meta.dirname, '../..');
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/**
 * Planted secrets and PII through a whole flow of `node apps/embedded/dist/main.js` (its own process, so every
 * log line it writes is captured), on a PostgreSQL database of the test's own, publishing to the real Kafka
 * broker and exporting spans over OTLP to a local receiver: a dataset with PII markers, a run whose gate fails,
 * a Slack stand-in receiving the notification. Then every log line, stored event, Kafka message (key, value and
 * headers as the broker holds them, read back from every topic and dead-letter topic from where each ended
 * when the test began), exported span and outgoing notification is scanned.
 */
describe('secrets never leak', () => {
  const secrets = {
    apiKeySecret: `PLANTEDapikey${hex(15)}`,
    providerKey: `sk-PLANTEDprovider${hex(12)}`,
    vendorToken: `PLANTEDslack${hex(12)}`,
    guessedKeySecret: `PLANTEDguess${hex(12)}`,
  };
  const apiKey = `evk_${hex(6)}_${secrets.apiKeySecret}`;
  const pii = {
    email: `pii.${hex(4)}@example.org`,
    phone: `+44 20 7946 ${String(1000 + (randomBytes(1)[0]! % 9000))}`,
  };
  const slackSecretVar = `EVALVAULT_SECRET_DEFAULT__DEFAULT__SLACK_LEAK_${hex(4).toUpperCase()}`;
  const providerKeyVar = `LEAK_DRILL_PROVIDER_KEY_${hex(4).toUpperCase()}`;
  const scratch = mkdtempSync(join(tmpdir(), 'evalvault-leak-'));
  const captured = { logs: '', spans: [] as string[], notifications: [] as string[], kafka: [] as string[] };
  const receivers: Server[] = [];
  let database: ScratchDatabase;
  let child: ChildProcess;
  let base = '';
  const kafka = createKafka(testKafkaSettings('secret-leak-scan'));
  const readers: TopicReader[] = [];
  const kafkaEventIds = new Set<string>();

  async function receiver(keep: (body: string, request: IncomingMessage) => void, answer = 'ok'): Promise<string> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        keep(Buffer.concat(chunks).toString('utf8'), request);
        response.setHeader('content-type', 'application/json');
        response.end(answer);
      });
    });
    receivers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'ensure-built.mjs')], { cwd: root, stdio: 'inherit' });
    database = await createScratchDatabase('leak');
    const slack = await receiver((body) => captured.notifications.push(body));
    const otlp = await receiver((body) => captured.spans.push(body), '{}');
    const codec = new EventCodec();
    for (const { name } of declaredTopics()) {
      const reader = await TopicReader.atEnd(kafka, name);
      readers.push(reader);
      await reader.start(`secret-leak-${hex(6)}`, ({ message }) => {
        const headers = Object.entries(message.headers ?? {}).map(([k, v]) => `${k}=${String(v)}`);
        const value = message.value ?? Buffer.alloc(0);
        let decoded = '';
        try {
          const event = codec.decode(value);
          kafkaEventIds.add(event.eventId);
          decoded = JSON.stringify(event, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
        } catch {
          // a dead letter's value may be undecodable: its raw bytes are scanned all the same
        }
        captured.kafka.push(
          `${message.key?.toString('latin1')} ${value.toString('latin1')} ${headers.join(' ')} ${decoded}`,
        );
      });
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      EVALVAULT_DATA_DIR: join(scratch, 'data'),
      PORT: '0',
      EVALVAULT_OIDC_PORT: '0',
      DATABASE_URL: database.url,
      KAFKA_BROKERS: testKafkaSettings('secret-leak').brokers.join(','),
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
      EVALVAULT_BOOTSTRAP_ADMIN_KEY: apiKey,
      EVALVAULT_EGRESS_ALLOW: '127.0.0.1',
      [slackSecretVar]: `${slack}/services/T0/B0/${secrets.vendorToken}`,
      [providerKeyVar]: secrets.providerKey,
      EVALVAULT_JUDGE_PROVIDER: 'ollama',
      EVALVAULT_JUDGE_MODEL: 'judge-1',
      EVALVAULT_JUDGE_BASE_URL: 'http://127.0.0.1:9',
      EVALVAULT_JUDGE_API_KEY_REF: `env:${providerKeyVar}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    child = spawn(process.execPath, [join(root, 'apps/embedded/dist/main.js')], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (captured.logs += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (captured.logs += chunk.toString()));
    const deadline = Date.now() + 120_000;
    while (!base) {
      base = /EvalVault is running at (http:\/\/\S+)/.exec(captured.logs)?.[1] ?? '';
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no start:\n${captured.logs.slice(-3000)}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await Promise.all(readers.map((reader) => reader.stop()));
    await Promise.all(receivers.map((server) => new Promise((done) => server.close(done))));
    await database?.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const call = (method: string, path: string, body?: unknown, key = apiKey, extra: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...extra },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  /** Waits (30 s at most) until the relay has published every stored event and the readers have it. */
  async function everyStoredEventOnKafka(): Promise<void> {
    const codec = new EventCodec();
    const reader = new pg.Client({ connectionString: database.url });
    await reader.connect();
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { rows } = await reader.query<{ data: Buffer }>('SELECT data FROM eventstore.events');
        const missing = rows.filter((row) => !kafkaEventIds.has(codec.decode(row.data).eventId));
        if (missing.length === 0 || Date.now() > deadline) return;
        await new Promise((done) => setTimeout(done, 250));
      }
    } finally {
      await reader.end();
    }
  }

  it('a failed gate sent to Slack leaves no planted secret in logs, events, Kafka, spans or the message', async () => {
    const route = await call('POST', '/v1/projects/default/notification-routes', {
      name: 'leak-drill',
      on: ['GateFailed'],
      destination: { type: 'slack', webhookUrlRef: `env:${slackSecretVar}` },
    });
    expect(route.status).toBe(201);
    // The secret where clients put secrets by mistake: a query string, an unknown header, a wrong key.
    await call('GET', `/v1/projects/default/runs?api_key=${apiKey}&token=${secrets.providerKey}`);
    await call('GET', '/v1/projects/default/runs', undefined, apiKey, { 'x-api-key': apiKey });
    expect(
      (await call('GET', '/v1/projects/default/runs', undefined, `evk_${hex(6)}_${secrets.guessedKeySecret}`)).status,
    ).toBe(401);
    const submitted = await call('POST', '/v1/projects/default/runs', {
      dataset: {
        name: 'leak-drill',
        cases: [
          {
            question: `Who answers ${pii.email}?`,
            answer: `Call ${pii.phone}`,
            contexts: [`Contact ${pii.email} or ${pii.phone}`],
            ground_truth: 'someone else',
          },
        ],
      },
      metrics: ['exact_match'],
      gate: { rules: ['mean(exact_match) >= 0.99'] },
      labels: { note: 'leak drill' },
    });
    expect(submitted.status).toBe(202);
    const deadline = Date.now() + 60_000;
    while (captured.notifications.length === 0) {
      if (Date.now() > deadline) throw new Error(`no Slack message:\n${captured.logs.slice(-3000)}`);
      await new Promise((done) => setTimeout(done, 200));
    }
    await new Promise((done) => setTimeout(done, 1_500)); // the last spans and deliveries
    await everyStoredEventOnKafka();
    child.kill('SIGTERM'); // the SDK flushes its spans on the way out
    await once(child, 'exit');

    const reader = new pg.Client({ connectionString: database.url });
    await reader.connect();
    const { rows } = await reader.query<{ data: Buffer }>('SELECT data FROM eventstore.events');
    await reader.end();
    const codec = new EventCodec();
    // Positive control for the Kafka scan: every stored event reached its topic and was read back.
    expect(rows.map((row) => codec.decode(row.data).eventId).filter((id) => !kafkaEventIds.has(id))).toEqual([]);
    const asJson = (value: unknown) =>
      JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    const events = rows.map((row) => `${row.data.toString('latin1')} ${asJson(codec.decode(row.data))}`);
    const places: Record<string, string[]> = {
      logs: captured.logs.split('\n'),
      events,
      kafka: captured.kafka,
      spans: captured.spans,
      notifications: captured.notifications,
    };
    const found: Record<string, Record<string, number>> = {};
    const count = (needle: string) =>
      Object.fromEntries(
        Object.entries(places).map(([place, items]) => [place, items.filter((i) => i.includes(needle)).length]),
      );
    for (const [name, value] of Object.entries({ ...secrets, apiKey })) found[name] = count(value);
    for (const [name, value] of Object.entries(pii)) found[`pii.${name}`] = count(value);
    process.stdout.write(
      `leak drill: ${places.logs!.length} log lines, ${events.length} events, ` +
        `${captured.kafka.length} Kafka messages, ${captured.spans.length} span exports, ` +
        `${captured.notifications.length} notifications; hits ${JSON.stringify(found)}\n`,
    );
    expect(events.length).toBeGreaterThan(5);
    expect(captured.kafka.length).toBeGreaterThan(5);
    // Positive controls: the scan sees what each place holds (the routes on spans, the run in the message).
    const runId = ((await submitted.json()) as { runId: string }).runId;
    expect(captured.spans.join(' ')).toContain('POST /v1/projects/:project/runs');
    expect(captured.notifications.join(' ')).toContain(runId);
    expect(events.join(' ')).toContain(runId);
    const zero = { logs: 0, events: 0, kafka: 0, spans: 0, notifications: 0 };
    for (const name of [...Object.keys(secrets), 'apiKey']) expect({ [name]: found[name] }).toEqual({ [name]: zero });
    // PII: the platform's policy redacts secrets, not evaluation data (docs/security.md): the cases are stored
    // and published as given, but never logged or put on spans.
    for (const name of ['pii.email', 'pii.phone'])
      expect({ [name]: { logs: found[name]!.logs, spans: found[name]!.spans } }).toEqual({
        [name]: { logs: 0, spans: 0 },
      });
  });
});
