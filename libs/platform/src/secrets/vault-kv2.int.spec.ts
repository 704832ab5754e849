import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secretResolver } from './secret-ref.js';
import { VaultStandIn } from './testing/vault-stand-in.js';

describe('vault: secret refs (KV v2, against a local stand-in of the Vault HTTP API)', () => {
  let vault: VaultStandIn;
  const judgeKey = `sk-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    vault = await VaultStandIn.start();
    vault.put('secret', 'evalvault/judge', { api_key: judgeKey, org: 'acme' });
  });
  afterAll(async () => {
    await vault.stop();
  });
  beforeEach(() => {
    vault.sealed = false;
  });

  /** Every message names the ref and never the secret or the token. */
  async function refusal(env: Record<string, string>, ref: string): Promise<string> {
    const error = (await secretResolver(env)(ref).then(
      () => new Error('resolved'),
      (caught: unknown) => caught,
    )) as Error;
    expect(error.name).toBe('SecretError');
    expect(error.message).toContain(`secret ${ref}: `);
    expect(error.message).not.toContain(judgeKey);
    for (const token of Object.values(env)) if (token.startsWith('hvs.')) expect(error.message).not.toContain(token);
    return error.message;
  }

  it('reads one key of a secret with the token, the namespace and the documented path', async () => {
    const token = vault.tokenFor('secret');
    const resolve = secretResolver({ VAULT_ADDR: `${vault.address}/`, VAULT_TOKEN: token, VAULT_NAMESPACE: 'team-a' });
    await expect(resolve('vault:secret/evalvault/judge#api_key')).resolves.toBe(judgeKey);
    await expect(resolve('vault:secret/evalvault/judge#org')).resolves.toBe('acme');
    expect(vault.requests.at(-1)).toEqual({ path: '/v1/secret/data/evalvault/judge', token, namespace: 'team-a' });
  });

  it('reads the token from VAULT_TOKEN_FILE at each read, so a renewed token is used', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vault-token-')), 'token');
    writeFileSync(file, 'hvs.not-a-token\n');
    const resolve = secretResolver({ VAULT_ADDR: vault.address, VAULT_TOKEN_FILE: file });
    await expect(resolve('vault:secret/evalvault/judge#api_key')).rejects.toThrow('403 permission denied');
    writeFileSync(file, `${vault.tokenFor('secret')}\n`);
    await expect(resolve('vault:secret/evalvault/judge#api_key')).resolves.toBe(judgeKey);
  });

  it('names each failure: missing secret, missing key, refused token, sealed, deleted, unreachable', async () => {
    const env = { VAULT_ADDR: vault.address, VAULT_TOKEN: vault.tokenFor('secret') };
    expect(await refusal(env, 'vault:secret/evalvault/nothing#key')).toBe(
      'secret vault:secret/evalvault/nothing#key: not found in Vault: no secret evalvault/nothing ' +
        'in the KV v2 engine at secret/',
    );
    expect(await refusal(env, 'vault:secret/evalvault/judge#token')).toContain(
      'evalvault/judge has no key "token" (keys: api_key, org)',
    );
    expect(
      await refusal({ ...env, VAULT_TOKEN: vault.tokenFor('other') }, 'vault:secret/evalvault/judge#api_key'),
    ).toContain(
      'Vault refused the token (403 permission denied): its policy must allow read on secret/data/evalvault/judge',
    );
    vault.sealed = true;
    expect(await refusal(env, 'vault:secret/evalvault/judge#api_key')).toContain(
      'Vault is sealed or in maintenance (503)',
    );
    vault.sealed = false;
    vault.put('secret', 'evalvault/old', { key: 'gone' });
    vault.deleteCurrentVersion('secret', 'evalvault/old');
    expect(await refusal(env, 'vault:secret/evalvault/old#key')).toContain(
      'current version of secret/evalvault/old is deleted',
    );
    const stopped = await VaultStandIn.start();
    const address = stopped.address;
    await stopped.stop();
    expect(await refusal({ ...env, VAULT_ADDR: address }, 'vault:secret/evalvault/judge#api_key')).toBe(
      `secret vault:secret/evalvault/judge#api_key: Vault at ${address} cannot be reached (ECONNREFUSED)`,
    );
  });

  it('says what is missing from the configuration or the ref before asking Vault', async () => {
    const requests = vault.requests.length;
    expect(await refusal({}, 'vault:secret/evalvault/judge#api_key')).toContain('VAULT_ADDR is not set');
    expect(await refusal({ VAULT_ADDR: vault.address }, 'vault:secret/evalvault/judge#api_key')).toContain(
      'no Vault token: set VAULT_TOKEN or VAULT_TOKEN_FILE',
    );
    const env = { VAULT_ADDR: vault.address, VAULT_TOKEN: vault.tokenFor('secret') };
    expect(await refusal(env, 'vault:secret/evalvault/judge')).toContain('must be vault:<mount>/<path>#<key>');
    expect(await refusal(env, 'vault:secret/../sys#key')).toContain('must be vault:<mount>/<path>#<key>');
    expect(vault.requests.length).toBe(requests);
  });
});
