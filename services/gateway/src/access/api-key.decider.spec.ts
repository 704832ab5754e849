import { deciderSpec } from '@evalvault/platform/testing';
import {
  decideApiKey,
  evolveApiKeyWith,
  initialApiKeyState,
  type ApiKeyEvent,
  type IssuedKey,
} from './api-key.decider.js';

const key: IssuedKey = {
  apiKeyId: 'k1',
  name: 'ci',
  role: 'viewer',
  prefix: 'evk_k1',
  expiresAt: null,
  tenantRoles: [],
};
const issued: ApiKeyEvent = { type: 'ApiKeyIssued', payload: { ...key, secretHash: '' } };
const revoked: ApiKeyEvent = { type: 'ApiKeyRevoked', payload: { apiKeyId: 'k1', reason: 'leaked' } };
const apiKey = deciderSpec({
  decide: decideApiKey,
  evolve: (state, event: ApiKeyEvent) => evolveApiKeyWith(state, [event]),
  initialState: initialApiKeyState,
});

describe('API key decider', () => {
  it('issues a key once, with no secret hash in the event; the same key again is a no-op, another is refused', () => {
    apiKey.given([]).when({ type: 'IssueKey', key }).then([issued]);
    apiKey.given([issued]).when({ type: 'IssueKey', key }).then([]);
    apiKey
      .given([issued])
      .when({ type: 'IssueKey', key: { ...key, role: 'admin' } })
      .thenThrows(expect.objectContaining({ code: 'CONFLICT' }));
  });

  it('knows a key issued before hashes stayed home (its event carries one) as the same key', () => {
    const before: ApiKeyEvent = { type: 'ApiKeyIssued', payload: { ...key, secretHash: 'hmac-sha256:abc' } };
    apiKey.given([before]).when({ type: 'IssueKey', key }).then([]);
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
