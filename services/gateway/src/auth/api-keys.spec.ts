import { randomBytes, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { ApiKeySecretHasher, issueApiKey, parseApiKey, type IssueApiKeyRequest } from './api-keys.js';
import { AuthError } from './auth.errors.js';
import { InMemoryApiKeyStore } from './testing/index.js';

const hasher = new ApiKeySecretHasher(randomBytes(32));
const HOUR = 3_600_000;

function aRequest(overrides: Partial<IssueApiKeyRequest> = {}): IssueApiKeyRequest {
  return {
    tenantId: `tenant-${randomUUID()}`,
    projectId: `project-${randomUUID()}`,
    role: 'editor',
    name: 'ci',
    expiresAt: null,
    ...overrides,
  };
}

async function setUp(overrides: Partial<IssueApiKeyRequest> = {}, now = new Date()) {
  const store = new InMemoryApiKeyStore();
  const issued = issueApiKey(aRequest(overrides), { hasher, now });
  await store.save(issued.record);
  const secret = parseApiKey(issued.plaintext)!.secret;
  return { store, issued, secret, authenticator: new ApiKeyAuthenticator(store, hasher) };
}

/** Refused as UNAUTHENTICATED with the reason, and the secret nowhere in the error however it is printed. */
async function expectRefused(promise: Promise<unknown>, reason: RegExp, secret: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AuthError);
  expect(error).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  expect((error as Error).message).toMatch(reason);
  for (const printed of [(error as Error).message, String(error), inspect(error), JSON.stringify(error)]) {
    expect(printed).not.toContain(secret);
  }
}

describe('API keys', () => {
  it('issues evk_<12 hex>_<43 base64url> once, storing only a keyed hash of the secret', async () => {
    const now = new Date();
    const { issued, secret } = await setUp({ role: 'admin', name: 'deploy bot' }, now);
    expect(issued.plaintext).toMatch(/^evk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(issued.record).toMatchObject({
      role: 'admin',
      name: 'deploy bot',
      revokedAt: null,
      expiresAt: null,
      createdAt: now,
    });
    expect(issued.record.prefix).toBe(`evk_${issued.record.keyId}`);
    expect(issued.plaintext.startsWith(`${issued.record.prefix}_`)).toBe(true);
    expect(JSON.stringify(issued.record)).not.toContain(secret);
    expect(issued.record.secretHash).toMatch(/^hmac-sha256:/);
  });

  it('draws key id and secret from the injected random source', () => {
    const sizes: number[] = [];
    const random = (size: number) => {
      sizes.push(size);
      return randomBytes(size);
    };
    const { plaintext, record } = issueApiKey(aRequest(), { hasher, random });
    expect(sizes).toEqual([6, 32]);
    expect(plaintext).toContain(record.keyId);
    expect(() => issueApiKey(aRequest(), { hasher, random: () => new Uint8Array(3) })).toThrow(/3 bytes, 6 expected/);
  });

  it('refuses a short pepper, an empty name and an expiry in the past', () => {
    expect(() => new ApiKeySecretHasher(randomBytes(16))).toThrow(/at least 32 bytes/);
    expect(() => issueApiKey(aRequest({ name: ' ' }), { hasher })).toThrow(/name/);
    expect(() => issueApiKey(aRequest({ expiresAt: new Date(Date.now() - 1) }), { hasher })).toThrow(
      /not in the future/,
    );
  });

  it('authenticates an issued key as a principal with its one project role', async () => {
    const { issued, authenticator } = await setUp({ role: 'viewer' });
    const { record } = issued;
    await expect(authenticator.authenticate(issued.plaintext, new Date())).resolves.toEqual({
      tenantId: record.tenantId,
      subject: `api-key:${record.keyId}`,
      authMethod: 'api_key',
      apiKeyId: record.keyId,
      projectRoles: { [record.projectId]: ['viewer'] },
      tenantRoles: [],
    });
  });

  it('refuses the right key id with a wrong secret', async () => {
    const { issued, authenticator, secret } = await setUp();
    const wrongSecret = randomBytes(32).toString('base64url');
    const attempt = authenticator.authenticate(`${issued.record.prefix}_${wrongSecret}`, new Date());
    await expectRefused(
      attempt,
      new RegExp(`API key ${issued.record.prefix} is not valid \\(unknown key or wrong secret\\)$`),
      wrongSecret,
    );
    await expectRefused(
      authenticator.authenticate(`${issued.record.prefix}_${wrongSecret}`, new Date()),
      /unknown key or wrong secret/,
      secret,
    );
  });

  it('refuses an unknown key id exactly as a wrong secret, so key ids cannot be probed', async () => {
    const { issued, authenticator } = await setUp();
    const { plaintext, record } = issueApiKey(aRequest(), { hasher });
    const secret = parseApiKey(plaintext)!.secret;
    const unknown = (await authenticator.authenticate(plaintext, new Date()).catch((error: unknown) => error)) as Error;
    const wrong = (await authenticator
      .authenticate(`${issued.record.prefix}_${secret}`, new Date())
      .catch((error: unknown) => error)) as Error;
    expect(unknown.message.replace(record.prefix, 'KEY')).toBe(wrong.message.replace(issued.record.prefix, 'KEY'));
    await expectRefused(
      authenticator.authenticate(plaintext, new Date()),
      new RegExp(`API key ${record.prefix} is not valid`),
      secret,
    );
  });

  it('refuses malformed keys without echoing them', async () => {
    const { issued, authenticator, secret } = await setUp();
    for (const token of [
      `${issued.plaintext}x`,
      issued.plaintext.slice(0, -1),
      issued.plaintext.replace('evk_', 'evk_X'),
      `evk_${secret}`,
    ]) {
      await expectRefused(authenticator.authenticate(token, new Date()), /^malformed API key/, secret);
    }
  });

  it('refuses an expired key, naming the expiry time; accepts it until then', async () => {
    const issuedAt = new Date();
    const expiresAt = new Date(issuedAt.getTime() + HOUR);
    const { issued, authenticator, secret } = await setUp({ expiresAt }, issuedAt);
    await expect(
      authenticator.authenticate(issued.plaintext, new Date(expiresAt.getTime() - 1)),
    ).resolves.toBeDefined();
    const attempt = authenticator.authenticate(issued.plaintext, new Date(expiresAt.getTime() + 1));
    await expectRefused(
      attempt,
      new RegExp(`API key ${issued.record.prefix} expired at ${expiresAt.toISOString()}`),
      secret,
    );
    await expect(attempt).rejects.toMatchObject({ lapsed: 'expired' }); // a long response ends CREDENTIAL_EXPIRED
  });

  it('refuses a key at once after it is revoked, even right after a successful use', async () => {
    const { issued, authenticator, store, secret } = await setUp();
    await expect(authenticator.authenticate(issued.plaintext, new Date())).resolves.toMatchObject({
      apiKeyId: issued.record.keyId,
    });
    const revokedAt = new Date();
    await store.revoke(issued.record.keyId, revokedAt);
    const attempt = authenticator.authenticate(issued.plaintext, new Date());
    await expectRefused(
      attempt,
      new RegExp(`API key ${issued.record.prefix} was revoked at ${revokedAt.toISOString()}`),
      secret,
    );
    await expect(attempt).rejects.toMatchObject({ lapsed: 'revoked' }); // a long response ends CREDENTIAL_REVOKED
  });

  it('tells a revoked key apart only to the holder of its secret', async () => {
    const { issued, authenticator, store } = await setUp();
    await store.revoke(issued.record.keyId, new Date());
    const guess = randomBytes(32).toString('base64url');
    await expectRefused(
      authenticator.authenticate(`${issued.record.prefix}_${guess}`, new Date()),
      /unknown key or wrong secret/,
      guess,
    );
  });
});
