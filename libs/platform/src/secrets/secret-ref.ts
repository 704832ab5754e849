import { readFile } from 'node:fs/promises';
import type { Environment } from '../config/service-config.js';
import { parseVaultRef, readVaultSecret, vaultSettings, VaultReadError, type VaultSettings } from './vault-kv2.js';

/**
 * The secrets port: configuration names a secret, never holds it; the value is fetched when
 * needed, so a rotated key, a re-mounted file or a new Vault version is picked up, and it never
 * sits in config objects, logs or events. A chain of providers, each owning one kind of ref:
 *   env:NAME                        the process environment
 *   file:/absolute/path             a mounted file (Kubernetes Secret volume, Docker secret)
 *   vault:<mount>/<path>#<key>      one key of a HashiCorp Vault KV v2 secret (VAULT_ADDR, VAULT_TOKEN
 *                                   or VAULT_TOKEN_FILE, optional VAULT_NAMESPACE)
 */
export class SecretError extends Error {
  constructor(
    readonly ref: string,
    problem: string,
  ) {
    super(`secret ${ref}: ${problem}`);
    this.name = 'SecretError';
  }
}

export type SecretResolver = (ref: string) => Promise<string>;

interface SecretProvider {
  handles(ref: string): boolean;
  resolve(ref: string): Promise<string>;
}

const SECRET_REF = /^(env:[A-Za-z_][A-Za-z0-9_]*|file:\/[^\0]+)$/;

/** Has the shape of a ref some provider resolves (not whether it exists). */
export function isSecretRef(ref: string): boolean {
  return SECRET_REF.test(ref) || parseVaultRef(ref) !== null;
}

function envProvider(env: Environment): SecretProvider {
  return {
    handles: (ref) => ref.startsWith('env:'),
    async resolve(ref) {
      const value = env[ref.slice(4)];
      if (!value) throw new SecretError(ref, 'the environment variable is not set');
      return value;
    },
  };
}

const fileProvider: SecretProvider = {
  handles: (ref) => ref.startsWith('file:/'),
  async resolve(ref) {
    try {
      return (await readFile(ref.slice(5), 'utf8')).trim();
    } catch (error) {
      throw new SecretError(ref, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  },
};

function vaultProvider(settings: VaultSettings): SecretProvider {
  return {
    handles: (ref) => ref.startsWith('vault:'),
    async resolve(ref) {
      const parsed = parseVaultRef(ref);
      if (!parsed)
        throw new SecretError(ref, 'must be vault:<mount>/<path>#<key>, e.g. vault:secret/evalvault/judge#key');
      try {
        return await readVaultSecret(parsed, settings);
      } catch (error) {
        if (error instanceof VaultReadError) throw new SecretError(ref, error.message);
        throw error;
      }
    },
  };
}

/** The chain env → file → Vault, configured from `env` (the process environment unless testing). */
export function secretResolver(env: Environment = process.env): SecretResolver {
  const providers = [envProvider(env), fileProvider, vaultProvider(vaultSettings(env))];
  return async (ref) => {
    const provider = providers.find((candidate) => candidate.handles(ref));
    if (!provider) throw new SecretError(ref, 'must be env:NAME, file:/absolute/path or vault:<mount>/<path>#<key>');
    return provider.resolve(ref);
  };
}
