import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { EventCodec, evaluatedCases, topicOf, type EvalVaultEvent } from '@evalvault/contracts';
import { createKafka, PostgresEventStore } from '@evalvault/platform';
import type { DrillPlatform } from './drill-platform.js';

export { report } from './report.js';

export const CASES = 40;

/** Polls until `probe` answers something truthy; the message names what did not happen. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  explain: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${explain()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A run of CASES cases whose gate fails (so exactly one Slack message is due), judged by the fake LLM. */
export function runRequest(tag: string): Record<string, unknown> {
  const nonce = randomUUID().slice(0, 8); // fresh wording: no judge answer from the cache
  const cases = Array.from({ length: CASES }, (_, i) => ({
    id: `q${i}`,
    question: `What is item ${i} (${nonce})?`,
    answer: `Item ${i} is a thing`,
    contexts: [`Item ${i} is a thing (${nonce}).`],
    ground_truth: `Item ${i} is a thing`,
  }));
  return {
    dataset: { name: `drill-${tag}`, cases },
    metrics: ['token_f1', 'faithfulness'],
    gate: { rules: ['mean(token_f1) >= 1.01'] },
  };
}

interface RunView {
  status: string;
  counts: { evaluated: number };
  costUsd: number;
}

export interface RunCounts {
  status: string;
  evaluated: number;
  caseEventsInStore: number;
  eventsInStore: number;
  duplicateEventsInStore: number;
  eventsOnTopic: number;
  missingOnTopic: number;
  duplicatesOnTopic: number;
  auditEntries: number;
  auditChainBreaks: number;
  slackMessages: number;
  /** The run's cost as its view counts it, minus the sum of its recorded batches' costs: 0 unless doubled. */
  costCountedTwice: number;
  costUsd: number;
  /** Services that exited by themselves during the drill (a drill fails on any), and which. */
  servicesExited: number;
  exits: string;
}

/**
 * Everything a drill asserts about one run, read from the sources of truth: the run's stream, the
 * runs topic of the drill's broker (read from its beginning), the audit log and its chain, the
 * fake Slack, and the run's view through the gateway.
 */
export class RunLedger {
  private readonly pool: pg.Pool;
  private readonly store: PostgresEventStore;
  private readonly codec = new EventCodec();

  constructor(
    private readonly platform: DrillPlatform,
    private readonly databaseUrl: string,
    private readonly brokers: string,
  ) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    // An idle connection cut by a PostgreSQL restart is an 'error' event; unheard, it ends the process.
    this.pool.on('error', () => undefined);
    this.store = new PostgresEventStore(this.pool, this.codec);
  }

  /** Submits a run; a retry passes the same body and key (another body under the same key is a 422). */
  async submit(idempotencyKey?: string, body = runRequest(this.platform.tag)): Promise<Response> {
    return this.platform.api('/runs', {
      method: 'POST',
      headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
      body: JSON.stringify(body),
    });
  }

  async storeEvents(runId: string): Promise<EvalVaultEvent[]> {
    return (await this.store.readStream(`run-${runId}`)).map((r) => r.event);
  }

  async scoredCases(runId: string): Promise<number> {
    const events = await this.storeEvents(runId);
    return events.flatMap((e) => (e.type === 'CaseEvaluated' ? evaluatedCases(e.payload) : [])).length;
  }

  /** The run's view once it finished; fails at once if a service exited by itself meanwhile. */
  async finished(runId: string, timeoutMs = 240_000): Promise<RunView> {
    const exited = this.platform.firstSelfExit.then((exit) => {
      throw new Error(`service ${exit} exited by itself during the drill:\n${this.platform.output()}`);
    });
    return Promise.race([exited, this.finishedRun(runId, timeoutMs)]);
  }

  private finishedRun(runId: string, timeoutMs: number): Promise<RunView> {
    return until(
      `run ${runId} to finish`,
      async () => {
        const response = await this.platform.api(`/runs/${runId}`);
        if (response.status !== 200) return undefined;
        const view = (await response.json()) as RunView;
        return ['completed', 'failed', 'cancelled'].includes(view.status) ? view : undefined;
      },
      timeoutMs,
      () => this.platform.output(),
    );
  }

  /** Event ids of the run's stream on their topics (runs, gates), each as often as it was published. */
  async topicEventIds(runId: string, expected: number, timeoutMs = 30_000): Promise<string[]> {
    const kafka = createKafka({ brokers: [this.brokers], clientId: `drill-reader-${randomUUID()}` });
    const consumer = kafka.consumer({ groupId: `drill-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
    const ids: string[] = [];
    const seen = new Set<string>();
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topicOf('RunRequested'), topicOf('GateFailed')], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          const at = `${topic}:${partition}:${message.offset}`;
          if (seen.has(at) || message.key?.toString() !== `run-${runId}` || !message.value) return;
          seen.add(at); // the same offset fetched again is not a second publication
          ids.push(this.codec.decode(message.value).eventId);
        },
      });
      // Settle: wait for the expected count, then a little longer for any duplicate behind it.
      await until(
        `${expected} events of run ${runId} on the topic`,
        async () => ids.length >= expected,
        timeoutMs,
      ).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    } finally {
      await consumer.disconnect();
    }
    return ids;
  }

  async auditOf(eventIds: string[]): Promise<{ entries: number; chainBreaks: number }> {
    const entries = await this.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM audit.entries WHERE event_id = ANY($1::uuid[])',
      [eventIds],
    );
    // Each entry's prev_hash is the hash of the entry before it, and the sequence has no gap.
    const breaks = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM (
         SELECT seq, prev_hash, lag(hash) OVER (ORDER BY seq) AS before, lag(seq) OVER (ORDER BY seq) AS seq_before
           FROM audit.entries WHERE tenant_id = 'default') chain
        WHERE seq_before IS NOT NULL AND (prev_hash <> before OR seq <> seq_before + 1)`,
    );
    return { entries: Number(entries.rows[0]!.n), chainBreaks: Number(breaks.rows[0]!.n) };
  }

  /** Waits for the run to finish and its effects to settle, then counts everything once. */
  async count(runId: string): Promise<RunCounts> {
    const view = await this.finished(runId);
    const events = await this.storeEvents(runId);
    const ids = events.map((e) => e.eventId);
    const onTopic = await this.topicEventIds(runId, ids.length);
    const topicSet = new Set(onTopic);
    await until('the gate failure in Slack', async () => this.platform.slackMessagesFor(runId) >= 1, 60_000).catch(
      () => undefined,
    );
    await until('the run in the audit log', async () => (await this.auditOf(ids)).entries >= ids.length, 60_000).catch(
      () => undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // a second Slack message would arrive by now
    const audit = await this.auditOf(ids);
    if (audit.entries < ids.length)
      console.log(`audit log behind the store; the audit process said:\n${this.platform.outputOf('audit', 8000)}`);
    const cases = events.flatMap((e) => (e.type === 'CaseEvaluated' ? evaluatedCases(e.payload) : []));
    return {
      status: view.status,
      evaluated: view.counts.evaluated,
      caseEventsInStore: new Set(cases.map((c) => c.caseIndex)).size === cases.length ? cases.length : -cases.length,
      eventsInStore: ids.length,
      duplicateEventsInStore: ids.length - new Set(ids).size,
      eventsOnTopic: topicSet.size,
      missingOnTopic: ids.filter((id) => !topicSet.has(id)).length,
      duplicatesOnTopic: onTopic.length - topicSet.size,
      auditEntries: audit.entries,
      auditChainBreaks: audit.chainBreaks,
      slackMessages: this.platform.slackMessagesFor(runId),
      costUsd: Math.round(view.costUsd * 1e6) / 1e6,
      servicesExited: this.platform.selfExits.length,
      exits: this.platform.selfExits.join(' ') || 'none',
      costCountedTwice: Math.round((view.costUsd - recordedCost(events)) * 1e9) / 1e9 + 0, // + 0: never -0
    };
  }

  async close(): Promise<void> {
    await this.store.close();
    await this.pool.end();
  }
}

/** What every drill expects of a run that completed: each case once, nothing lost or doubled anywhere. */
export function exactlyOnce(counts: RunCounts): Partial<RunCounts> {
  return {
    status: 'completed',
    evaluated: CASES,
    caseEventsInStore: CASES,
    duplicateEventsInStore: 0,
    eventsOnTopic: counts.eventsInStore,
    missingOnTopic: 0,
    duplicatesOnTopic: 0,
    auditEntries: counts.eventsInStore,
    auditChainBreaks: 0,
    slackMessages: 1,
    costCountedTwice: 0,
    servicesExited: 0,
  };
}

function recordedCost(events: EvalVaultEvent[]): number {
  return events
    .flatMap((e) => (e.type === 'CaseEvaluated' ? evaluatedCases(e.payload) : []))
    .reduce((sum, c) => sum + (c.usage?.costUsd ?? 0), 0);
}
