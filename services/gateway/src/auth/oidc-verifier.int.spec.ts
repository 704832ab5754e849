import { randomUUID } from 'node:crypto';
import { AuthError } from './auth.errors.js';
import { discoverJwksUri } from './oidc-discovery.js';
import { OidcVerifier } from './oidc-verifier.js';
import { startTestOidcIssuer, TestOidcIssuer, type RunningTestOidcIssuer } from './testing/index.js';

// Only the local issuer started here is used: no PostgreSQL, no Kafka.
describe('OidcVerifier with keys fetched from a local issuer over HTTP', () => {
  let running: RunningTestOidcIssuer;
  const user = () => ({ sub: `user-${randomUUID()}`, tenant: `tenant-${randomUUID()}` });

  beforeAll(async () => {
    running = await startTestOidcIssuer();
  });

  afterAll(async () => {
    await running.close();
  });

  const remoteVerifier = (jwksUri: string) =>
    new OidcVerifier({ issuer: running.url, audience: running.issuer.audience, jwksUri, jwksTimeoutMs: 2_000 });

  it('discovers the JWKS, verifies a valid token and caches the keys', async () => {
    const jwksUri = await discoverJwksUri(running.url);
    expect(jwksUri).toBe(running.jwksUri);
    const verifier = remoteVerifier(jwksUri);
    const before = running.jwksRequests();
    const claims = { ...user(), evalvault_roles: { 'checkout-rag': ['approver'] } };
    await expect(verifier.verify(await running.issuer.sign(claims))).resolves.toEqual({
      tenantId: claims.tenant,
      subject: claims.sub,
      authMethod: 'oidc',
      apiKeyId: null,
      projectRoles: { 'checkout-rag': ['approver'] },
      tenantRoles: [],
    });
    await expect(verifier.verify(await running.issuer.sign(user()))).resolves.toBeDefined();
    expect(running.jwksRequests() - before).toBe(1);
  });

  it('refuses unknown kids, refetching at most once per cooldown', async () => {
    const verifier = remoteVerifier(running.jwksUri);
    await verifier.verify(await running.issuer.sign(user()));
    const before = running.jwksRequests();
    const stranger = await TestOidcIssuer.create({ issuer: running.url, audience: running.issuer.audience });
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const error = await verifier.verify(await stranger.sign(user())).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AuthError);
      expect(error).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/^unknown signing key/) });
    }
    // Just fetched, so within the cooldown: made-up kids do not reach the issuer at all.
    expect(running.jwksRequests() - before).toBe(0);
  });

  it('answers UNAVAILABLE, not 401, when the issuer cannot be reached', async () => {
    const down = await startTestOidcIssuer();
    const verifier = new OidcVerifier({
      issuer: down.url,
      audience: down.issuer.audience,
      jwksUri: down.jwksUri,
      jwksTimeoutMs: 2_000,
    });
    const token = await down.issuer.sign(user());
    await down.close();
    const error = await verifier.verify(token).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({
      code: 'UNAVAILABLE',
      status: 503,
      message: expect.stringMatching(/could not fetch the OIDC issuer's signing keys/),
    });
  });

  it('refuses discovery metadata naming another issuer, and plain-http URLs off loopback', async () => {
    await expect(discoverJwksUri(`${running.url}/`)).rejects.toThrow(/names issuer/);
    expect(() => new OidcVerifier({ issuer: 'x', audience: 'y', jwksUri: 'http://idp.example/jwks' })).toThrow(
      /must use https/,
    );
  });
});
