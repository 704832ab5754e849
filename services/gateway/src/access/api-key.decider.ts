import type { ApiKeyIssuedPayload, ApiKeyRevokedPayload } from '@evalvault/contracts';

/**
 * One API key's life: issued once, revoked at most once (revoking again changes nothing).
 * Pure: the key's id and expiry come in with the command. Issuing a key whose stream exists is
 * a no-op when it is the same key (the bootstrap key at every start) and refused otherwise (key
 * ids are random, so it would mean a collision). The secret's hash is never part of it: the event
 * travels on a topic every service reads, so its secretHash is empty and the gateway keeps the
 * hash in its own store (whose keeper refuses another secret under a known id).
 */
export type ApiKeyEvent =
  | { type: 'ApiKeyIssued'; payload: ApiKeyIssuedPayload }
  | { type: 'ApiKeyRevoked'; payload: ApiKeyRevokedPayload };

/** What an issued key is, as others may know it: everything but the hash of its secret. */
export type IssuedKey = Omit<ApiKeyIssuedPayload, 'secretHash'>;

export type ApiKeyCommand = { type: 'IssueKey'; key: IssuedKey } | { type: 'RevokeKey'; reason: string | null };

/** ApiKeyIssued.secretHash since the gateway keeps hashes to itself (events before carry one). */
export const NO_SECRET_HASH = '';

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
    const { key } = command;
    if (state.status === 'none') return [{ type: 'ApiKeyIssued', payload: { ...key, secretHash: NO_SECRET_HASH } }];
    if (sameKey(state.key!, key)) return [];
    throw new ApiKeyDecisionError('CONFLICT', `API key ${key.apiKeyId} already exists`);
  }
  if (state.status === 'none') throw new ApiKeyDecisionError('NOT_FOUND', 'API key not found');
  if (state.status === 'revoked') return [];
  return [{ type: 'ApiKeyRevoked', payload: { apiKeyId: state.key!.apiKeyId, reason: command.reason } }];
}

function sameKey(issued: ApiKeyIssuedPayload, key: IssuedKey): boolean {
  return issued.apiKeyId === key.apiKeyId && issued.name === key.name && issued.role === key.role;
}

export function evolveApiKeyWith(state: ApiKeyState, events: readonly ApiKeyEvent[]): ApiKeyState {
  let next = state;
  for (const event of events) {
    next = event.type === 'ApiKeyIssued' ? { status: 'active', key: event.payload } : { ...next, status: 'revoked' };
  }
  return next;
}

export const apiKeyStreamId = (keyId: string): string => `apikey-${keyId}`;
