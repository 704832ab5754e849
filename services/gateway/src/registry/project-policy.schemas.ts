/** JSON Schemas of a project's policy routes: strict validation (unknown fields refused) and the OpenAPI document. */
import { PROJECT_PARAMS } from '../http/common-schemas.js';

export { PROJECT_PARAMS };

const modelEntry = {
  type: 'string',
  pattern: '^[a-z][a-z0-9_-]*:(\\*|[^\\s*]+)$',
  maxLength: 300,
  description: '`provider:model` (e.g. `openai:gpt-4o-mini`) or `provider:*`',
} as const;
const metric = { type: 'string', pattern: '^[a-z][a-z0-9_]*$', maxLength: 100 } as const;
const cap = (period: string) =>
  ({
    type: ['number', 'null'],
    minimum: 0,
    description: `LLM spend of the project per ${period}, across its runs, in USD; null: no cap`,
  }) as const;

const POLICY_FIELDS = {
  allowedModels: {
    type: ['array', 'null'],
    maxItems: 200,
    items: modelEntry,
    description: 'The models a run may name, its judge and its model profile; null: any',
  },
  allowedMetrics: {
    type: ['array', 'null'],
    maxItems: 200,
    items: metric,
    description: 'The metrics a run may name; null: any',
  },
  dailyCapUsd: cap('UTC day'),
  monthlyCapUsd: cap('UTC calendar month'),
  approvedVersionsOnly: { type: 'boolean', description: 'Runs pin approved registry versions only' },
} as const;

/** PUT sets the policy whole: a field left out does not limit. */
export const SET_POLICY_BODY = {
  type: 'object',
  properties: {
    ...POLICY_FIELDS,
    reason: { type: ['string', 'null'], maxLength: 2_000, description: 'Why, for the audit log' },
  },
} as const;

export const POLICY_VIEW = {
  type: 'object',
  required: [
    'projectId',
    'revision',
    'allowedModels',
    'allowedMetrics',
    'dailyCapUsd',
    'monthlyCapUsd',
    'approvedVersionsOnly',
    'operatorRequiresApproval',
  ],
  properties: {
    projectId: { type: 'string' },
    revision: { type: 'integer', description: '1 for the policy first set, one more per change; 0: never set' },
    ...POLICY_FIELDS,
    operatorRequiresApproval: {
      type: 'boolean',
      description: "The operator's REGISTRY_APPROVAL_REQUIRED names the project: approved versions only anyway",
    },
  },
} as const;
