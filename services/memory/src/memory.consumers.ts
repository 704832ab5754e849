/** Memory's read model: its own events (facts, behaviours, learnings, policy, deletions, maintenance). */
export const READ_MODEL = Symbol('memory-read-model');
/** Formation: the runs topic's RunRequested, CaseEvaluated, CaseFailed and RunCompleted, and GateFailed. */
export const FORMATION = Symbol('memory-formation');
