import type { MemoryPolicyView } from '@evalvault/service-apis';

/** The spec's default memory policy, for tests that search without the policy domain. */
export const DEFAULT_MEMORY_POLICY_VIEW: MemoryPolicyView = {
  projectId: 'default',
  version: 0,
  policy: {
    inferredUsableBeforeVerification: false,
    formation: { factMinFaithfulness: 0.7, behaviourMinScore: 0.8 },
    decay: { factor: 0.95, periodDays: 30 },
    forgetting: { maxAgeDays: 365, minVerificationCount: 1, minScore: 0.2 },
    consolidation: { enabled: true, objectSimilarity: 0.8 },
    search: { textWeight: 0.6, verificationWeight: 0.3, recencyWeight: 0.1, recencyHalfLifeDays: 90 },
    learning: { emaAlpha: 0.3 },
    maintenance: { intervalMinutes: 60 },
  },
};
