import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { JudgeRequest, LlmJudge } from '@evalvault/evaluation';
import { PluginError, PluginErrorCode } from './plugin.errors.js';

/** Built, the thread is plugin-thread.js beside this file; from src (tests) Node runs the .ts itself. */
const THREAD_URL = ((): URL => {
  const built = new URL('./plugin-thread.js', import.meta.url);
  return existsSync(fileURLToPath(built)) ? built : new URL('./plugin-thread.ts', import.meta.url);
})();

/** A plugin metric as its module describes it, checked by the host. */
export interface DescribedMetric {
  name: unknown;
  description: unknown;
  kind: unknown;
  requires: unknown;
  scores: boolean;
}

export interface ThreadLimits {
  /** Longest a case may compute (time waiting for the judge not counted). */
  caseTimeoutMs: number;
  /** The thread's heap (V8 old generation) limit. */
  memoryMb: number;
  /** Longest the module may take to load. */
  loadTimeoutMs: number;
}

/** What one case's run in the thread answered: the raw result, checked by the host. */
export interface RawResult {
  score: unknown;
  explanation: unknown;
}

export interface CaseCall {
  metric: string;
  testCase: unknown;
  options: Record<string, unknown>;
  /** The run's judge, for metrics of kind llm; purpose is prefixed with the metric's name. */
  judge: LlmJudge | null;
}

type FromThread =
  | { type: 'ready'; metrics: DescribedMetric[] }
  | { type: 'load-failed'; message: string }
  | { type: 'result'; id: number; score: unknown; explanation: unknown }
  | { type: 'error'; id: number; message: string }
  | { type: 'judge'; callId: number; request: unknown };

/**
 * One worker thread of one plugin: heap-limited, with no environment (a plugin reads no secret of
 * the service), one case at a time. A case that overruns or exhausts the heap ends the thread; the
 * host starts another for the next case.
 */
export class PluginThread {
  private alive = true;
  private nextId = 0;

  private constructor(
    private readonly worker: Worker,
    private readonly label: string,
    private readonly limits: ThreadLimits,
    readonly metrics: DescribedMetric[],
  ) {
    // Always heard: an error event nobody listens to (a plugin's timer throwing between cases) would end the process.
    worker.on('exit', () => (this.alive = false)).on('error', () => (this.alive = false));
  }

  get usable(): boolean {
    return this.alive;
  }

  static start(metricsUrl: string, label: string, limits: ThreadLimits): Promise<PluginThread> {
    const worker = new Worker(THREAD_URL, {
      workerData: { metricsUrl },
      env: {},
      resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
    return new Promise((resolve, reject) => {
      const fail = (why: string): void => {
        clearTimeout(timer);
        void worker.terminate();
        reject(new PluginError(PluginErrorCode.LoadFailed, `plugin ${label}: its metrics module ${why}`));
      };
      const timer = setTimeout(() => fail(`did not load within ${limits.loadTimeoutMs} ms`), limits.loadTimeoutMs);
      worker.once('error', (error) => fail(`failed to load: ${error.message}`));
      worker.once('exit', (code) => fail(`ended while loading (exit code ${code})`));
      worker.once('message', (message: FromThread) => {
        if (message.type !== 'ready') return fail(`failed to load: ${'message' in message ? message.message : '?'}`);
        clearTimeout(timer);
        worker.removeAllListeners('error').removeAllListeners('exit');
        resolve(new PluginThread(worker, label, limits, message.metrics));
      });
    });
  }

  /** Runs one case; rejects with a PluginError (or the judge's own error) when it cannot be scored. */
  run(call: CaseCall): Promise<RawResult> {
    const id = this.nextId++;
    const { worker, label, limits } = this;
    return new Promise((resolve, reject) => {
      let remainingMs = limits.caseTimeoutMs;
      let startedAt = Date.now();
      let timer: NodeJS.Timeout | undefined;
      let judgeCallsOpen = 0;
      let judgeError: unknown = null;
      let done = false;
      const clock = (running: boolean): void => {
        if (timer) clearTimeout(timer);
        timer = undefined;
        if (done) return;
        if (!running) return void (remainingMs -= Date.now() - startedAt);
        startedAt = Date.now();
        timer = setTimeout(
          () => {
            end(
              new PluginError(
                PluginErrorCode.Timeout,
                `${label}: "${call.metric}" ran over ${limits.caseTimeoutMs} ms`,
              ),
            );
            void worker.terminate();
          },
          Math.max(0, remainingMs),
        );
      };
      const end = (error: unknown, result?: RawResult): void => {
        if (done) return;
        done = true;
        if (timer) clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (error) reject(error);
        else resolve(result!);
      };
      const onMessage = (message: FromThread): void => {
        if (message.type === 'judge') return void askJudge(message.callId, message.request);
        if (!('id' in message) || message.id !== id) return;
        if (message.type === 'result') return end(null, { score: message.score, explanation: message.explanation });
        end(
          judgeError ?? new PluginError(PluginErrorCode.Threw, `${label}: "${call.metric}" threw: ${message.message}`),
        );
      };
      const onError = (error: Error & { code?: string }): void => {
        this.alive = false;
        end(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new PluginError(PluginErrorCode.MemoryLimit, `${label}: "${call.metric}" reached ${limits.memoryMb} MB`)
            : new PluginError(
                PluginErrorCode.Crashed,
                `${label}: "${call.metric}" crashed its thread: ${error.message}`,
              ),
        );
      };
      const onExit = (code: number): void =>
        end(new PluginError(PluginErrorCode.Crashed, `${label}: "${call.metric}" ended its thread (exit ${code})`));
      const askJudge = (callId: number, request: unknown): void => {
        const reply = (message: object): void => {
          if (this.alive) worker.postMessage({ callId, ...message });
        };
        const checked = judgeRequestOf(call, request);
        if (typeof checked === 'string') return reply({ type: 'judge-failed', message: checked });
        if (judgeCallsOpen++ === 0) clock(false);
        call
          .judge!.complete(checked)
          .then(
            (text) => reply({ type: 'judged', text }),
            (error: unknown) => {
              judgeError ??= error;
              reply({ type: 'judge-failed', message: (error as Error).message });
            },
          )
          .finally(() => {
            if (--judgeCallsOpen === 0) clock(true);
          });
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      clock(true);
      worker.postMessage({ type: 'score', id, metric: call.metric, testCase: call.testCase, options: call.options });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** The judge request, or why the metric may not make it. */
function judgeRequestOf(call: CaseCall, request: unknown): JudgeRequest | string {
  if (!call.judge) return `metric "${call.metric}" has no judge (only metrics of kind "llm" do)`;
  const r = request as Partial<JudgeRequest> | null;
  if (typeof r?.purpose !== 'string' || typeof r.prompt !== 'string' || typeof r.json !== 'boolean')
    return 'a judge request needs {purpose: string, prompt: string, json: boolean, system?: string}';
  return {
    purpose: `${call.metric}.${r.purpose}`,
    prompt: r.prompt,
    json: r.json,
    ...(typeof r.system === 'string' ? { system: r.system } : {}),
  };
}
