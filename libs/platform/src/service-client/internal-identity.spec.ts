import { randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';
import {
  InternalIdentitySigner,
  InternalIdentityVerifier,
  INTERNAL_IDENTITY_ISSUER,
  type InternalIdentity,
} from './internal-identity.js';
import { ServiceClientError, ServiceClientErrorCode } from './service-client.errors.js';

const AUDIENCE = 'runs';
const secret = randomBytes(32);
const signer = new InternalIdentitySigner({ secret });
const verifier = new InternalIdentityVerifier({ secret, serviceName: AUDIENCE });

function anIdentity(): InternalIdentity {
  return {
    tenantId: `tenant-${randomUUID()}`,
    projectId: `project-${randomUUID()}`,
    roles: ['editor', 'viewer'],
    actor: { subject: `user-${randomUUID()}`, authMethod: 'oidc', apiKeyId: null },
  };
}

async function expectUnauthenticated(token: string | undefined, reason: RegExp): Promise<void> {
  const error: unknown = await verifier.verify(token).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ServiceClientError);
  expect(error).toMatchObject({ code: ServiceClientErrorCode.Unauthenticated, status: 401 });
  expect((error as Error).message).toMatch(reason);
}

const base64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const secondsNow = (): number => Math.floor(Date.now() / 1000);

/** Claims that would pass every check but the one a test breaks. */
function validClaims(): Record<string, unknown> {
  const now = secondsNow();
  return {
    iss: INTERNAL_IDENTITY_ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    iat: now,
    exp: now + 60,
    jti: randomUUID(),
    tenant_id: 'tenant-1',
    project_id: null,
    roles: [],
    auth_method: 'api_key',
    api_key_id: 'key-1',
  };
}

describe('internal identity', () => {
  it('round-trips through sign and verify', async () => {
    const identity = anIdentity();
    await expect(verifier.verify(await signer.sign(identity, AUDIENCE))).resolves.toEqual(identity);
    const apiKeyIdentity = {
      ...anIdentity(),
      projectId: null,
      actor: { subject: 'ci-bot', authMethod: 'api_key', apiKeyId: 'key-7' },
    };
    await expect(verifier.verify(await signer.sign(apiKeyIdentity, AUDIENCE))).resolves.toEqual(apiKeyIdentity);
  });

  it('signs a short-lived HS256 token for one audience, with a fresh jti each time', async () => {
    const identity = anIdentity();
    const [first, second] = [await signer.sign(identity, AUDIENCE), await signer.sign(identity, AUDIENCE)];
    const claims = decodeJwt(first);
    expect(JSON.parse(Buffer.from(first.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    expect(claims).toMatchObject({ iss: INTERNAL_IDENTITY_ISSUER, aud: AUDIENCE, sub: identity.actor.subject });
    expect(claims.exp! - claims.iat!).toBe(60);
    expect(claims.jti).toEqual(expect.any(String));
    expect(decodeJwt(second).jti).not.toBe(claims.jti);
  });

  it('refuses an expired token, but tolerates a few seconds of clock skew', async () => {
    const minutesAgo = (minutes: number) => () => new Date(Date.now() - minutes * 60_000);
    await expectUnauthenticated(
      await new InternalIdentitySigner({ secret, now: minutesAgo(2) }).sign(anIdentity(), AUDIENCE),
      /expired/,
    );
    const justExpired = new InternalIdentitySigner({ secret, now: () => new Date(Date.now() - 62_000) });
    await expect(verifier.verify(await justExpired.sign(anIdentity(), AUDIENCE))).resolves.toBeDefined();
  });

  it('refuses a token minted for another service', async () => {
    await expectUnauthenticated(await signer.sign(anIdentity(), 'registry'), /wrong audience/);
  });

  it('refuses a token signed with another secret', async () => {
    const forger = new InternalIdentitySigner({ secret: randomBytes(32) });
    await expectUnauthenticated(await forger.sign(anIdentity(), AUDIENCE), /bad signature/);
  });

  it('refuses an unsigned alg "none" token', async () => {
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(validClaims())}.`;
    await expectUnauthenticated(unsigned, /disallowed algorithm/);
  });

  it('refuses a token signed with an algorithm outside the allow-list', async () => {
    const hs512 = await new SignJWT(validClaims()).setProtectedHeader({ alg: 'HS512' }).sign(new Uint8Array(secret));
    await expectUnauthenticated(hs512, /disallowed algorithm/);
  });

  it('refuses a missing, empty or garbled header', async () => {
    await expectUnauthenticated(undefined, /missing x-evalvault-identity header/);
    await expectUnauthenticated('', /missing x-evalvault-identity header/);
    await expectUnauthenticated('not-a-token', /not a well-formed signed token/);
  });

  it('refuses a validly signed token whose identity claims are malformed', async () => {
    const claims = { ...validClaims(), tenant_id: undefined, roles: 'admin' };
    const token = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(secret));
    await expectUnauthenticated(token, /claims are malformed/);
  });

  it('refuses a secret shorter than 32 bytes', () => {
    const shortSecret = randomBytes(16);
    expect(() => new InternalIdentitySigner({ secret: shortSecret })).toThrow(/at least 32 bytes/);
    expect(() => new InternalIdentityVerifier({ secret: shortSecret, serviceName: AUDIENCE })).toThrow(
      /at least 32 bytes/,
    );
  });
});
