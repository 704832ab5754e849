import { readFile } from 'node:fs/promises';
import type { Environment } from '../config/service-config.js';

/** A secret in a KV version 2 engine: `vault:<mount>/<path>#<key>`, e.g. `vault:secret/evalvault/judge#api_key`. */
export interface VaultRef {
  mount: string;
  path: string;
  key: string;
}

const VAULT_REF = /^vault:([^/#\s]+)\/([^#\s]+[^/#\s])#([^#\s]+)$/;

export function parseVaultRef(ref: string): VaultRef | null {
  const match = VAULT_REF.exec(ref);
  if (!match) return null;
  const [, mount, path, key] = match as unknown as [string, string, string, string];
  return path.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')
    ? null
    : { mount, path, key };
}

/** Where Vault is and how to authenticate: VAULT_ADDR, VAULT_TOKEN or VAULT_TOKEN_FILE, VAULT_NAMESPACE. */
export interface VaultSettings {
  address: string | null;
  token: string | null;
  /** Read at every request, so a token a Vault agent renews into the file is picked up. */
  tokenFile: string | null;
  namespace: string | null;
  timeoutMs: number;
}

export function vaultSettings(env: Environment): VaultSettings {
  return {
    address: env['VAULT_ADDR']?.replace(/\/+$/, '') || null,
    token: env['VAULT_TOKEN'] || null,
    tokenFile: env['VAULT_TOKEN_FILE'] || null,
    namespace: env['VAULT_NAMESPACE'] || null,
    timeoutMs: 10_000,
  };
}

/** What went wrong, in words safe to log: never the token, never a value. */
export class VaultReadError extends Error {}

/**
 * Reads one key of a KV v2 secret: `GET <VAULT_ADDR>/v1/<mount>/data/<path>` with `X-Vault-Token`,
 * answered `{ data: { data: {...}, metadata: {...} } }` (HashiCorp's KV v2 API). Each failure gets
 * its own message: unreachable, refused token (403), no such secret (404), sealed (503), deleted
 * version, missing key.
 */
export async function readVaultSecret(ref: VaultRef, settings: VaultSettings): Promise<string> {
  if (!settings.address) throw new VaultReadError('VAULT_ADDR is not set (the Vault server to read it from)');
  const token = await vaultToken(settings);
  const path = ref.path.split('/').map(encodeURIComponent).join('/');
  const url = `${settings.address}/v1/${encodeURIComponent(ref.mount)}/data/${path}`;
  const headers: Record<string, string> = { 'X-Vault-Token': token, accept: 'application/json' };
  if (settings.namespace) headers['X-Vault-Namespace'] = settings.namespace;
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(settings.timeoutMs) });
  } catch (error) {
    throw new VaultReadError(`Vault at ${settings.address} cannot be reached (${reasonOf(error)})`);
  }
  const body = (await response.json().catch(() => null)) as KvReadBody | null;
  // A deleted or destroyed current version answers 404 with that version's metadata.
  if (isDeletedVersion(body)) throw new VaultReadError(`the current version of ${ref.mount}/${ref.path} is deleted`);
  if (response.status !== 200) throw new VaultReadError(statusProblem(response.status, ref));
  return valueOf(body, ref);
}

interface KvReadBody {
  data?: { data?: Record<string, unknown> | null; metadata?: { deletion_time?: string; destroyed?: boolean } };
}

async function vaultToken(settings: VaultSettings): Promise<string> {
  if (settings.token) return settings.token;
  if (!settings.tokenFile) throw new VaultReadError('no Vault token: set VAULT_TOKEN or VAULT_TOKEN_FILE');
  try {
    const token = (await readFile(settings.tokenFile, 'utf8')).trim();
    if (token) return token;
  } catch (error) {
    throw new VaultReadError(`VAULT_TOKEN_FILE cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  throw new VaultReadError('VAULT_TOKEN_FILE is empty');
}

function statusProblem(status: number, ref: VaultRef): string {
  switch (status) {
    case 404:
      return `not found in Vault: no secret ${ref.path} in the KV v2 engine at ${ref.mount}/`;
    case 403:
      return (
        'Vault refused the token (403 permission denied): ' +
        `its policy must allow read on ${ref.mount}/data/${ref.path}`
      );
    case 503:
      return 'Vault is sealed or in maintenance (503): unseal it or wait, then retry';
    default:
      return `Vault answered HTTP ${status}`;
  }
}

function valueOf(body: KvReadBody | null, ref: VaultRef): string {
  const secret = body?.data;
  if (!secret || typeof secret !== 'object') throw new VaultReadError('Vault answered without a KV v2 data object');
  const data = secret.data ?? {};
  if (!(ref.key in data))
    throw new VaultReadError(
      `${ref.mount}/${ref.path} has no key "${ref.key}" (keys: ${Object.keys(data).join(', ')})`,
    );
  const value = data[ref.key];
  if (typeof value !== 'string' || value === '')
    throw new VaultReadError(`key "${ref.key}" of ${ref.mount}/${ref.path} is not a non-empty string`);
  return value;
}

function isDeletedVersion(body: KvReadBody | null): boolean {
  const metadata = body?.data?.metadata;
  return Boolean(metadata && (metadata.destroyed || metadata.deletion_time));
}

function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  if (cause?.code) return cause.code;
  return (error as Error).name === 'TimeoutError' ? 'no answer in time' : (error as Error).name;
}
