import type { ApiKeyIssuedPayload } from '@evalvault/contracts';
import { deciderSpec } from '@evalvault/platform/testing';
import { decideApiKey, evolveApiKeyWith, initialApiKeyState, type ApiKeyEvent } from './api-key.decider.js';

const key: ApiKeyIssuedPayload = {
  apiKeyId: 'k1',
  name: 'ci',
  role: 'viewer',
  secretHash: 'hash-1',
  prefix: 'evk_k1',
  expiresAt: null,
  tenantRoles: [],
};
const issued: ApiKeyEvent = { type: 'ApiKeyIssued', payload: key };
const revoked: ApiKeyEvent = { type: 'ApiKeyRevoked', payload: { apiKeyId: 'k1', reason: 'leaked' } };
const apiKey = deciderSpec({
  decide: decideApiKey,
  evolve: (state, event: ApiKeyEvent) => evolveApiKeyWith(state, [event]),
  initialState: initialApiKeyState,
});

describe('API key decider', () => {
  it('issues a key once; the same key again is a no-op, another key under its id is refused', () => {
    apiKey.given([]).when({ type: 'IssueKey', key }).then([issued]);
    apiKey.given([issued]).when({ type: 'IssueKey', key }).then([]);
    apiKey
      .given([issued])
      .when({ type: 'IssueKey', key: { ...key, secretHash: 'hash-2' } })
      .thenThrows(expect.objectContaining({ code: 'CONFLICT' }));
  });

  it('revokes an active key once, and refuses to revoke one that was never issued', () => {
    apiKey.given([issued]).when({ type: 'RevokeKey', reason: 'leaked' }).then([revoked]);
    apiKey.given([issued, revoked]).when({ type: 'RevokeKey', reason: 'again' }).then([]);
    apiKey
      .given([])
      .when({ type: 'RevokeKey', reason: null })
      .thenThrows(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
