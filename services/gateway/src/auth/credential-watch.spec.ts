import type { FastifyRequest } from 'fastify';
import { AuthError } from './auth.errors.js';
import { CredentialEnded, CredentialWatch, type CredentialChecker, type WatchTimers } from './credential-watch.js';
import type { Principal } from './principal.js';

const PRINCIPAL: Principal = {
  tenantId: 'acme',
  subject: 'api-key:0123456789ab',
  authMethod: 'api_key',
  apiKeyId: '0123456789ab',
  projectRoles: { checkout: ['viewer'] },
  tenantRoles: [],
};

const request = (principal: Principal | null = PRINCIPAL): FastifyRequest =>
  ({
    principal: principal ?? undefined,
    headers: { authorization: 'Bearer evk_0123456789ab_secret' },
    params: { project: 'checkout', runId: 'r-1' },
    method: 'GET',
    routeOptions: { url: '/v1/projects/:project/runs/:runId/events' },
  }) as unknown as FastifyRequest;

/** A clock and timers moved by hand: one pending timer at a time, as the watch keeps. */
class ManualTime implements WatchTimers {
  now = 1_000_000;
  pending: { callback: () => void; at: number } | null = null;
  readonly delays: number[] = [];

  setTimeout(callback: () => void, ms: number): unknown {
    this.delays.push(ms);
    this.pending = { callback, at: this.now + ms };
    return this.pending;
  }

  clearTimeout(handle: unknown): void {
    if (this.pending === handle) this.pending = null;
  }

  /** Moves to the pending timer, runs it and lets the re-check it started settle. */
  async next(): Promise<void> {
    const pending = this.pending;
    if (!pending) throw new Error('no timer pending');
    this.pending = null;
    this.now = pending.at;
    pending.callback();
    for (let i = 0; i < 10; i++) await Promise.resolve();
  }
}

function setUp(answers: Array<Principal | Error>, acceptedUntil: number | null = null) {
  const time = new ManualTime();
  const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
  const checked: Array<string | null | undefined> = [];
  const checker: CredentialChecker = {
    authenticate: async (header) => {
      checked.push(header);
      const answer = answers.shift() ?? PRINCIPAL;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    acceptedUntil: () => (acceptedUntil === null ? null : new Date(acceptedUntil)),
  };
  const watch = new CredentialWatch({
    checker,
    intervalMs: 30_000,
    now: () => time.now,
    timers: time,
    logger: { warn: (fields, message) => warnings.push({ fields: fields as Record<string, unknown>, message }) },
  });
  const ended: CredentialEnded[] = [];
  const stop = watch.watch(request(), 'runs.read', (end) => ended.push(end));
  return { time, warnings, checked, ended, stop };
}

describe('CredentialWatch', () => {
  it('re-authenticates the request’s own header every interval and lets a good credential go on', async () => {
    const { time, checked, ended } = setUp([]);
    for (let i = 0; i < 5; i++) await time.next();
    expect(checked).toEqual(Array(5).fill('Bearer evk_0123456789ab_secret'));
    expect(time.delays).toEqual(Array(6).fill(30_000));
    expect(ended).toEqual([]);
  });

  it.each([
    [AuthError.unauthenticated('API key evk_0123456789ab was revoked at …', 'revoked'), 'CREDENTIAL_REVOKED'],
    [AuthError.unauthenticated('API key evk_0123456789ab expired at …', 'expired'), 'CREDENTIAL_EXPIRED'],
    [AuthError.unauthenticated('token expired at …', 'expired'), 'CREDENTIAL_EXPIRED'],
    [
      AuthError.unauthenticated('API key evk_0123456789ab is not valid (unknown key or wrong secret)'),
      'CREDENTIAL_REVOKED',
    ],
  ])('ends, once, when the credential is refused: %s → %s', async (refusal, code) => {
    const { time, ended, warnings } = setUp([PRINCIPAL, refusal]);
    await time.next();
    expect(ended).toEqual([]);
    await time.next();
    expect(ended).toHaveLength(1);
    expect(ended[0]).toBeInstanceOf(CredentialEnded);
    expect(ended[0]).toMatchObject({ code, message: refusal.message });
    expect(time.pending).toBeNull(); // no further re-check
    expect(warnings.at(-1)).toEqual({
      message: 'long response ended: its credential no longer allows it',
      fields: expect.objectContaining({
        tenantId: 'acme',
        apiKeyId: '0123456789ab',
        action: 'runs.read',
        code,
        route: '/v1/projects/:project/runs/:runId/events',
        streamedMs: 60_000,
      }),
    });
  });

  it('ends with FORBIDDEN when the credential no longer holds a role allowing the action in the project', async () => {
    const { time, ended } = setUp([{ ...PRINCIPAL, projectRoles: { elsewhere: ['admin'] } }]);
    await time.next();
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({
      code: 'FORBIDDEN',
      message: 'runs.read needs a role this credential no longer holds in project checkout',
    });
  });

  it('re-checks a token at the instant it stops being accepted, and ends it without asking the issuer', async () => {
    const time0 = 1_000_000;
    const { time, checked, ended } = setUp([], time0 + 45_000);
    await time.next(); // the interval comes first
    expect(ended).toEqual([]);
    expect(time.delays).toEqual([30_000, 15_001]);
    await time.next();
    expect(checked).toHaveLength(1);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ code: 'CREDENTIAL_EXPIRED' });
    expect(ended[0]!.message).toContain(new Date(time0 + 45_000).toISOString());
  });

  it('goes on through a re-check that cannot be made, and ends UNAVAILABLE after three in a row', async () => {
    const outage = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const unavailable = new AuthError('UNAVAILABLE', "could not fetch the OIDC issuer's signing keys: timed out");
    const { time, ended, warnings } = setUp([outage, unavailable, PRINCIPAL, outage, outage, outage]);
    for (let i = 0; i < 5; i++) await time.next();
    expect(ended).toEqual([]);
    expect(warnings.map((warning) => warning.fields['failures'])).toEqual([1, 2, 1, 2]);
    await time.next();
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('calls nothing once stopped, even with a re-check in flight', async () => {
    const { time, ended, stop } = setUp([AuthError.unauthenticated('revoked', 'revoked')]);
    time.pending!.callback(); // the re-check starts…
    stop(); // …and the response ends before it settles
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(ended).toEqual([]);
    expect(time.pending).toBeNull();
  });

  it('watches nothing on a request without a principal', () => {
    const time = new ManualTime();
    const watch = new CredentialWatch({
      checker: { authenticate: async () => PRINCIPAL, acceptedUntil: () => null },
      intervalMs: 10,
      timers: time,
    });
    watch.watch(request(null), 'runs.read', () => undefined)();
    expect(time.pending).toBeNull();
  });

  it('refuses an interval that is not a positive whole number of ms', () => {
    const checker = { authenticate: async () => PRINCIPAL, acceptedUntil: () => null };
    expect(() => new CredentialWatch({ checker, intervalMs: 0 })).toThrow(/interval/);
    expect(() => new CredentialWatch({ checker, intervalMs: 1.5 })).toThrow(/interval/);
  });
});
