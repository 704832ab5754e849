import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { FakeJira } from '@evalvault/service-notifier/testing';
import { startEmbeddedPlatform, type EmbeddedPlatform } from '../src/platform.js';

jest.setTimeout(180_000);

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Scheduled evaluations on the embedded platform, through the public API: strict validation (a bad cron
 * expression or time zone is a 400 naming the field, a dataset not of the project a 404, nothing created),
 * and a real short-interval schedule on the latest approved dataset version whose answers then degrade:
 * runs start on time, and the drop — significant under the paired test of run comparison, every case's
 * token_f1 from 1 to 0 — raises exactly one DriftDetected however many degraded runs follow.
 */
describe('scheduled evaluations, embedded', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'evalvault-schedules-'));
  let platform: EmbeddedPlatform;
  const secretName = `EVALVAULT_SECRET_DEFAULT__DEFAULT__SLACK_DRIFT_${randomBytes(4).toString('hex').toUpperCase()}`;
  const messages: string[] = [];
  const jiraSecrets = `EVALVAULT_SECRET_DEFAULT__DEFAULT__JIRA_DRIFT_${randomBytes(4).toString('hex').toUpperCase()}`;
  const jiraAuth = { email: 'bot@acme.example', token: randomBytes(12).toString('hex') };
  let jira: FakeJira;
  // Stands in for Slack's incoming webhook: keeps each message, answers "ok".
  const slack: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      messages.push(body);
      response.end('ok');
    });
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
    jira = await FakeJira.start(jiraAuth);
    process.env[`${jiraSecrets}_EMAIL`] = jiraAuth.email;
    process.env[`${jiraSecrets}_TOKEN`] = jiraAuth.token;
    process.env[secretName] = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T1/B1/x`;
    platform = await startEmbeddedPlatform({
      dataDir: join(scratch, 'data'),
      port: 0,
      oidcPort: 0,
      quiet: true,
      env: { RUNS_SCHEDULER_INTERVAL_MS: '250', EVALVAULT_EGRESS_ALLOW: '127.0.0.1' },
    });
  });
  afterAll(async () => {
    await platform?.stop();
    slack.close();
    await jira?.close();
    for (const name of [secretName, `${jiraSecrets}_EMAIL`, `${jiraSecrets}_TOKEN`]) delete process.env[name];
    rmSync(scratch, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, body?: unknown, key = platform.adminKey): Promise<Answer> => {
    const response = await fetch(`${platform.url}/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const project = '/projects/default';
  // Eight cases, the same ids in every version: the watcher pairs them by id, and with all eight degraded
  // its Wilcoxon test is significant (every answer right, then every one wrong: p ≈ 0.005; two cases
  // could never reach p < 0.05).
  const truths = ['alpha beta gamma', 'delta epsilon zeta', 'eta theta iota', 'kappa lambda mu'].flatMap((words) => [
    words,
    `${words} omega`,
  ]);
  const cases = (answer: (truth: string) => string) =>
    truths.map((truth, index) => ({
      id: `c${index}`,
      question: `Q${index}?`,
      answer: answer(truth),
      contexts: [truth],
      ground_truth: truth,
    }));
  const registerApproved = async (answer: (truth: string) => string): Promise<{ id: string; version: number }> => {
    const registered = await call('POST', `${project}/datasets`, { name: 'scheduled-qa', cases: cases(answer) });
    expect(registered.status).toBeLessThan(300);
    const { id, version } = registered.body as { id: string; version: number };
    expect((await call('POST', `${project}/datasets/${id}/versions/${version}/approve`, {})).status).toBe(200);
    return { id, version };
  };
  const until = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> => {
    for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      const found = await probe();
      if (found !== undefined) return found;
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  it('refuses a bad cron, an unknown time zone and a foreign dataset, naming the field, creating nothing', async () => {
    const { id } = await registerApproved((truth) => truth);
    const valid = {
      name: 'nightly',
      cron: '0 2 * * *',
      timeZone: 'Europe/Paris',
      dataset: { id },
      metrics: ['token_f1'],
    };
    const refusals: Array<[unknown, number, string]> = [
      [{ ...valid, cron: '61 * * * *' }, 400, 'cron'],
      [{ ...valid, cron: 'every night' }, 400, 'cron'],
      [{ ...valid, timeZone: 'Mars/Olympus_Mons' }, 400, 'timeZone'],
      [{ ...valid, metrics: ['no_such_metric'] }, 400, 'metrics'],
      [{ ...valid, gate: { rules: ['mean(token_f1) >>= 1'] } }, 400, 'gate.rules[0]'],
      [{ ...valid, drift: { threshold: 2 } }, 400, 'threshold'],
      [{ ...valid, surprise: true }, 400, 'surprise'],
      [{ ...valid, dataset: { id: 'not-a-dataset-of-this-project' } }, 404, ''],
    ];
    for (const [body, status, field] of refusals) {
      const answer = await call('POST', `${project}/schedules`, body);
      expect({ status: answer.status, names: JSON.stringify(answer.body).includes(field) }).toEqual({
        status,
        names: true,
      });
    }
    expect(((await call('GET', `${project}/schedules`)).body as { items: unknown[] }).items).toEqual([]);
    const created = await call('POST', `${project}/schedules`, valid);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'active', timeZone: 'Europe/Paris', dataset: { id, version: null } });
    expect(String(created.body['nextSlotAt'])).toMatch(/T0[01]:00:00\.000Z$/); // 02:00 in Paris is 00:00 or 01:00 UTC
    const scheduleId = String(created.body['scheduleId']);
    expect((await call('POST', `${project}/schedules/${scheduleId}/pause`, { reason: 'holiday' })).body).toMatchObject({
      status: 'paused',
      nextSlotAt: null,
    });
    expect((await call('DELETE', `${project}/schedules/${scheduleId}`)).status).toBe(200);
    expect((await call('GET', `${project}/schedules/${scheduleId}`)).status).toBe(404);
  });

  it('starts runs on time; degraded approved answers raise one DriftDetected, one message, one ticket', async () => {
    const route = await call('POST', `${project}/notification-routes`, {
      name: 'drift-channel',
      on: ['DriftDetected'],
      destination: { type: 'slack', webhookUrlRef: `env:${secretName}` },
    });
    expect(route.status).toBe(201);
    const ticketRoute = await call('POST', `${project}/notification-routes`, {
      name: 'drift-tickets',
      on: ['DriftDetected'],
      destination: {
        type: 'jira',
        baseUrl: jira.url,
        projectKey: 'OPS',
        issueType: 'Bug',
        emailRef: `env:${jiraSecrets}_EMAIL`,
        tokenRef: `env:${jiraSecrets}_TOKEN`,
      },
    });
    expect(ticketRoute.status).toBe(201);
    await registerApproved((truth) => truth);
    const { id } = await registerApproved((truth) => truth); // the same content: the same version
    const created = await call('POST', `${project}/schedules`, {
      name: 'every two seconds',
      cron: '*/2 * * * * *',
      dataset: { id },
      metrics: ['token_f1'],
      drift: { threshold: 0.3, baselineRuns: 2 },
    });
    expect(created.status).toBe(201);
    const path = `${project}/schedules/${String(created.body['scheduleId'])}`;
    const completedRuns = async (): Promise<string[]> => {
      const { recentRunIds } = (await call('GET', path)).body as { recentRunIds: string[] };
      const runs = await Promise.all(recentRunIds.map((runId) => call('GET', `${project}/runs/${runId}`)));
      return runs.filter((run) => run.body['status'] === 'completed').map((run) => String(run.body['runId']));
    };
    const healthy = await until('two healthy scheduled runs', async () => {
      const done = await completedRuns();
      return done.length >= 2 ? done : undefined;
    });
    const first = await call('GET', `${project}/runs/${healthy.at(-1)!}`);
    expect(first.body).toMatchObject({ labels: { 'evalvault.schedule': created.body['scheduleId'] } });

    await registerApproved(() => 'unrelated words entirely'); // a new approved version whose answers degrade
    await until('the drift', async () => {
      const { drifting } = (await call('GET', path)).body as { drifting: Array<{ metric: string }> };
      return drifting.some((drift) => drift.metric === 'token_f1') ? true : undefined;
    });
    const afterDrift = (await completedRuns()).length;
    await until('two more degraded runs', async () =>
      (await completedRuns()).length >= afterDrift + 2 ? true : undefined,
    );
    expect((await call('POST', `${path}/pause`, {})).status).toBe(200);
    // The audit log counts the events: an auditor's key reads it.
    const auditor = await call('POST', `${project}/api-keys`, {
      name: 'drift-audit',
      role: 'viewer',
      tenantRoles: ['auditor'],
    });
    const resource = `schedule:${String(created.body['scheduleId'])}`;
    const audit = await until('the audit entries', async () => {
      const { items } = (
        await call('GET', `/audit?action=DriftDetected&resource=${resource}`, undefined, String(auditor.body['key']))
      ).body as { items: unknown[] };
      return items.length > 0 ? items : undefined;
    });
    expect(audit).toHaveLength(1);
    await until('the drift message', async () => (messages.length > 0 ? true : undefined));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('quality drift (token_f1)');
    expect(messages[0]).toContain('8 paired cases; Wilcoxon p = ');
    await until('the drift ticket', async () => (jira.issues.length > 0 ? true : undefined));
    expect(jira.issues.map((issue) => issue.fields['summary'])).toEqual([
      expect.stringContaining('EvalVault quality drift (token_f1)'),
    ]);
  });
});
