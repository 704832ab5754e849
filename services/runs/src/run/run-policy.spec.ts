import type { ProjectPolicy } from '@evalvault/contracts';
import { capReached, modelAllowed, policyViolation } from './run-policy.js';

const policy = (overrides: Partial<ProjectPolicy>): ProjectPolicy => ({
  revision: 3,
  allowedModels: null,
  allowedMetrics: null,
  dailyCapUsd: null,
  monthlyCapUsd: null,
  approvedVersionsOnly: false,
  ...overrides,
});
const judge = { provider: 'openai', model: 'gpt-4o-mini', parametersJson: '{}' };
const deterministic = { metrics: ['token_f1'], judge: null, modelProfileModel: null };

describe("a run checked against its project's policy", () => {
  it('allows anything without a policy, or with one that limits nothing', () => {
    expect(policyViolation(null, { metrics: ['faithfulness'], judge, modelProfileModel: 'x:y' })).toBeNull();
    expect(policyViolation(policy({}), { metrics: ['faithfulness'], judge, modelProfileModel: 'x:y' })).toBeNull();
  });

  it('names the policy, the field and the metric it does not allow', () => {
    const only = policy({ allowedMetrics: ['token_f1', 'exact_match'] });
    expect(policyViolation(only, deterministic)).toBeNull();
    expect(policyViolation(only, { ...deterministic, metrics: ['token_f1', 'bleu'] })).toBe(
      'project policy (revision 3): allowedMetrics does not allow metric bleu (allowed: token_f1, exact_match)',
    );
    expect(policyViolation(policy({ allowedMetrics: [] }), deterministic)).toMatch(/metric token_f1 \(allowed: none\)/);
  });

  it("names the judge's or the model profile's model it does not allow; provider:* allows a provider", () => {
    const anthropic = policy({ allowedModels: ['anthropic:*', 'openai:gpt-4o'] });
    expect(policyViolation(anthropic, { metrics: ['faithfulness'], judge, modelProfileModel: null })).toBe(
      "project policy (revision 3): allowedModels does not allow the judge's model openai:gpt-4o-mini " +
        '(allowed: anthropic:*, openai:gpt-4o)',
    );
    const uses = { metrics: ['token_f1'], judge: null, modelProfileModel: 'ollama:llama3' };
    expect(policyViolation(anthropic, uses)).toMatch(/the model profile's model ollama:llama3/);
    expect(policyViolation(anthropic, { ...uses, modelProfileModel: 'anthropic:claude-3-5-haiku' })).toBeNull();
    expect(policyViolation(anthropic, deterministic)).toBeNull(); // no model is called
  });

  it('matches a model exactly or by its provider', () => {
    expect(modelAllowed(['openai:gpt-4o'], 'openai:gpt-4o')).toBe(true);
    expect(modelAllowed(['openai:gpt-4o'], 'openai:gpt-4o-mini')).toBe(false);
    expect(modelAllowed(['openai:*'], 'openai:gpt-4o-mini')).toBe(true);
    expect(modelAllowed(['openai:*'], 'azure_openai:gpt-4o')).toBe(false);
  });

  it('refuses a judged run while a cap is spent, naming the cap and the spend', () => {
    const spend = { day: '2026-03-04', todayUsd: 2, monthUsd: 9.5 };
    expect(capReached(policy({ dailyCapUsd: 2.5, monthlyCapUsd: 10 }), spend)).toBeNull();
    expect(capReached(policy({ dailyCapUsd: 2 }), spend)).toBe(
      'project policy (revision 3): dailyCapUsd 2 is spent (2 USD on 2026-03-04 UTC)',
    );
    expect(capReached(policy({ monthlyCapUsd: 9.5 }), spend)).toBe(
      'project policy (revision 3): monthlyCapUsd 9.5 is spent (9.5 USD in 2026-03)',
    );
    expect(capReached(null, spend)).toBeNull();
  });
});
