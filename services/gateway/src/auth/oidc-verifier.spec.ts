import { createHmac, randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { AuthError } from './auth.errors.js';
import { OidcVerifier, type OidcVerifierOptions } from './oidc-verifier.js';
import { TestOidcIssuer } from './testing/index.js';

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const secondsNow = (): number => Math.floor(Date.now() / 1000);

describe('OidcVerifier', () => {
  let issuer: TestOidcIssuer;
  let verifier: OidcVerifier;
  const verifierFor = (options: Partial<OidcVerifierOptions> = {}) =>
    new OidcVerifier({ issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks(), ...options });

  beforeAll(async () => {
    issuer = await TestOidcIssuer.create();
    verifier = verifierFor();
  });

  const user = () => ({ sub: `user-${randomUUID()}`, tenant: `tenant-${randomUUID()}` });

  /** Payload claims that pass every check; the attack tests break one thing at a time. */
  const validPayload = () => ({
    ...user(),
    iss: issuer.issuer,
    aud: issuer.audience,
    iat: secondsNow(),
    exp: secondsNow() + 300,
  });

  async function expectRefused(token: string, reason: RegExp, by: OidcVerifier = verifier): Promise<void> {
    const error: unknown = await by.verify(token).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect((error as Error).message).toMatch(reason);
  }

  it('reads a valid token into a principal with project and tenant roles from the claim', async () => {
    const claims = {
      ...user(),
      evalvault_roles: { 'checkout-rag': ['editor', 'viewer', 'editor'], search: ['admin'], $tenant: ['auditor'] },
    };
    await expect(verifier.verify(await issuer.sign(claims))).resolves.toEqual({
      tenantId: claims.tenant,
      subject: claims.sub,
      authMethod: 'oidc',
      apiKeyId: null,
      projectRoles: { 'checkout-rag': ['editor', 'viewer'], search: ['admin'] },
      tenantRoles: ['auditor'],
    });
    await expect(verifier.verify(await issuer.sign(user(), { alg: 'PS256' }))).resolves.toMatchObject({
      projectRoles: {},
      tenantRoles: [],
    });
    await expect(
      verifier.verify(await issuer.sign({ ...user(), evalvault_roles: { $tenant: ['audit-admin', 'auditor'] } })),
    ).resolves.toMatchObject({ tenantRoles: ['audit-admin', 'auditor'] });
  });

  it('honours configured claim names', async () => {
    const custom = verifierFor({ tenantClaim: 'org', rolesClaim: 'https://evalvault/roles' });
    const token = await issuer.sign({ sub: 'u-1', org: 'acme', 'https://evalvault/roles': { p: ['approver'] } });
    await expect(custom.verify(token)).resolves.toMatchObject({ tenantId: 'acme', projectRoles: { p: ['approver'] } });
  });

  it('refuses a subject that claims to be an API key or the system', async () => {
    for (const sub of ['api-key:0123456789ab', 'system:bootstrap', 'API-KEY:0123456789ab']) {
      await expectRefused(
        await issuer.sign({ ...user(), sub }),
        /^"sub" claim uses a reserved prefix \(api-key:, system:\)$/,
      );
    }
  });

  it('refuses alg "none"', async () => {
    await expectRefused(
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64(validPayload())}.`,
      /^unsigned token \(alg "none"\) refused$/,
    );
  });

  it('refuses HS256 signed with the RSA public key as the HMAC secret (HS/RS confusion)', async () => {
    const signingInput = `${b64({ alg: 'HS256', typ: 'JWT', kid: issuer.kid })}.${b64(validPayload())}`;
    const signature = createHmac('sha256', await issuer.publicKeyPem())
      .update(signingInput)
      .digest('base64url');
    await expectRefused(
      `${signingInput}.${signature}`,
      /^algorithm "HS256" not allowed \(accepted: RS256, ES256, PS256\)$/,
    );
  });

  it('refuses, at construction, allow-lists with "none" or an HMAC algorithm', () => {
    expect(() => verifierFor({ algorithms: ['RS256', 'HS256'] })).toThrow(/HS256 refused/);
    expect(() => verifierFor({ algorithms: ['none'] })).toThrow(/none refused/);
    expect(() => verifierFor({ algorithms: [] })).toThrow(/must not be empty/);
  });

  it('refuses a token from a key whose kid the issuer does not publish', async () => {
    const stranger = await TestOidcIssuer.create({ issuer: issuer.issuer, audience: issuer.audience });
    await expectRefused(
      await stranger.sign(user()),
      new RegExp(`^unknown signing key: no key with kid "${stranger.kid}" for "RS256"`),
    );
  });

  it("refuses a token signed by another key under the issuer's kid", async () => {
    const impostor = await TestOidcIssuer.create({ issuer: issuer.issuer, audience: issuer.audience });
    await expectRefused(await impostor.sign(user(), { kid: issuer.kid }), /^token signature does not verify/);
  });

  it('refuses an expired token, naming when it expired, but tolerates the clock skew', async () => {
    const token = await issuer.sign(user(), { expiresIn: '-2m' });
    await expectRefused(
      token,
      new RegExp(`^token expired at ${new Date(decodeJwt(token).exp! * 1000).toISOString()}$`),
    );
    await expect(verifier.verify(await issuer.sign(user(), { expiresIn: '-10s' }))).resolves.toBeDefined();
    await expect(verifier.verify(token)).rejects.toMatchObject({ lapsed: 'expired' });
  });

  it('tells until when a token is accepted: its exp plus the clock tolerance', async () => {
    const token = await issuer.sign(user(), { expiresIn: '5m' });
    expect(verifier.acceptedUntil(token)).toEqual(new Date((decodeJwt(token).exp! + 30) * 1000));
    expect(verifier.acceptedUntil('not a token')).toBeNull();
  });

  it('refuses a token not valid yet beyond the clock skew', async () => {
    const token = await issuer.sign(user(), { notBefore: '2m', expiresIn: '10m' });
    const notBefore = new Date(decodeJwt(token).nbf! * 1000).toISOString();
    await expectRefused(token, new RegExp(`^token not valid before ${notBefore} \\(clock tolerance 30s\\)$`));
    await expect(verifier.verify(await issuer.sign(user(), { notBefore: '10s' }))).resolves.toBeDefined();
  });

  it('refuses a token for another audience', async () => {
    await expectRefused(await issuer.sign({ ...user(), aud: 'some-other-api' }), /^audience evalvault-api expected$/);
  });

  it('refuses a token from another issuer', async () => {
    await expectRefused(
      await issuer.sign({ ...user(), iss: 'https://evil.test' }),
      /^issuer https:\/\/issuer\.test expected$/,
    );
  });

  it('refuses a token without a tenant, subject or expiry', async () => {
    await expectRefused(await issuer.sign({ sub: 'u-1' }), /^token lacks the tenant claim "tenant"$/);
    await expectRefused(
      await issuer.sign({ sub: 'u-1', tenant: '' }),
      /^tenant claim "tenant" must be a non-empty string$/,
    );
    await expectRefused(await issuer.sign({ tenant: 't-1' }), /^token lacks the "sub" claim$/);
    await expectRefused(await issuer.sign(user(), { expiresIn: null }), /^token lacks the "exp" claim$/);
  });

  it('refuses malformed role claims and unknown role names', async () => {
    await expectRefused(
      await issuer.sign({ ...user(), evalvault_roles: ['admin'] }),
      /must be an object mapping project ids/,
    );
    await expectRefused(
      await issuer.sign({ ...user(), evalvault_roles: { p: 'admin' } }),
      /must list role names for "p"/,
    );
    await expectRefused(
      await issuer.sign({ ...user(), evalvault_roles: { p: ['Editor'] } }),
      /unknown project role "Editor"/,
    );
    await expectRefused(
      await issuer.sign({ ...user(), evalvault_roles: { p: ['auditor'] } }),
      /unknown project role "auditor"/,
    );
    await expectRefused(
      await issuer.sign({ ...user(), evalvault_roles: { $tenant: ['admin'] } }),
      /unknown tenant role "admin"/,
    );
    await expectRefused(
      await issuer.sign({ ...user(), evalvault_roles: { p: ['audit-admin'] } }),
      /unknown project role "audit-admin"/,
    );
  });

  it('keeps a project named __proto__ an ordinary entry', async () => {
    const token = await issuer.sign({ ...user(), evalvault_roles: JSON.parse('{"__proto__": ["admin"]}') as object });
    const principal = await verifier.verify(token);
    expect(Object.getPrototypeOf(principal.projectRoles)).toBe(Object.prototype);
    expect(Object.entries(principal.projectRoles)).toEqual([['__proto__', ['admin']]]);
  });

  it('refuses garbage', async () => {
    for (const garbage of [
      'not-a-jwt',
      'a.b.c',
      `${b64({ alg: 'RS256' })}.e30`,
      `${b64({ alg: 'RS256' })}.!!!.x`,
      '',
    ]) {
      await expectRefused(garbage, /^not a valid API key or token \(an API key is evk_/);
    }
  });
});
