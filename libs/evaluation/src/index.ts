// Public API of @evalvault/evaluation; each area adds its exports below.
export type { EvaluationCase, MetricResult } from './model/evaluation-case.js';
export type { JudgeRequest, LlmJudge } from './model/llm-judge.port.js';
export * from './metrics/index.js';
export * from './gates/index.js';
export * from './datasets/index.js';
export * from './statistics/index.js';
