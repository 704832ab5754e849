import type { ApiKeyRecord, ApiKeyStore } from '../api-keys.js';

/** A test double for the ApiKeyStore port; copies in and out, as a database would. */
export class InMemoryApiKeyStore implements ApiKeyStore {
  private readonly records = new Map<string, ApiKeyRecord>();
  private readonly revokedListeners: ((keyId: string) => void)[] = [];

  onRevoked(listener: (keyId: string) => void): void {
    this.revokedListeners.push(listener);
  }

  async save(record: ApiKeyRecord): Promise<void> {
    this.records.set(record.keyId, structuredClone(record));
  }

  async revoke(keyId: string, at: Date): Promise<void> {
    const record = this.records.get(keyId);
    if (!record) throw new Error(`no API key ${keyId}`);
    record.revokedAt = new Date(at);
    for (const listener of this.revokedListeners) listener(keyId);
  }

  async findByKeyId(keyId: string): Promise<ApiKeyRecord | null> {
    const record = this.records.get(keyId);
    return record ? structuredClone(record) : null;
  }
}
