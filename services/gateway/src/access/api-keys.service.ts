import {
  EventSourcedRepository,
  ServiceClientErrorCode,
  type EnvelopeSources,
  type EventStore,
} from '@evalvault/platform';
import {
  ApiKeyDecisionError,
  apiKeyStreamId,
  decideApiKey,
  evolveApiKeyWith,
  initialApiKeyState,
  type ApiKeyCommand,
  type ApiKeyEvent,
  type ApiKeyState,
} from './api-key.decider.js';
import { commandContext } from './command-context.js';
import { EdgeError } from '../http/index.js';
import { issueApiKey, type ApiKeyRecord, type ApiKeySecretHasher } from '../auth/api-keys.js';
import type { Principal, Role, TenantRole } from '../auth/principal.js';
import { AuthError } from '../auth/auth.errors.js';
import { TENANT_ADMIN_PROJECT } from './role-matrix.js';
import type { PostgresApiKeyStore } from '../auth/postgres-api-key.store.js';
import type { PostgresApiKeySecretStore } from '../auth/postgres-api-key-secret.store.js';

export interface ApiKeyView {
  apiKeyId: string;
  name: string;
  role: Role;
  /** Tenant roles the key also holds (auditor, audit-admin). */
  tenantRoles: TenantRole[];
  prefix: string;
  expiresAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

const view = (record: ApiKeyRecord): ApiKeyView => ({
  apiKeyId: record.keyId,
  name: record.name,
  role: record.role,
  tenantRoles: record.tenantRoles,
  prefix: record.prefix,
  expiresAt: record.expiresAt?.toISOString() ?? null,
  revokedAt: record.revokedAt?.toISOString() ?? null,
  createdAt: record.createdAt.toISOString(),
});

const notFound = (keyId: string, foreign = false): EdgeError =>
  new EdgeError('NOT_FOUND', `API key ${keyId} not found`, { foreign });

/** Issued keys as the decider records them (hashes, never secrets). */
export function apiKeyRepository(
  store: EventStore,
  sources: EnvelopeSources,
): EventSourcedRepository<ApiKeyCommand, ApiKeyEvent, ApiKeyState> {
  return new EventSourcedRepository(
    store,
    { decide: decideApiKey, evolveWith: evolveApiKeyWith, initialState: initialApiKeyState },
    sources,
  );
}

/**
 * Keeps a key's secret hash in the gateway's own store before the key is announced; another
 * secret under a key id already kept is refused as the decider refuses another key (a collision).
 */
export async function keepSecretHash(
  secrets: PostgresApiKeySecretStore,
  record: Pick<ApiKeyRecord, 'keyId' | 'secretHash'>,
): Promise<void> {
  if ((await secrets.keep(record.keyId, record.secretHash)) !== record.secretHash)
    throw new ApiKeyDecisionError('CONFLICT', `API key ${record.keyId} already exists`);
}

/**
 * Project API keys, owned by the gateway: each key is a stream `apikey-<id>` in the event
 * store, decided by the API key decider (ApiKeyIssued, ApiKeyRevoked), and a row the
 * authenticator reads. The secret's hash stays in the gateway's secret store, never in an
 * event. A revocation updates the row first, so it is effective at once even if the event
 * cannot be written (the caller then sees the error and retries).
 */
export class ApiKeysService {
  private readonly events: EventSourcedRepository<ApiKeyCommand, ApiKeyEvent, ApiKeyState>;

  constructor(
    store: EventStore,
    private readonly keys: PostgresApiKeyStore,
    private readonly secrets: PostgresApiKeySecretStore,
    private readonly hasher: ApiKeySecretHasher,
    private readonly sources: EnvelopeSources,
  ) {
    this.events = apiKeyRepository(store, sources);
  }

  async issue(
    principal: Principal,
    projectId: string,
    request: { name: string; role: Role; expiresAt: string | null; tenantRoles?: TenantRole[] },
    correlationId: string,
  ): Promise<ApiKeyView & { key: string }> {
    const tenantRoles = [...new Set(request.tenantRoles ?? [])];
    // The guard let an admin of this project in; tenant-wide roles are for the administrative project's admins.
    if (tenantRoles.length > 0 && projectId !== TENANT_ADMIN_PROJECT) {
      throw AuthError.forbidden(
        `tenant roles (${tenantRoles.join(', ')}) are granted only on keys of project ${TENANT_ADMIN_PROJECT}, ` +
          'by its admins',
      );
    }
    const expiresAt = request.expiresAt ? new Date(request.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= this.sources.now()) {
      throw new EdgeError(
        ServiceClientErrorCode.InvalidInput,
        `expiresAt ${expiresAt.toISOString()} is not in the future`,
      );
    }
    const { plaintext, record } = issueApiKey(
      { tenantId: principal.tenantId, projectId, role: request.role, name: request.name, expiresAt, tenantRoles },
      { hasher: this.hasher, now: new Date(this.sources.now()) },
    );
    await keepSecretHash(this.secrets, record);
    await this.events.handle(
      apiKeyStreamId(record.keyId),
      {
        type: 'IssueKey',
        key: {
          apiKeyId: record.keyId,
          name: record.name,
          role: record.role,
          prefix: record.prefix,
          expiresAt: expiresAt?.getTime() ?? null,
          tenantRoles: record.tenantRoles,
        },
      },
      commandContext(principal, projectId, correlationId),
    );
    await this.keys.save(record);
    return { ...view(record), key: plaintext };
  }

  async list(principal: Principal, projectId: string): Promise<ApiKeyView[]> {
    return (await this.keys.listForProject(principal.tenantId, projectId)).map(view);
  }

  async revoke(principal: Principal, projectId: string, keyId: string, correlationId: string): Promise<ApiKeyView> {
    const record = await this.keys.findByKeyId(keyId);
    // Another tenant's or project's key answers as if it did not exist.
    if (!record) throw notFound(keyId);
    if (record.tenantId !== principal.tenantId || record.projectId !== projectId) throw notFound(keyId, true);
    const at = new Date(this.sources.now());
    await this.keys.revoke(keyId, at);
    await this.events.handle(
      apiKeyStreamId(keyId),
      { type: 'RevokeKey', reason: null },
      commandContext(principal, projectId, correlationId),
    ); // revoked before: nothing more to record
    return view((await this.keys.findByKeyId(keyId))!);
  }
}
