import { randomBytes, randomUUID } from 'node:crypto';
import { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { ApiKeySecretHasher, issueApiKey } from './api-keys.js';
import { AuthError } from './auth.errors.js';
import { Authenticator } from './authenticator.js';
import { OidcVerifier } from './oidc-verifier.js';
import { InMemoryApiKeyStore, TestOidcIssuer } from './testing/index.js';

const hasher = new ApiKeySecretHasher(randomBytes(32));
const store = new InMemoryApiKeyStore();
const apiKeys = new ApiKeyAuthenticator(store, hasher);

async function anApiKey(): Promise<string> {
  const issued = issueApiKey(
    { tenantId: 't-1', projectId: 'p-1', role: 'editor', name: 'ci', expiresAt: null },
    { hasher },
  );
  await store.save(issued.record);
  return issued.plaintext;
}

async function expectRefused(promise: Promise<unknown>, reason: RegExp): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AuthError);
  expect(error).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  expect((error as Error).message).toMatch(reason);
}

describe('Authenticator', () => {
  let issuer: TestOidcIssuer;
  let authenticator: Authenticator;

  beforeAll(async () => {
    issuer = await TestOidcIssuer.create();
    const oidc = new OidcVerifier({ issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks() });
    authenticator = new Authenticator({ apiKeys, oidc });
  });

  it('takes Bearer evk_… down the API key path', async () => {
    await expect(authenticator.authenticate(`Bearer ${await anApiKey()}`)).resolves.toMatchObject({
      authMethod: 'api_key',
      tenantId: 't-1',
    });
    await expectRefused(authenticator.authenticate('Bearer evk_nonsense'), /^malformed API key/);
  });

  it('answers at once only for an API key it verified moments ago, as authenticate() would', async () => {
    const header = `Bearer ${await anApiKey()}`;
    expect(authenticator.authenticateCached(header)).toBeNull();
    const principal = await authenticator.authenticate(header);
    expect(authenticator.authenticateCached(header)).toEqual(principal);
    expect(authenticator.authenticateCached(`bearer  ${header.slice('Bearer '.length)} `)).toEqual(principal);
    const token = await issuer.sign({ sub: `user-${randomUUID()}`, tenant: 't-2' });
    await authenticator.authenticate(`Bearer ${token}`);
    expect(authenticator.authenticateCached(`Bearer ${token}`)).toBeNull(); // OIDC: always verified
    expect(authenticator.authenticateCached(undefined)).toBeNull();
    expect(authenticator.authenticateCached(`Basic ${header.slice('Bearer '.length)}`)).toBeNull();
  });

  it('takes any other bearer token down the OIDC path', async () => {
    const token = await issuer.sign({ sub: `user-${randomUUID()}`, tenant: 't-2' });
    await expect(authenticator.authenticate(`Bearer ${token}`)).resolves.toMatchObject({
      authMethod: 'oidc',
      tenantId: 't-2',
    });
    await expect(authenticator.authenticate(`bearer  ${token} `)).resolves.toMatchObject({ authMethod: 'oidc' });
    await expectRefused(authenticator.authenticate('Bearer not-a-jwt'), /^not a valid API key or token/);
  });

  it('tells when an OIDC token stops being accepted; an API key’s end only the store knows', async () => {
    const token = await issuer.sign({ sub: `user-${randomUUID()}`, tenant: 't-2' }, { expiresIn: '5m' });
    const exp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number };
    expect(authenticator.acceptedUntil(`Bearer ${token}`)).toEqual(new Date((exp.exp + 30) * 1000));
    expect(authenticator.acceptedUntil(`Bearer ${await anApiKey()}`)).toBeNull();
    expect(authenticator.acceptedUntil(undefined)).toBeNull();
    expect(new Authenticator({ apiKeys, oidc: null }).acceptedUntil(`Bearer ${token}`)).toBeNull();
  });

  it('refuses a missing header or another scheme, never echoing the credentials', async () => {
    for (const header of [undefined, null, '', '   ']) {
      await expectRefused(authenticator.authenticate(header), /^missing Authorization: Bearer … header$/);
    }
    const password = randomBytes(12).toString('base64url');
    await expectRefused(
      authenticator.authenticate(`Basic ${password}`),
      /^unsupported Authorization scheme "Basic": missing Authorization: Bearer/,
    );
    await expectRefused(authenticator.authenticate(password), /^malformed Authorization header/);
    await expectRefused(authenticator.authenticate('Bearer'), /^malformed Authorization header/);
    await expectRefused(authenticator.authenticate('Bearer a b'), /^malformed Authorization header/);
    const error = await authenticator.authenticate(`Basic ${password}`).catch((caught: unknown) => caught);
    expect(String(error)).not.toContain(password);
  });

  it('accepts only API keys when no OIDC issuer is configured', async () => {
    const keysOnly = new Authenticator({ apiKeys, oidc: null });
    await expect(keysOnly.authenticate(`Bearer ${await anApiKey()}`)).resolves.toMatchObject({ authMethod: 'api_key' });
    await expectRefused(
      keysOnly.authenticate(`Bearer ${await issuer.sign({ sub: 'u', tenant: 't' })}`),
      /no issuer configured/,
    );
    // A mistyped key is not a token either: it hears what a credential looks like.
    await expectRefused(keysOnly.authenticate('Bearer my-api-key'), /^not a valid API key or token/);
  });
});
