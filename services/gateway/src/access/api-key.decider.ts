import type { ApiKeyIssuedPayload, ApiKeyRevokedPayload } from '@evalvault/contracts';

/**
 * One API key's life: issued once, revoked at most once (revoking again changes nothing).
 * Pure: the key's id, hash and expiry come in with the command. Issuing a key whose stream
 * exists is a no-op when it is the same key (the bootstrap key at every start) and refused
 * otherwise (key ids are random, so it would mean a collision).
 */
export type ApiKeyEvent =
  | { type: 'ApiKeyIssued'; payload: ApiKeyIssuedPayload }
  | { type: 'ApiKeyRevoked'; payload: ApiKeyRevokedPayload };

export type ApiKeyCommand =
  | { type: 'IssueKey'; key: ApiKeyIssuedPayload }
  | { type: 'RevokeKey'; reason: string | null };

export interface ApiKeyState {
  status: 'none' | 'active' | 'revoked';
  key: ApiKeyIssuedPayload | null;
}

export const initialApiKeyState: ApiKeyState = { status: 'none', key: null };

export class ApiKeyDecisionError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'CONFLICT',
    message: string,
  ) {
    super(message);
    this.name = 'ApiKeyDecisionError';
  }
}

export function decideApiKey(command: ApiKeyCommand, state: ApiKeyState): ApiKeyEvent[] {
  if (command.type === 'IssueKey') {
    if (state.status === 'none') return [{ type: 'ApiKeyIssued', payload: command.key }];
    if (state.key?.secretHash === command.key.secretHash) return [];
    throw new ApiKeyDecisionError('CONFLICT', `API key ${command.key.apiKeyId} already exists`);
  }
  if (state.status === 'none') throw new ApiKeyDecisionError('NOT_FOUND', 'API key not found');
  if (state.status === 'revoked') return [];
  return [{ type: 'ApiKeyRevoked', payload: { apiKeyId: state.key!.apiKeyId, reason: command.reason } }];
}

export function evolveApiKeyWith(state: ApiKeyState, events: readonly ApiKeyEvent[]): ApiKeyState {
  let next = state;
  for (const event of events) {
    next = event.type === 'ApiKeyIssued' ? { status: 'active', key: event.payload } : { ...next, status: 'revoked' };
  }
  return next;
}

export const apiKeyStreamId = (keyId: string): string => `apikey-${keyId}`;
