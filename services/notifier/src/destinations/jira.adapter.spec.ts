import { parseAddressRanges } from '@evalvault/platform';
import type { NotificationIntendedPayload } from '@evalvault/contracts';
import type { DeliveryRequest } from '../delivery/destination.port.js';
import type { HttpDeliveryOptions } from '../delivery/http-call.js';
import { jiraEpisodeLabel } from '../notification/notification.ids.js';
import { sampleIntent } from '../notification/testing.js';
import { FakeJira } from '../testing/fake-jira.js';
import { JiraAdapter } from './jira.adapter.js';
import { messageOf } from './message.js';

const auth = { email: 'bot@acme.example', token: 'jira-token-under-test' };
const options: HttpDeliveryOptions = {
  egressAllow: ['127.0.0.1'],
  egressAllowPrivate: parseAddressRanges(['127.0.0.1']),
  timeoutMs: 2_000,
  secrets: async (ref) => (ref.endsWith('EMAIL') ? auth.email : auth.token),
  now: () => Date.now(),
};

/** The Jira adapter against the fake Jira over real HTTP on 127.0.0.1. */
describe('Jira adapter', () => {
  let jira: FakeJira;
  const adapter = new JiraAdapter(options);

  beforeEach(async () => {
    jira = await FakeJira.start(auth);
  });
  afterEach(() => jira.close());

  let resolveTransition: string | undefined;
  const request = (overrides: Partial<NotificationIntendedPayload>): DeliveryRequest => {
    const intent = sampleIntent(overrides);
    const destination = {
      ...(resolveTransition ? { resolveTransition } : {}),
      type: 'jira' as const,
      baseUrl: jira.url,
      projectKey: 'OPS',
      issueType: 'Bug',
      emailRef: 'env:EVALVAULT_SECRET_ACME__CHECKOUT__JIRA_EMAIL',
      tokenRef: 'env:EVALVAULT_SECRET_ACME__CHECKOUT__JIRA_TOKEN',
    };
    return {
      notificationId: intent.notificationId,
      tenantId: 'acme',
      projectId: 'checkout',
      intent,
      destination,
      message: messageOf(intent, 'checkout'),
    };
  };
  const episode = jiraEpisodeLabel('r-1', 'g'.repeat(64));
  const failed = (n: number): DeliveryRequest =>
    request({ notificationId: `n-fail-${n}`, dedupKey: `evalvault-notification-n-fail-${n}` });
  const passed = (overrides: Partial<NotificationIntendedPayload> = {}): DeliveryRequest =>
    request({
      notificationId: 'n-pass',
      triggerType: 'GatePassed',
      action: 'resolve',
      dedupKey: episode,
      runId: 'run-43',
      runUrl: 'https://evalvault.example.com/runs/run-43',
      rules: sampleIntent().rules.map((rule) => ({ ...rule, passed: true })),
      ...overrides,
    });
  const posts = (path: RegExp): number => jira.received.filter((r) => r.method === 'POST' && path.test(r.path)).length;

  it("labels a failure's issue with its episode, and a pass comments why and moves it to done", async () => {
    const opened = await adapter.deliver(failed(1));
    expect(opened).toMatchObject({ ok: true, remoteId: 'OPS-1' });
    expect(jira.issuesLabelled(episode).map((issue) => issue.key)).toEqual(['OPS-1']);

    const resolved = await adapter.deliver(passed());
    expect(resolved).toEqual({ ok: true, remoteId: 'OPS-1', remoteUrl: `${jira.url}/browse/OPS-1` });
    const [issue] = jira.issues;
    expect(issue!.status).toEqual({ name: 'Done', category: 'done' });
    expect(issue!.comments).toHaveLength(1);
    const said = JSON.stringify(issue!.comments[0]!.body);
    expect(said).toContain('the gate passed again on run run-43');
    expect(said).toContain('https://evalvault.example.com/runs/run-43');
    expect(jira.received.every((r) => r.problems.length === 0)).toBe(true);
  });

  it('closes every open issue of the episode and leaves other gates alone', async () => {
    await adapter.deliver(failed(1));
    await adapter.deliver(failed(2));
    await adapter.deliver(
      request({ notificationId: 'n-other', dedupKey: 'evalvault-notification-n-other', gateId: 'h' }),
    );
    const resolved = await adapter.deliver(passed());
    expect(resolved).toMatchObject({ ok: true, remoteId: 'OPS-1,OPS-2' });
    expect(jira.issues.map((issue) => issue.status.category)).toEqual(['done', 'done', 'new']);
  });

  it('says the metric recovered when a drift ends', async () => {
    await adapter.deliver(
      request({ triggerType: 'DriftDetected', gateId: 'drift-s1-token_f1', dedupKey: 'evalvault-notification-d' }),
    );
    const drift = passed({
      triggerType: 'DriftResolved',
      gateId: 'drift-s1-token_f1',
      dedupKey: jiraEpisodeLabel('r-1', 'drift-s1-token_f1'),
      rules: [],
      failureReason: 'drift:token_f1',
      failureMessage: 'token_f1 mean 0.8 is back within the threshold of the baseline 0.82',
    });
    expect(await adapter.deliver(drift)).toMatchObject({ ok: true, remoteId: 'OPS-1' });
    expect(JSON.stringify(jira.issues[0]!.comments[0]!.body)).toContain('token_f1 recovered on run run-43');
  });

  it('sends nothing twice: a redelivered resolve, or an issue a person already closed, is a success', async () => {
    await adapter.deliver(failed(1));
    await adapter.deliver(passed());
    const before = jira.received.length;
    expect(await adapter.deliver(passed())).toEqual({ ok: true, remoteId: null, remoteUrl: null });
    expect(jira.received.slice(before).map((r) => r.method)).toEqual(['GET']); // the search only
    expect(jira.issues[0]!.comments).toHaveLength(1);
  });

  it('leaves an issue alone that the search index still shows open but is done', async () => {
    await adapter.deliver(failed(1));
    await adapter.deliver(passed());
    jira.searchIndexLags = true;
    const before = jira.received.length;
    expect(await adapter.deliver(passed())).toEqual({ ok: true, remoteId: null, remoteUrl: null });
    expect(jira.received.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /rest/api/3/search/jql',
      'GET /rest/api/3/issue/OPS-1',
    ]);
  });

  it('does not comment again when an earlier attempt commented and then failed to transition', async () => {
    await adapter.deliver(failed(1));
    jira.next({ kind: 'fail', status: 503 }, 1, /\/transitions$/, 'POST');
    const first = await adapter.deliver(passed()).catch((error: Error) => error);
    expect(first).toBeInstanceOf(Error);
    expect(jira.issues[0]!.comments).toHaveLength(1);
    expect(jira.issues[0]!.status.category).toBe('new');
    expect(await adapter.deliver(passed())).toMatchObject({ ok: true, remoteId: 'OPS-1' });
    expect(jira.issues[0]!.comments).toHaveLength(1);
    expect(jira.issues[0]!.status.category).toBe('done');
    expect(posts(/\/comment$/)).toBe(1);
  });

  it('fails for good, naming the issue and what was offered, when no transition leads to done', async () => {
    await adapter.deliver(failed(1));
    jira.workflow = [{ id: '11', name: 'Start Progress', to: { name: 'In Progress', category: 'indeterminate' } }];
    const error = (await adapter.deliver(passed()).catch((e: unknown) => e)) as { failure?: unknown };
    const offered = 'Start Progress (id 11) → In Progress';
    expect(error.failure).toEqual({
      error: `jira resolve: issue OPS-1 offers no transition to a done status (offered: ${offered})`,
      statusCode: null,
      retryAfterMs: null,
      permanent: true,
    });
    expect(posts(/\/transitions$/)).toBe(0);
    expect(jira.issues[0]!.comments).toEqual([]); // no "resolved" comment on an issue that stays open
  });

  it("takes the route's resolveTransition over the first transition to done; fails for good without it", async () => {
    const done = { name: 'Done', category: 'done' } as const;
    jira.workflow = [
      { id: '21', name: "Won't Do", to: { name: "Won't Do", category: 'done' } },
      { id: '31', name: 'Close Issue', to: done },
    ];
    resolveTransition = 'close issue';
    await adapter.deliver(failed(1));
    expect(await adapter.deliver(passed())).toMatchObject({ ok: true, remoteId: 'OPS-1' });
    expect(jira.issues[0]!.status).toEqual(done);

    await adapter.deliver(failed(2));
    resolveTransition = 'Resolve';
    const error = (await adapter.deliver(passed({ notificationId: 'n-pass-2' })).catch((e: unknown) => e)) as {
      failure?: { error: string; permanent: boolean };
    };
    expect(error.failure).toMatchObject({ permanent: true });
    expect(error.failure!.error).toContain(
      `issue OPS-2 offers no transition "Resolve" (the route's resolveTransition)`,
    );
    expect(error.failure!.error).toContain("Won't Do (id 21) → Won't Do, Close Issue (id 31) → Done");
  });
});

describe('fake Jira', () => {
  let jira: FakeJira;
  beforeEach(async () => {
    jira = await FakeJira.start(auth);
  });
  afterEach(() => jira.close());

  it("refuses malformed transitions and comments in Jira's error format", async () => {
    await new JiraAdapter(options).deliver({
      notificationId: 'n-1',
      tenantId: 'acme',
      projectId: 'checkout',
      intent: sampleIntent(),
      destination: {
        type: 'jira',
        baseUrl: jira.url,
        projectKey: 'OPS',
        issueType: 'Bug',
        emailRef: 'env:X_EMAIL',
        tokenRef: 'env:X',
      },
      message: messageOf(sampleIntent(), 'checkout'),
    });
    const headers = {
      authorization: `Basic ${Buffer.from(`${auth.email}:${auth.token}`).toString('base64')}`,
      'content-type': 'application/json',
    };
    const post = async (path: string, body: unknown): Promise<{ status: number; body: unknown }> => {
      const answer = await fetch(`${jira.url}/rest/api/3/issue/OPS-1/${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      });
      return { status: answer.status, body: await answer.json() };
    };
    expect(await post('transitions', { transition: '31' })).toEqual({
      status: 400,
      body: { errorMessages: [], errors: { transition: 'transition must be an object' } },
    });
    expect(await post('transitions', { transition: { id: '99' } })).toMatchObject({
      status: 400,
      body: { errorMessages: ["Transition id '99' is not valid for this issue."] },
    });
    expect(await post('comment', { body: 'plain text is v2, not v3' })).toMatchObject({ status: 400 });
    expect(jira.issues[0]!.comments).toEqual([]);
    expect(jira.issues[0]!.status.category).toBe('new');
  });
});
