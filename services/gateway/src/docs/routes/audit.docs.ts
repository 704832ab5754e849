import type { RouteDoc, RouteKey } from '../route-doc.js';

export const AUDIT_DOCS: Record<RouteKey, RouteDoc> = {
  'GET /v1/audit': {
    summary: 'Read the audit log',
    description:
      "The tenant's audit entries (every event and every denied access, in a hash chain), filtered by actor, " +
      'resource, action and time, a page at a time. Needs the tenant role `auditor` (no project role reaches it).',
    success: { 200: 'A page of entries' },
  },
  'POST /v1/audit/replay': {
    summary: 'Replay the audit log',
    description:
      "Recomputes the tenant's hash chain and compares it with the event store: any entry changed, missing " +
      'or added is reported. Takes no body.',
    success: { 200: 'The replay report' },
  },
  'GET /v1/audit/export': {
    summary: 'Export the audit log',
    description:
      'Every entry matching the filters, streamed as JSON Lines (default) or CSV (`format=csv`) in constant ' +
      'memory. When the credential lapses mid-transfer the download is broken off, never shortened.',
    success: { 200: 'The entries, streamed' },
    successType: 'application/x-ndjson',
  },
  'GET /v1/audit/retention': {
    summary: "Get the audit log's retention",
    description: 'The retention in force, a shortening waiting for its delay, and what was purged.',
    success: { 200: 'The retention' },
  },
  'PUT /v1/audit/retention': {
    summary: "Change the audit log's retention",
    description:
      'A longer retention (or none, `null`) applies at once. A shorter one needs a `reason` and waits for the ' +
      "audit service's delay, during which purges keep the longer one and it can be cancelled. Needs `audit-admin`.",
    success: { 200: 'In force now (or nothing to change)', 202: 'Accepted: the shortening waits for its delay' },
    example: { request: { retentionDays: 365, reason: 'Storage costs; legal asked for one year' } },
  },
  'DELETE /v1/audit/retention/pending': {
    summary: 'Cancel a waiting retention shortening',
    description: 'Drops the shortening waiting for its delay; `reason` is recorded with it. 404 when none waits.',
    success: { 200: 'The retention, unchanged' },
    errors: [404],
  },
  'POST /v1/audit/subjects/forget': {
    summary: 'Forget a subject',
    description:
      "Crypto-shreds a person's personal data in the audit log: their entries keep a pseudonym, the chain stays " +
      "verifiable. Never one's own subject. Needs `audit-admin`.",
    success: { 200: 'The pseudonym the subject now has' },
    example: { request: { subject: 'former.employee@acme.example', reason: 'Erasure request #4411' } },
  },
};
