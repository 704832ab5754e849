import type { RouteDoc, RouteKey } from '../route-doc.js';

const MEMORY = '/v1/projects/{project}/memory';

const FACT_EXAMPLE = {
  factId: '3f1c9a0e6b2d4f7a8c5e1d0b9a7f6e4c',
  subject: 'staff',
  predicate: 'connect with',
  object: 'the GlobalGate VPN client',
  domain: 'help-desk',
  language: 'en',
  kind: 'inferred',
  status: 'proposed',
  verificationScore: 0.91,
  verificationCount: 0,
  lastVerifiedAt: null,
  proposedAt: '2026-12-05T10:00:00.000Z',
  sources: [
    { kind: 'run', id: '0b6f2c4e-7d1a-4e5b-9c3f-2a8d6e1f4b7c', runId: null },
    { kind: 'case', id: 'it-001', runId: '0b6f2c4e-7d1a-4e5b-9c3f-2a8d6e1f4b7c' },
  ],
  conflictsWith: [],
  score: 0.83,
};

/** Domain Memory: what the project's runs established, reviewed by people, searchable, forgettable. */
export const MEMORY_DOCS: Record<RouteKey, RouteDoc> = {
  [`GET ${MEMORY}/facts`]: {
    summary: 'Search facts',
    description:
      "The project's facts (subject–predicate–object triples formed from its runs' faithful cases, or imported). " +
      '`q`: full-text search (web search syntax), ranked by a hybrid score of text rank, verification score and ' +
      "recency with the memory policy's weights; without `q`, newest first. Filters: `domain`, `kind` " +
      '(`verified`, `inferred`, `contradictory`), `status` (`proposed`, `verified`, `rejected`), `minScore` in ' +
      '[0, 1], `usable` (`true`: only facts usable as knowledge under the policy: verified, imported as ' +
      'verified, or proposed inferred ones when `inferredUsableBeforeVerification`; never rejected or ' +
      'contradictory; each hit says `usable`). `meta.vector` says whether pgvector was used (optional; ' +
      'full-text search always is). Forgotten ' +
      'facts are never listed.',
    success: { 200: 'A page of facts, best first' },
    example: { response: { items: [FACT_EXAMPLE], nextCursor: null, meta: { query: 'VPN', vector: false } } },
  },
  [`GET ${MEMORY}/facts/{factId}`]: {
    summary: 'Get a fact',
    description:
      'The fact with its verification score and count, when it was last verified, the runs, cases and documents ' +
      'that support it and the facts it conflicts with. A fact of another project, or forgotten, is a 404.',
    success: { 200: 'The fact' },
  },
  [`POST ${MEMORY}/facts/{factId}/verify`]: {
    summary: 'Verify a fact',
    description:
      'A reviewer confirms the fact (optional `reason`): it becomes `verified`, its verification count grows and ' +
      'its score is restored; a conflicting fact on the same subject and predicate becomes `contradictory`. ' +
      'Recorded as `FactVerified`, with who and why, in the audit log. Needs the approver role.',
    success: { 200: 'The fact, verified' },
    example: { request: { reason: 'matches IT-014' } },
  },
  [`POST ${MEMORY}/facts/{factId}/reject`]: {
    summary: 'Reject a fact',
    description:
      'A reviewer rejects the fact with a `reason` (required): it is no longer used. Recorded as `FactRejected` ' +
      'in the audit log. Needs the approver role.',
    success: { 200: 'The fact, rejected' },
    example: { request: { reason: 'the VPN client was replaced in 2026' } },
  },
  [`GET ${MEMORY}/behaviours`]: {
    summary: 'Search behaviours',
    description:
      'What worked: a trigger (question type and keyword), an action recipe, its success rate, use count and the ' +
      'tokens it saved, formed from cases that scored well on every metric. `q` searches trigger and action; ' +
      '`minScore` filters on the success rate.',
    success: { 200: 'A page of behaviours' },
  },
  [`GET ${MEMORY}/behaviours/{behaviourId}`]: {
    summary: 'Get a behaviour',
    description: 'The behaviour with its sources. One of another project, or forgotten, is a 404.',
    success: { 200: 'The behaviour' },
  },
  [`GET ${MEMORY}/learnings`]: {
    summary: 'List learnings',
    description:
      'Per dataset (`dataset`: a registered dataset id or `inline:<name>`) and metric: the baseline the runs ' +
      'established (mean, p10, p50, p90, pass rate), the reliability of entity and relation types (an ' +
      'exponential moving average) and the recurring failure and success patterns (question type, metric, ' +
      'number of contexts).',
    success: { 200: 'A page of learnings' },
  },
  [`POST ${MEMORY}/deletions`]: {
    summary: 'Request a deletion',
    description:
      'Removes for good every fact and behaviour about a `subject`, or drawn from a source `document`: they leave ' +
      'search, export and the read model at once, and their content keys are destroyed, so their text stays ' +
      'unreadable in the events that carried it (crypto-shredding). Only a hash of `value` is kept. Recorded as ' +
      '`MemoryDeletionRequested` and `EntriesForgotten` in the audit log. Needs the admin role.',
    success: { 202: 'Accepted and done: the request id and how many entries it removed' },
    example: { request: { target: 'subject', value: 'staff' }, response: { requestId: 'b1d…', forgotten: 3 } },
  },
  [`GET ${MEMORY}/deletions`]: {
    summary: 'List deletion requests',
    description:
      "The project's deletion requests, newest first: the kind of target, how many entries each removed, who " +
      'filed it and when; never the value asked for, nor its hash. Needs the admin role, like filing one.',
    success: { 200: 'A page of deletion requests' },
  },
  [`GET ${MEMORY}/policy`]: {
    summary: "Get the project's memory policy",
    description:
      'How memory forms, decays, forgets, consolidates and ranks in this project, and whether inferred facts are ' +
      'usable before verification; `version` 0 is the defaults, never set.',
    success: { 200: 'The memory policy in force' },
  },
  [`PUT ${MEMORY}/policy`]: {
    summary: "Set the project's memory policy",
    description:
      'Sets the policy whole: a section, or a field of one, left out takes its default. Scores, weights, factors ' +
      'and similarities are in [0, 1]; an unknown field is a 400 naming it. Recorded as `MemoryPolicyChanged` ' +
      '(with the `reason`) in the audit log; the next maintenance pass applies it. Needs the admin role.',
    success: { 200: 'The memory policy in force' },
    example: {
      request: {
        inferredUsableBeforeVerification: false,
        formation: { factMinFaithfulness: 0.7, behaviourMinScore: 0.8 },
        decay: { factor: 0.95, periodDays: 30 },
        forgetting: { maxAgeDays: 365, minVerificationCount: 1, minScore: 0.2 },
        reason: 'help-desk answers change yearly',
      },
    },
  },
  [`GET ${MEMORY}/export`]: {
    summary: 'Export the knowledge graph',
    description:
      "The project's facts as plain triples JSON (`format: evalvault.memory.triples/v1`), with domain, language, " +
      'kind, status, verification and sources; forgotten facts are not in it.',
    success: { 200: 'The triples' },
  },
  [`POST ${MEMORY}/import`]: {
    summary: 'Import triples',
    description:
      'Triples in the export format: each one new to the project is proposed (reviewed like any other), one it ' +
      'already has is recorded as support. A malformed triple (an empty subject, a score outside [0, 1]) refuses ' +
      'the whole import, naming it. Needs the approver role.',
    success: { 200: 'How many were proposed and how many supported known facts' },
    example: {
      request: {
        format: 'evalvault.memory.triples/v1',
        facts: [{ subject: 'staff', predicate: 'connect with', object: 'the GlobalGate VPN client', domain: 'it' }],
      },
    },
  },
  [`POST ${MEMORY}/maintenance`]: {
    summary: 'Run a maintenance pass now',
    description:
      'Decay, forgetting, consolidation and conflict resolution as the memory policy says, at once instead of at ' +
      'the next scheduled pass; recorded as `MemoryMaintenanceCompleted` with what it changed. Needs the admin role.',
    success: { 200: 'What the pass changed' },
  },
  [`GET ${MEMORY}/runs/{runId}/insights`]: {
    summary: "Get a run's insights",
    description:
      "The run's metrics against the baselines memory learned for its dataset (better, worse, same, or no " +
      'baseline) and the failure patterns it repeats.',
    success: { 200: 'The insights' },
  },
};
