import { deciderSpec } from '@evalvault/platform/testing';
import {
  decideProjectPolicy,
  DEFAULT_PROJECT_POLICY,
  evolveProjectPolicy,
  projectPolicyStreamId,
  type PolicySettings,
  type ProjectPolicyEvent,
} from './project-policy.decider.js';

const policies = deciderSpec({
  decide: decideProjectPolicy,
  evolve: evolveProjectPolicy,
  initialState: DEFAULT_PROJECT_POLICY,
});
const unlimited: PolicySettings = {
  allowedModels: null,
  allowedMetrics: null,
  dailyCapUsd: null,
  monthlyCapUsd: null,
  approvedVersionsOnly: false,
};
const production: PolicySettings = {
  ...unlimited,
  allowedModels: ['openai:gpt-4o-mini', 'anthropic:*'],
  allowedMetrics: ['faithfulness', 'token_f1'],
  dailyCapUsd: 20,
  approvedVersionsOnly: true,
};
const set = (settings: PolicySettings, reason: string | null = null) => ({
  type: 'SetPolicy' as const,
  settings,
  reason,
});
const changed = (
  revision: number,
  settings: PolicySettings,
  fields: string[],
  reason: string | null = null,
): ProjectPolicyEvent => ({
  type: 'ProjectPolicyChanged',
  payload: { policy: { revision, ...settings }, changed: fields, reason },
});

describe('project policy', () => {
  it('is revision 1 when first set, naming the fields that differ from the default', () => {
    policies
      .given([])
      .when(set(production, 'production project'))
      .then([
        changed(
          1,
          production,
          ['allowedModels', 'allowedMetrics', 'dailyCapUsd', 'approvedVersionsOnly'],
          'production project',
        ),
      ]);
  });

  it('is set whole: a field left out no longer limits; each change is the next revision', () => {
    const first = changed(1, production, ['allowedModels', 'allowedMetrics', 'dailyCapUsd', 'approvedVersionsOnly']);
    const capsOnly = { ...unlimited, dailyCapUsd: 20, monthlyCapUsd: 300 };
    policies
      .given([first])
      .when(set(capsOnly))
      .then([changed(2, capsOnly, ['allowedModels', 'allowedMetrics', 'monthlyCapUsd', 'approvedVersionsOnly'])]);
  });

  it('decides nothing when the policy in force is set again, or the default on a project without one', () => {
    policies
      .given([changed(1, production, ['allowedModels'])])
      .when(set(production))
      .then([]);
    policies.given([]).when(set(unlimited)).then([]);
  });

  it('drops repeated entries, keeping the first in order', () => {
    const repeated = { ...unlimited, allowedMetrics: ['token_f1', 'bleu', 'token_f1'] };
    policies
      .given([])
      .when(set(repeated))
      .then([changed(1, { ...unlimited, allowedMetrics: ['token_f1', 'bleu'] }, ['allowedMetrics'])]);
  });

  it('allows nothing with an empty list (a frozen project), which differs from no limit', () => {
    const frozen = { ...unlimited, allowedModels: [] };
    policies
      .given([])
      .when(set(frozen))
      .then([changed(1, frozen, ['allowedModels'])]);
  });

  it('refuses an unknown metric, a malformed model entry and a negative cap, naming each', () => {
    policies
      .given([])
      .when(set({ ...unlimited, allowedMetrics: ['token_f1', 'fidelity'] }))
      .thenThrows(/allowedMetrics\[1\]: unknown metric "fidelity"; known: answer_relevancy, .*token_f1/);
    policies
      .given([])
      .when(set({ ...unlimited, allowedModels: ['gpt-4o', 'openai:gpt 4o', 'OpenAI:*'] }))
      .thenThrows(/allowedModels\[0\]: "gpt-4o" is not provider:model.*allowedModels\[1\].*allowedModels\[2\]/);
    policies
      .given([])
      .when(set({ ...unlimited, monthlyCapUsd: -1 }))
      .thenThrows('monthlyCapUsd: a number of USD >= 0, or null for no cap');
    policies
      .given([])
      .when(set({ ...unlimited, dailyCapUsd: Number.POSITIVE_INFINITY }))
      .thenThrows(/dailyCapUsd/);
  });

  it("keeps each tenant's project on its own stream", () => {
    expect(projectPolicyStreamId('acme', 'default')).toMatch(/^projectpolicy-[0-9a-f]{32}$/);
    expect(projectPolicyStreamId('acme', 'default')).not.toBe(projectPolicyStreamId('globex', 'default'));
    expect(projectPolicyStreamId('a', 'b\u0000c')).not.toBe(projectPolicyStreamId('a\u0000b', 'c'));
  });
});
