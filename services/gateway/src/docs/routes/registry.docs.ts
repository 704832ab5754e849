import type { RouteDoc, RouteKey } from '../route-doc.js';

const PROJECT = '/v1/projects/{project}';

const REGISTERED = {
  200: 'This content was already registered: its version',
  201: 'Created: the next version',
} as const;

/** The routes every registry kind has: list, get, versions, a version, approve or reject one. */
function versionedKind(path: string, id: string, noun: string): Record<RouteKey, RouteDoc> {
  const resource = `${PROJECT}/${path}/{${id}}`;
  return {
    [`GET ${PROJECT}/${path}`]: {
      summary: `List ${noun}s`,
      description: `The project's ${noun}s, a page at a time (\`limit\`, then \`cursor\` from \`nextCursor\`).`,
      success: { 200: `A page of ${noun}s` },
    },
    [`GET ${resource}`]: {
      summary: `Get a ${noun}`,
      description: `The ${noun} with its latest version.`,
      success: { 200: `The ${noun}` },
    },
    [`GET ${resource}/versions`]: {
      summary: `List a ${noun}'s versions`,
      description: 'Newest first, each with its content hash and approval, a page at a time.',
      success: { 200: 'A page of versions' },
    },
    [`GET ${resource}/versions/{version}`]: {
      summary: `Get a ${noun} version`,
      description:
        'Its content hash, who approved or rejected it, when and why, and its lineage: the runs that pinned ' +
        'this version.',
      success: { 200: 'The version' },
    },
    [`POST ${resource}/versions/{version}/approve`]: {
      summary: `Approve a ${noun} version`,
      description:
        'Records the approval (with an optional `comment`); a project whose policy requires approval runs ' +
        'approved versions only. Approving again changes nothing. Needs the approver role.',
      success: { 200: 'The version, approved' },
    },
    [`POST ${resource}/versions/{version}/reject`]: {
      summary: `Reject a ${noun} version`,
      description:
        'Records the rejection with its `reason` (required), as a `RegistryVersionRejected` event in the audit log. ' +
        'A rejected version is never approved (409; register changed content as a new version), never ' +
        'the `approved` label, and a project that runs approved versions only refuses it (422 ' +
        '`VERSION_NOT_APPROVED`). Rejecting again changes nothing; rejecting an approved version is a 409. ' +
        'Needs the approver role.',
      success: { 200: 'The version, rejected' },
      example: { request: { reason: 'The template leaks customer names into the answer' } },
    },
  };
}

export const REGISTRY_DOCS: Record<RouteKey, RouteDoc> = {
  [`POST ${PROJECT}/datasets`]: {
    summary: 'Register a dataset version',
    description:
      'The cases as JSON (`{name, description?, cases}`, up to 10 MiB), or streamed as JSON Lines with ' +
      '`Content-Type: application/x-ndjson` and `?name=` (constant memory, up to the upload limit, 256 MiB ' +
      'by default). Every case is validated as a run would validate it, and an invalid upload is refused whole, ' +
      'naming each bad line. Content is versioned by its hash: the same cases, however formatted, are the same ' +
      'version. Run it by reference: `{"dataset": {"id": …, "version": …}}`.',
    success: REGISTERED,
    example: {
      request: {
        name: 'help-desk',
        description: 'Help-desk questions with reviewed answers',
        cases: [
          {
            id: 'vpn',
            question: 'How do I connect to the network from home?',
            answer: 'Use the GlobalGate VPN client.',
            contexts: ['IT-014 Remote access. Staff connect with the GlobalGate VPN client.'],
            ground_truth: 'Connect with the GlobalGate VPN client.',
          },
        ],
      },
    },
  },
  [`GET ${PROJECT}/datasets/{datasetId}/versions/{version}/cases`]: {
    summary: "List a dataset version's cases",
    description: 'The cases as registered (canonical form, default ids filled in), a page at a time.',
    success: { 200: 'A page of cases' },
  },
  [`POST ${PROJECT}/prompts`]: {
    summary: 'Register a prompt version',
    description:
      'A template (`{{variable}}` placeholders) and the variables it uses; the same template again is the ' +
      'same version.',
    success: REGISTERED,
  },
  [`POST ${PROJECT}/model-profiles`]: {
    summary: 'Register a model profile version',
    description: 'A provider, a model and its parameters (temperature, …); the same profile again is the same version.',
    success: REGISTERED,
  },
  ...versionedKind('datasets', 'datasetId', 'dataset'),
  ...versionedKind('prompts', 'promptId', 'prompt'),
  ...versionedKind('model-profiles', 'modelProfileId', 'model profile'),
  [`GET ${PROJECT}/policy`]: {
    summary: "Get the project's policy",
    description:
      'What runs of this project may use and spend: `allowedModels` (`provider:model` or `provider:*`, for the ' +
      "judge and the model profile), `allowedMetrics`, `dailyCapUsd` and `monthlyCapUsd` (the project's LLM " +
      'spend per UTC day and calendar month, across its runs) and `approvedVersionsOnly`; null does not limit. ' +
      '`revision` 0 is the default policy, never set. `operatorRequiresApproval`: the operator requires approved ' +
      'versions of this project whatever the policy says.',
    success: { 200: 'The policy in force' },
  },
  [`PUT ${PROJECT}/policy`]: {
    summary: "Set the project's policy",
    description:
      'Sets the policy whole (a field left out does not limit) and answers it; a change is the next `revision`, ' +
      'recorded as a `ProjectPolicyChanged` event in the audit log with the `reason`. Runs submitted from then on ' +
      'are checked against it (422 `POLICY_VIOLATION` naming the field and the value) and pin it; its caps stop ' +
      'a run that spends past one (`RunFailed`, reason `budget`). Runs already submitted keep the policy they ' +
      'pinned. 400: an unknown metric, a malformed model entry or a negative cap. Needs the admin role.',
    success: { 200: 'The policy in force' },
    example: {
      request: {
        allowedModels: ['openai:gpt-4o-mini', 'anthropic:*'],
        allowedMetrics: ['faithfulness', 'answer_relevancy_llm', 'token_f1'],
        dailyCapUsd: 20,
        monthlyCapUsd: 300,
        approvedVersionsOnly: true,
        reason: 'production project',
      },
    },
  },
};
