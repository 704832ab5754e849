import {
  MetricError,
  type EvaluationCase,
  type LlmJudge,
  type MetricKind,
  type MetricRequirement,
  type MetricResult,
} from '@evalvault/evaluation';
import { assertMetricName } from './plugin-checks.js';
import type { PluginPackage } from './plugin-package.adapter.js';
import { PluginThread, type DescribedMetric, type RawResult, type ThreadLimits } from './plugin-thread-handle.js';
import { PluginError, PluginErrorCode } from './plugin.errors.js';

export interface PluginLimits extends ThreadLimits {
  /** Threads per plugin: as many cases of its metrics at once. */
  threads: number;
}

/** A plugin metric as the host checked its module's description. */
export interface PluginMetricInfo {
  name: string;
  description: string;
  kind: MetricKind;
  requires: MetricRequirement[];
}

/**
 * One plugin's metrics behind a small pool of worker threads: a case takes an idle thread (or
 * starts one, up to `threads`), and a thread that died of its case is replaced on the next.
 */
export class PluginHost {
  private readonly idle: PluginThread[];
  private total = 1;
  private readonly waiting: (() => void)[] = [];

  private constructor(
    readonly plugin: PluginPackage,
    readonly metrics: readonly PluginMetricInfo[],
    private readonly limits: PluginLimits,
    first: PluginThread,
  ) {
    this.idle = [first];
  }

  get label(): string {
    return `${this.plugin.manifest.name}@${this.plugin.manifest.version}`;
  }

  /** Loads the plugin's module in a first thread and checks what it declares. */
  static async start(plugin: PluginPackage, limits: PluginLimits): Promise<PluginHost> {
    const label = `${plugin.manifest.name}@${plugin.manifest.version}`;
    const first = await PluginThread.start(plugin.metricsUrl, label, limits);
    try {
      const metrics = first.metrics.map((described) => checkedMetric(label, described));
      if (metrics.length === 0) throw new PluginError(PluginErrorCode.BadManifest, `plugin ${label} exports no metric`);
      return new PluginHost(plugin, metrics, limits, first);
    } catch (error) {
      await first.close();
      throw error;
    }
  }

  async score(
    metric: string,
    testCase: EvaluationCase,
    options: Record<string, unknown>,
    judge: LlmJudge | null,
  ): Promise<MetricResult> {
    const thread = await this.acquire();
    try {
      return checkedResult(this.label, metric, await thread.run({ metric, testCase, options, judge }));
    } finally {
      this.release(thread);
    }
  }

  async close(): Promise<void> {
    const threads = this.idle.splice(0);
    await Promise.all(threads.map((thread) => thread.close()));
  }

  private async acquire(): Promise<PluginThread> {
    for (;;) {
      const thread = this.idle.pop();
      if (thread?.usable) return thread;
      if (thread) {
        this.total--;
        continue;
      }
      if (this.total < this.limits.threads) {
        this.total++;
        try {
          return await PluginThread.start(this.plugin.metricsUrl, this.label, this.limits);
        } catch (error) {
          this.total--;
          this.waiting.shift()?.();
          throw error;
        }
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(thread: PluginThread): void {
    if (thread.usable) this.idle.push(thread);
    else this.total--;
    this.waiting.shift()?.();
  }
}

const KINDS: readonly MetricKind[] = ['deterministic', 'llm'];
const REQUIREMENTS: readonly MetricRequirement[] = ['groundTruth', 'contexts'];

function checkedMetric(label: string, described: DescribedMetric): PluginMetricInfo {
  const name = assertMetricName(label, described.name);
  const bad = (why: string): PluginError =>
    new PluginError(PluginErrorCode.BadManifest, `plugin ${label}, metric "${name}": ${why}`);
  if (!described.scores) throw bad('has no score function');
  if (typeof described.description !== 'string') throw bad('needs a one-line "description"');
  if (!KINDS.includes(described.kind as MetricKind)) throw bad(`"kind" must be one of ${KINDS.join(', ')}`);
  const requires = described.requires;
  if (!Array.isArray(requires) || requires.some((r) => !REQUIREMENTS.includes(r as MetricRequirement)))
    throw bad(`"requires" must list some of ${REQUIREMENTS.join(', ')}`);
  return {
    name,
    description: described.description,
    kind: described.kind as MetricKind,
    requires: requires as MetricRequirement[],
  };
}

/** Rounding drift is clamped into [0, 1], as for built-in metrics; anything else fails the case. */
function checkedResult(label: string, metric: string, raw: RawResult): MetricResult {
  const { score, explanation } = raw;
  if (typeof score !== 'number' || !Number.isFinite(score) || score < -1e-9 || score > 1 + 1e-9)
    throw new PluginError(
      PluginErrorCode.BadResult,
      `${label}: "${metric}" answered score ${JSON.stringify(score) ?? String(score)}, not a number in [0, 1]`,
    );
  if (typeof explanation !== 'string')
    throw new PluginError(PluginErrorCode.BadResult, `${label}: "${metric}" answered no explanation string`);
  return { score: Math.min(1, Math.max(0, score)), explanation };
}

/** Requirements checked here, before the case crosses to the thread, with the built-in metrics' errors. */
export function assertCaseMeets(metric: PluginMetricInfo, testCase: EvaluationCase, judge: LlmJudge | null): void {
  const { name } = metric;
  const missing = (code: 'MISSING_GROUND_TRUTH' | 'MISSING_CONTEXTS' | 'MISSING_JUDGE', why: string): MetricError =>
    new MetricError(code, name, `Metric "${name}" ${why}`, { caseId: testCase.id });
  if (metric.requires.includes('groundTruth') && (testCase.groundTruth ?? null) === null)
    throw missing('MISSING_GROUND_TRUTH', `needs a ground truth, but case "${testCase.id}" has none`);
  if (metric.requires.includes('contexts') && !(testCase.contexts?.length > 0))
    throw missing('MISSING_CONTEXTS', `needs retrieved contexts, but case "${testCase.id}" has none`);
  if (metric.kind === 'llm' && !judge)
    throw missing('MISSING_JUDGE', `is judged by an LLM, but no judge was given to score case "${testCase.id}"`);
}
