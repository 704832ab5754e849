import type { RouteDoc, RouteKey } from '../route-doc.js';

const PROJECT = '/v1/projects/{project}';

const KEY_VIEW = {
  type: 'object',
  properties: {
    apiKeyId: { type: 'string', description: 'The key id: the `<id>` of `evk_<id>_<secret>`' },
    name: { type: 'string' },
    role: { type: 'string', enum: ['viewer', 'editor', 'approver', 'admin'] },
    tenantRoles: { type: 'array', items: { type: 'string', enum: ['auditor', 'audit-admin'] } },
    prefix: { type: 'string', description: 'The start of the key, to recognise it' },
    expiresAt: { type: ['string', 'null'], format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const ACCESS_DOCS: Record<RouteKey, RouteDoc> = {
  'GET /v1/me': {
    summary: 'Who am I',
    description:
      'The caller as its credential establishes it: tenant, subject, how it authenticated, its tenant roles, and ' +
      'per project its roles with the actions the role matrix allows there (what the web console shows). Any ' +
      'authenticated caller may ask, whatever its roles.',
    success: { 200: 'The caller, its roles and allowed actions' },
    response: {
      type: 'object',
      properties: {
        tenantId: { type: 'string' },
        subject: { type: 'string' },
        authMethod: { type: 'string', enum: ['oidc', 'api_key'] },
        tenantRoles: { type: 'array', items: { type: 'string' } },
        projects: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            properties: {
              roles: { type: 'array', items: { type: 'string' } },
              actions: { type: 'array', items: { type: 'string' } },
            },
          },
        },
        tenantActions: { type: 'array', items: { type: 'string' } },
      },
    },
  },
  [`POST ${PROJECT}/api-keys`]: {
    summary: 'Issue an API key',
    description:
      'A key for CI and scripts, holding one project role (and, on keys of project `default` issued by its ' +
      'admins, tenant roles for the audit log). The answer holds the key, `evk_<id>_<secret>`, and is the only ' +
      'time it is shown: only its keyed hash is kept. An `Idempotency-Key` replay of this request is refused ' +
      'with 409 rather than show the key again.',
    success: { 201: 'Created: the key, shown this once' },
    response: {
      ...KEY_VIEW,
      properties: { ...KEY_VIEW.properties, key: { type: 'string', description: 'Shown once' } },
    },
    example: { request: { name: 'ci', role: 'editor' } },
  },
  [`GET ${PROJECT}/api-keys`]: {
    summary: 'List API keys',
    description: "The project's keys (never their secrets), revoked and expired ones included.",
    success: { 200: 'The keys' },
  },
  [`DELETE ${PROJECT}/api-keys/{keyId}`]: {
    summary: 'Revoke an API key',
    description: 'Effective on its next request; a long response it is holding open ends at its next check.',
    success: { 200: 'The key, revoked' },
    response: KEY_VIEW,
  },
  [`POST ${PROJECT}/members`]: {
    summary: 'Grant a project role',
    description:
      "Gives an OIDC subject (the token's `sub`) a role in the project, replacing the one it had here; it adds " +
      "to the roles the token's claims carry, from the subject's next request.",
    success: { 201: 'Created: the membership' },
    example: { request: { subject: 'alice@acme.example', role: 'editor' } },
  },
  [`GET ${PROJECT}/members`]: {
    summary: 'List project members',
    description: 'The subjects granted a role here (roles carried by tokens alone are not listed).',
    success: { 200: 'The members' },
  },
  [`DELETE ${PROJECT}/members/{subject}`]: {
    summary: 'Remove a project member',
    description: 'Revokes the role granted here, from the next request on.',
    success: { 200: 'The membership, revoked' },
  },
  'POST /v1/tenant-roles': {
    summary: 'Grant a tenant role',
    description:
      'Gives an OIDC subject `auditor` (reads, replays and exports the audit log) or `audit-admin` (also its ' +
      'retention and forgetting). Only admins of project `default` may, and never to themselves.',
    success: { 201: 'Created: the grant' },
    example: { request: { subject: 'compliance@acme.example', role: 'auditor' } },
  },
  'GET /v1/tenant-roles': {
    summary: 'List tenant roles',
    description: "The tenant's auditors and audit-admins (granted to subjects; keys carry theirs themselves).",
    success: { 200: 'The grants' },
  },
  'DELETE /v1/tenant-roles/{role}/{subject}': {
    summary: 'Revoke a tenant role',
    description: "From the next request on; never one's own.",
    success: { 200: 'The grant, revoked' },
  },
};
