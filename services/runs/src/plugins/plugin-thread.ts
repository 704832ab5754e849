/**
 * The worker thread a plugin's metrics run in. Imports nothing of ours, and uses only syntax Node
 * can strip the types of, so that it runs as it is from src (tests) as well as from dist.
 * One case at a time: the host stops the whole thread when a case overruns its time.
 */
import { parentPort, workerData } from 'node:worker_threads';

interface PluginMetricLike {
  name?: unknown;
  description?: unknown;
  kind?: unknown;
  requires?: unknown;
  score?: (testCase: unknown, context: unknown) => unknown;
}

type Incoming =
  | { type: 'score'; id: number; metric: string; testCase: unknown; options: Record<string, unknown> }
  | { type: 'judged'; callId: number; text: string }
  | { type: 'judge-failed'; callId: number; message: string };

const port = parentPort!;
const { metricsUrl } = workerData as { metricsUrl: string };
const judgeCalls = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
let nextCallId = 0;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function start(): Promise<void> {
  let metrics: PluginMetricLike[];
  try {
    const loaded = (await import(metricsUrl)) as { metrics?: unknown; default?: { metrics?: unknown } };
    const list = loaded.metrics ?? loaded.default?.metrics;
    if (!Array.isArray(list)) throw new Error('the module exports no "metrics" array');
    metrics = list as PluginMetricLike[];
  } catch (error) {
    port.postMessage({ type: 'load-failed', message: messageOf(error) });
    return;
  }
  const byName = new Map(metrics.map((metric) => [metric.name, metric]));
  port.on('message', (message: Incoming) => {
    if (message.type === 'score') void score(byName.get(message.metric), message);
    else if (message.type === 'judged') settleJudgeCall(message.callId, (call) => call.resolve(message.text));
    else settleJudgeCall(message.callId, (call) => call.reject(new Error(message.message)));
  });
  port.postMessage({
    type: 'ready',
    metrics: metrics.map((metric) => ({
      name: metric.name,
      description: metric.description,
      kind: metric.kind,
      requires: metric.requires ?? [],
      scores: typeof metric.score === 'function',
    })),
  });
}

async function score(
  metric: PluginMetricLike | undefined,
  message: Extract<Incoming, { type: 'score' }>,
): Promise<void> {
  const { id } = message;
  try {
    if (!metric?.score) throw new Error(`the plugin has no metric "${message.metric}"`);
    const context = { options: message.options, judge: (request: unknown) => askJudge(request) };
    const result = (await metric.score(message.testCase, context)) as { score?: unknown; explanation?: unknown };
    port.postMessage({ type: 'result', id, score: result?.score, explanation: result?.explanation });
  } catch (error) {
    port.postMessage({ type: 'error', id, message: messageOf(error) });
  }
}

function askJudge(request: unknown): Promise<string> {
  const callId = nextCallId++;
  return new Promise((resolve, reject) => {
    judgeCalls.set(callId, { resolve, reject });
    port.postMessage({ type: 'judge', callId, request });
  });
}

function settleJudgeCall(
  callId: number,
  settle: (call: { resolve: (text: string) => void; reject: (error: Error) => void }) => void,
): void {
  const call = judgeCalls.get(callId);
  judgeCalls.delete(callId);
  if (call) settle(call);
}

void start();
