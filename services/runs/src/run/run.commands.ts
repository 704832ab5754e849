import { createHash } from 'node:crypto';
import type {
  JudgeSnapshot,
  ProjectPolicy,
  RejectedRow,
  RunRequestedPayload,
  TestCase,
  VersionRef,
} from '@evalvault/contracts';
import {
  casesFromInline,
  GateRuleListError,
  isMissingBaselinePolicy,
  learnedBaselineIssues,
  parseGateRules,
  printGateRule,
  type MissingBaselinePolicy,
} from '@evalvault/evaluation';
import { ForeignStreamError, type CommandContext } from '@evalvault/platform';
import type { SubmitRunRequest, SubmittedRun } from '@evalvault/service-apis';
import { RunError, RunErrorCode } from './run.errors.js';
import { runStreamId, type RunRepository } from './run.repository.js';
import { isTerminal } from './run.decider.js';
import { judgeOfRun, requireJudgeFor } from './judge-snapshot.js';
import { BUILT_IN_METRICS, type MetricCatalog } from '../plugins/metric-catalog.js';
import { assertAllowedByPolicy, capReached, type SpendToDate } from './run-policy.js';

/**
 * Part of every run's configHash: a change to how a metric scores is a new version, so runs scored
 * differently never share a hash. 0.2.0: rouge_l as rouge-score, bleu as NLTK's sentence_bleu,
 * exact_match and token_f1 normalised exactly as the SQuAD script.
 */
export const EVALUATOR_VERSION = '0.2.0';

/** The request the gateway forwards (see @evalvault/service-apis). */
export type SubmitRunInput = SubmitRunRequest;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const uuidOf = (hex: string): string =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;

/**
 * A UUID derived from (tenant, project, key): the store's "stream exists" answers a duplicate
 * request, and the same key in two projects names two runs. JSON keeps the parts apart whatever
 * characters they hold.
 */
function runIdFor(context: CommandContext, idempotencyKey: string): string {
  return uuidOf(
    sha256(JSON.stringify(['run-idempotency/project', context.tenantId, context.projectId, idempotencyKey])),
  );
}

/** How run ids were derived before keys were per project (tenant and key only); see ADR 0022. */
function legacyRunIdFor(tenantId: string, idempotencyKey: string): string {
  return uuidOf(sha256(`run-idempotency\u0000${tenantId}\u0000${idempotencyKey}`));
}

/** What a run pins, and so its configHash covers. */
type PinnedConfiguration = Pick<
  RunRequestedPayload,
  | 'dataset'
  | 'prompt'
  | 'modelProfile'
  | 'metrics'
  | 'gateRules'
  | 'evaluatorVersion'
  | 'missingBaseline'
  | 'judge'
  | 'memory'
  | 'plugins'
>;

/**
 * The configuration's hash. The missing-baseline policy counts only when a rule names the
 * baseline, the judge only when the run has LLM-judged metrics, memory only when the run uses it
 * and plugins only when a metric is a plugin's, so what was hashed before them (a deterministic run
 * without baseline rules) keeps its hash, and a change of judge, plugin, policy or baseline source
 * that can change a verdict changes it.
 */
function configHashOf(pinned: PinnedConfiguration): string {
  const { missingBaseline, judge, memory, plugins, ...rest } = pinned;
  const usesBaseline = parseGateRules(pinned.gateRules).some((rule) => rule.threshold.kind === 'baseline');
  return sha256(
    JSON.stringify({
      ...rest,
      ...(usesBaseline ? { missingBaseline } : {}),
      ...(judge ? { judge } : {}),
      ...(memory?.use ? { memory } : {}),
      ...(plugins ? { plugins } : {}),
    }),
  );
}

/** What a tenant's project has spent on LLM calls today and this month (UTC), for its policy's caps. */
export type SpendOf = (owner: { tenantId: string; projectId: string }) => Promise<SpendToDate>;

/** The run commands the gateway calls: validate, check the project's policy, pin the configuration, request the run. */
export class RunCommands {
  /**
   * judge: the judge this service scores LLM-judged metrics with, as runs pin it (null: none configured);
   * spendOf: the project's LLM spend, so a run that would call the judge is refused while a cap is spent;
   * catalog: the metrics runs may name, plugin metrics included (a run pins the plugins it uses).
   */
  constructor(
    private readonly runs: RunRepository,
    private readonly newId: () => string,
    private readonly judge: JudgeSnapshot | null = null,
    private readonly spendOf: SpendOf | null = null,
    private readonly catalog: MetricCatalog = BUILT_IN_METRICS,
  ) {}

  async submitRun(input: SubmitRunInput, context: CommandContext): Promise<SubmittedRun> {
    const metrics = validateMetrics(input.metrics, this.catalog);
    requireJudgeFor(metrics, this.judge, this.catalog);
    const gateRules = validateRules(input.gate?.rules ?? []);
    const memory = validateMemoryUse(input.memory, gateRules);
    const judge = judgeOfRun(metrics, this.judge, this.catalog);
    const policy = input.policy ?? null;
    await this.assertAllowed(policy, { metrics, judge, modelProfileModel: input.modelProfileModel ?? null }, context);
    const { dataset, inlineCases } = pinDataset(input.dataset);
    const pinned: PinnedConfiguration = {
      dataset,
      prompt: input.prompt ?? null,
      modelProfile: input.modelProfile ?? null,
      metrics,
      gateRules,
      evaluatorVersion: EVALUATOR_VERSION,
      missingBaseline: validateMissingBaseline(input.gate?.missingBaseline),
      judge,
      memory,
      plugins: this.catalog.pluginsOf(metrics),
    };
    const configHash = configHashOf(pinned);
    const runId = input.idempotencyKey ? await this.runIdForKey(input.idempotencyKey, context) : this.newId();
    const rejectedRows = validateRejectedRows(input.rejectedRows, inlineCases);
    const request: RunRequestedPayload = {
      runId,
      ...pinned,
      configHash,
      labels: input.labels ?? {},
      retryOf: null,
      inlineCases,
      rejectedRows,
      policy,
    };
    const { state } = await this.runs.handle(runStreamId(runId), { type: 'RequestRun', request }, context);
    return { runId, status: state.status, configHash };
  }

  /**
   * The project's policy allows the run's metrics and models, and, for a run that calls the judge,
   * neither cap is spent already (the workers stop a run that spends one while it goes on).
   */
  private async assertAllowed(
    policy: ProjectPolicy | null,
    uses: Parameters<typeof assertAllowedByPolicy>[1],
    context: CommandContext,
  ): Promise<void> {
    assertAllowedByPolicy(policy, uses);
    if (!policy || !uses.judge || !this.spendOf) return;
    if (policy.dailyCapUsd === null && policy.monthlyCapUsd === null) return;
    const reached = capReached(policy, await this.spendOf(context));
    if (reached) throw new RunError(RunErrorCode.PolicyViolation, reached);
  }

  /**
   * The run a key names in this project. A run created before keys were per project has the
   * id derived from tenant and key: if that run is this project's, a retry with its key is
   * still answered with it; another project's is none of this one's business (not refused,
   * not revealed), and this project gets a run of its own.
   */
  private async runIdForKey(idempotencyKey: string, context: CommandContext): Promise<string> {
    const legacyId = legacyRunIdFor(context.tenantId, idempotencyKey);
    try {
      const { revision } = await this.runs.load(runStreamId(legacyId), context);
      if (revision !== null) return legacyId;
    } catch (error) {
      if (!(error instanceof ForeignStreamError)) throw error;
    }
    return runIdFor(context, idempotencyKey);
  }

  /**
   * A new run linked to a finished one (`retryOf`), with the same configuration: every
   * case, or only those not evaluated (failed, or never reached by a cancelled run). It is
   * checked against the project's policy of now (`policy`), and pins it.
   */
  async retryRun(
    runId: string,
    mode: 'all' | 'failed',
    context: CommandContext,
    policy: ProjectPolicy | null = null,
  ): Promise<SubmittedRun> {
    const { state } = await this.runs.load(runStreamId(runId), context);
    if (state.status === 'none') throw new RunError(RunErrorCode.NotFound, `run ${runId} does not exist`);
    if (!isTerminal(state))
      throw new RunError(
        RunErrorCode.NotFinished,
        `run ${runId} is still ${state.status}; cancel it or wait before retrying`,
      );
    const original = state.request!;
    let { dataset, inlineCases } = original;
    // Rejected rows cannot be scored however often they are retried; a retry of everything shows them again.
    let rejectedRows = original.rejectedRows ?? null;
    if (mode === 'failed') {
      rejectedRows = null;
      if (!inlineCases)
        throw new RunError(
          RunErrorCode.InvalidInput,
          `run ${runId} used registered dataset ${dataset.id}: retry it with mode "all"`,
        );
      inlineCases = inlineCases.filter((_, index) => !state.evaluatedIndexes.has(index));
      if (inlineCases.length === 0)
        throw new RunError(RunErrorCode.InvalidInput, `run ${runId} has no failed case to retry`);
      const contentHash = sha256(JSON.stringify(inlineCases));
      dataset = { ...dataset, id: `inline-${contentHash.slice(0, 16)}`, contentHash };
    }
    validateMetrics(original.metrics, this.catalog);
    requireJudgeFor(original.metrics, this.judge, this.catalog);
    // The judge and plugins are those that will score the retry: if they changed since, so does the hash.
    const judge = judgeOfRun(original.metrics, this.judge, this.catalog);
    // The model profile was checked when the original was submitted; the retry pins the same version.
    await this.assertAllowed(policy, { metrics: original.metrics, judge, modelProfileModel: null }, context);
    const pinned: PinnedConfiguration = {
      dataset,
      prompt: original.prompt,
      modelProfile: original.modelProfile,
      metrics: original.metrics,
      gateRules: original.gateRules,
      evaluatorVersion: EVALUATOR_VERSION,
      missingBaseline: original.missingBaseline,
      judge,
      memory: original.memory ?? null,
      plugins: this.catalog.pluginsOf(original.metrics),
    };
    const configHash = configHashOf(pinned);
    const request: RunRequestedPayload = {
      runId: this.newId(),
      ...pinned,
      configHash,
      labels: original.labels,
      retryOf: runId,
      inlineCases,
      rejectedRows,
      policy,
    };
    const result = await this.runs.handle(runStreamId(request.runId), { type: 'RequestRun', request }, context);
    return { runId: request.runId, status: result.state.status, configHash };
  }

  async cancelRun(
    runId: string,
    reason: string | null,
    context: CommandContext,
  ): Promise<{ runId: string; status: string }> {
    const { state } = await this.runs.handle(runStreamId(runId), { type: 'CancelRun', reason }, context);
    return { runId, status: state.status };
  }
}

function validateMetrics(metrics: string[], catalog: MetricCatalog): string[] {
  if (metrics.length === 0) throw new RunError(RunErrorCode.InvalidInput, 'metrics: at least one metric is required');
  const unknown = metrics.filter((metric) => !catalog.names.includes(metric));
  if (unknown.length > 0) {
    throw new RunError(
      RunErrorCode.InvalidInput,
      `metrics: unknown metric(s) ${unknown.join(', ')}; known: ${catalog.names.join(', ')}`,
    );
  }
  return [...new Set(metrics)];
}

function validateMissingBaseline(policy: string | undefined): MissingBaselinePolicy {
  if (policy === undefined) return 'fail';
  if (isMissingBaselinePolicy(policy)) return policy;
  throw new RunError(RunErrorCode.InvalidInput, 'gate.missingBaseline: fail or pass');
}

function validateRules(rules: string[]): string[] {
  try {
    return parseGateRules(rules).map(printGateRule);
  } catch (error) {
    if (!(error instanceof GateRuleListError)) throw error;
    const details = error.issues.map((issue) => `gate.rules[${issue.index}]: ${issue.message}`);
    throw new RunError(RunErrorCode.InvalidInput, details.join('; '), details);
  }
}

/**
 * A run that uses memory: its `baseline` rules must ask for what a learned baseline keeps (mean,
 * p10, p50, p90, pass_rate at memory's threshold); any other is refused, naming the rule and column,
 * rather than judged against something else. Memory not used is null (as before RunRequested v5).
 */
function validateMemoryUse(memory: SubmitRunInput['memory'], gateRules: string[]): { use: true } | null {
  if (memory === undefined || memory === null) return null;
  if (typeof memory !== 'object' || typeof memory.use !== 'boolean')
    throw new RunError(RunErrorCode.InvalidInput, 'memory.use: true or false');
  if (!memory.use) return null;
  const issues = learnedBaselineIssues(parseGateRules(gateRules));
  if (issues.length > 0) {
    const details = issues.map((issue) => `gate.rules[${issue.index}] "${issue.rule}": ${issue.message}`);
    throw new RunError(RunErrorCode.InvalidInput, `memory.use: ${details.join('; ')}`, details);
  }
  return { use: true };
}

/** Rejected rows only come with cases sent inline (a registered dataset is read, and rejected, by the planner). */
function validateRejectedRows(
  rows: SubmitRunInput['rejectedRows'],
  inlineCases: TestCase[] | null,
): RejectedRow[] | null {
  if (!rows || rows.length === 0) return null;
  if (!inlineCases) throw new RunError(RunErrorCode.InvalidInput, 'rejectedRows: only with a dataset of inline cases');
  return rows.map((row, index) => {
    if (!Number.isInteger(row.line) || row.line < 1)
      throw new RunError(RunErrorCode.InvalidInput, `rejectedRows[${index}].line: a 1-based line number is required`);
    const reason = row.reason.startsWith(`line ${row.line}`) ? row.reason : `line ${row.line}: ${row.reason}`;
    return { line: row.line, errorCode: row.errorCode ?? 'INVALID_ROW', reason };
  });
}

function pinDataset(dataset: SubmitRunInput['dataset']): { dataset: VersionRef; inlineCases: TestCase[] | null } {
  if ('id' in dataset) {
    return {
      dataset: { id: dataset.id, name: null, version: dataset.version, contentHash: dataset.contentHash ?? '' },
      inlineCases: null,
    };
  }
  const rows = casesFromInline(dataset.cases);
  const invalid = rows.filter((row) => row.kind === 'invalid');
  if (invalid.length > 0) {
    const details = invalid.map((row) => `dataset.${row.reason}`);
    throw new RunError(
      RunErrorCode.InvalidInput,
      `dataset.cases: ${invalid.length} invalid case(s): ${details.slice(0, 5).join('; ')}`,
      details,
    );
  }
  if (rows.length === 0) throw new RunError(RunErrorCode.InvalidInput, 'dataset.cases: at least one case is required');
  const inlineCases = rows.map((row): TestCase => {
    if (row.kind !== 'case') throw new Error('unreachable');
    const { testCase } = row;
    return {
      id: testCase.id,
      question: testCase.question,
      answer: testCase.answer,
      contexts: testCase.contexts,
      groundTruth: testCase.groundTruth,
      metadataJson: testCase.metadata ? JSON.stringify(testCase.metadata) : null,
    };
  });
  const contentHash = sha256(JSON.stringify(inlineCases));
  return {
    dataset: { id: `inline-${contentHash.slice(0, 16)}`, name: dataset.name, version: null, contentHash },
    inlineCases,
  };
}
