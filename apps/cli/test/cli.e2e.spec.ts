import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import {
  migrateTestDatabase,
  startServiceProcess,
  stopRunsProcess,
  type RunsProcess,
} from '@evalvault/platform/testing';
import { startAuthorizationServer, type AuthorizationServer } from './support/oidc-authorization-server.js';
import { ciWorkflowCommand, documentedRunCommands } from './support/documented-commands.js';
import { evalvault, lastLine } from './support/run-cli.js';
import { xmlProblems } from './support/xml-well-formed.js';

// Processes start, join consumer groups and score runs: minutes at worst on two cores.
jest.setTimeout(180_000);

const DATASET = 'examples/rag-qa/dataset.jsonl';
const INVALID = 'examples/rag-qa/invalid.jsonl';

/**
 * The built `evalvault` command, as a CI job runs it, against the distributed platform
 * (runs and gateway processes on the real PostgreSQL and Kafka): exit codes, reports,
 * invalid datasets, the runs commands, and both ways to log in.
 */
describe('evalvault CLI against the platform', () => {
  const processes: RunsProcess[] = [];
  const adminKey = `evk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
  const secrets = {
    E2E_INTERNAL_SECRET: randomBytes(32).toString('base64url'),
    E2E_PEPPER: randomBytes(32).toString('base64url'),
  };
  const work = mkdtempSync(join(tmpdir(), 'evalvault-cli-e2e-'));
  const tag = randomBytes(4).toString('hex'); // labels this file's runs: the test database is shared
  let issuer: AuthorizationServer;
  let url: string;

  beforeAll(async () => {
    migrateTestDatabase();
    issuer = await startAuthorizationServer({ tenant: 'default', evalvault_roles: { default: ['viewer'] } });
    const prefix = `cli-e2e-${tag}`;
    const shared = {
      ...secrets,
      EVALVAULT_INTERNAL_SECRET_REF: 'env:E2E_INTERNAL_SECRET',
      RUNS_CONSUMER_START: 'latest',
      RUNS_RELAY_NAME: prefix,
      RUNS_RELAY_START: 'latest',
      RUNS_GROUP_PREFIX: prefix,
      GATEWAY_RELAY_NAME: prefix,
    };
    const runs = await startServiceProcess('runs', shared);
    processes.push(runs);
    // The registry takes the datasets too large to travel inline.
    const registry = await startServiceProcess('registry', {
      ...shared,
      REGISTRY_CONSUMER_START: 'latest',
      REGISTRY_RELAY_START: 'latest',
      REGISTRY_RELAY_NAME: `${prefix}-registry`,
      REGISTRY_GROUP_PREFIX: `${prefix}-registry`,
    });
    processes.push(registry);
    const gateway = await startServiceProcess('gateway', {
      ...shared,
      EVALVAULT_API_KEY_PEPPER_REF: 'env:E2E_PEPPER',
      EVALVAULT_BOOTSTRAP_ADMIN_KEY: adminKey,
      RUNS_SERVICE_URL: runs.url,
      REGISTRY_SERVICE_URL: registry.url,
      EVALVAULT_OIDC_ISSUER: issuer.url,
    });
    processes.push(gateway);
    url = gateway.url;
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => stopRunsProcess(p)));
    await issuer?.close();
  });

  /** A CI job's environment: the server and key in variables, an empty config home. */
  const ci = (): Record<string, string> => ({
    EVALVAULT_URL: url,
    EVALVAULT_API_KEY: adminKey,
    XDG_CONFIG_HOME: mkdtempSync(join(work, 'config-')),
  });
  const label = ['--label', `e2e=${tag}`];
  const runIds: Record<string, string> = {};
  const runIdOf = (stderr: string): string => /submitted run ([0-9a-f-]{36})/.exec(stderr)![1]!;

  it('passes the example gate: exit 0, a results table, and JUnit, JSON and Markdown reports', async () => {
    const reports = {
      junit: join(work, 'pass', 'junit.xml'),
      json: join(work, 'pass', 'run.json'),
      markdown: join(work, 'pass', 'summary.md'),
    };
    const result = await evalvault(
      [
        'run',
        DATASET,
        '--gate-file',
        'examples/rag-qa/gate.txt',
        '--wait',
        ...label,
        '--junit',
        reports.junit,
        '--json',
        reports.json,
        '--markdown',
        reports.markdown,
      ],
      ci(),
    );
    expect(result).toMatchObject({ code: 0 });
    expect(lastLine(result.stderr)).toBe('evalvault: gate passed (3 rules)');
    expect(result.stderr).toMatch(/progress: completed 60\/60 cases/);
    expect(result.stdout).toMatch(/dataset rag-qa {2}60 cases: 60 evaluated, 0 failed/);
    expect(result.stdout).toMatch(/mean\(token_f1\) >= 0\.6 +0\.667 +0\.600 +pass/);
    runIds['pass'] = runIdOf(result.stderr);

    const junit = readFileSync(reports.junit, 'utf8');
    expect(xmlProblems(junit)).toEqual([]);
    expect(junit).toMatch(/<testsuites name="evalvault" tests="3" failures="0" errors="0"/);
    const json = JSON.parse(readFileSync(reports.json, 'utf8')) as {
      run: { runId: string; status: string; labels: Record<string, string> };
      cases: unknown[];
    };
    expect(json.run).toMatchObject({ runId: runIds['pass'], status: 'completed', labels: { e2e: tag } });
    expect(json.cases).toHaveLength(60);
    expect(readFileSync(reports.markdown, 'utf8')).toMatch(/^## ✅ EvalVault: gate passed \(3 rules\)/);
  });

  it('exits 1 on the strict gate, naming each failing rule with its actual value, and the weakest cases', async () => {
    const junitPath = join(work, 'fail', 'junit.xml');
    const result = await evalvault(
      ['run', DATASET, '--gate-file', 'examples/rag-qa/gate-strict.json', '--wait', ...label, '--junit', junitPath],
      ci(),
    );
    expect(result.code).toBe(1);
    expect(lastLine(result.stderr)).toBe(
      'evalvault: gate failed: mean(token_f1) >= 0.75 (actual 0.667, threshold 0.75); ' +
        'pass_rate(faithfulness_lexical, 1) >= 0.95 (actual 0.85, threshold 0.95); ' +
        'min(context_recall) >= 0.5 (actual 0, threshold 0.5)',
    );
    expect(result.stdout).toMatch(/lowest token_f1 +score +why\n-+ +-+ +-+\nbad-006 +0\.071/);
    const junit = readFileSync(junitPath, 'utf8');
    expect(xmlProblems(junit)).toEqual([]);
    expect(junit).toContain('message="gate rule failed: min(context_recall) &gt;= 0.5 (actual 0, threshold 0.5)"');
    runIds['fail'] = runIdOf(result.stderr);
  });

  it('refuses an invalid dataset with exit 2, naming each bad line, and submits nothing', async () => {
    const marker = `invalid-${tag}`;
    const result = await evalvault(
      ['run', INVALID, '--metric', 'token_f1', '--wait', '--label', `e2e=${marker}`],
      ci(),
    );
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.slice(0, -1).map((line) => line.split(': ')[0])).toEqual([
      `${INVALID}:2`,
      `${INVALID}:3`,
      `${INVALID}:5`,
      `${INVALID}:6`,
    ]);
    expect(lines.at(-1)).toBe(
      `evalvault: error: ${INVALID}: 4 invalid rows (lines 2, 3, 5, 6); ` +
        'fix them or pass --skip-invalid to submit the valid rows',
    );
    const listed = await evalvault(['runs', 'list', '--label', `e2e=${marker}`, '--json'], ci());
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it('with --skip-invalid submits the valid rows and records the others as failed cases with their lines', async () => {
    const jsonPath = join(work, 'skip', 'run.json');
    const result = await evalvault(
      ['run', INVALID, '--metric', 'token_f1', '--skip-invalid', '--wait', ...label, '--json', jsonPath],
      ci(),
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`evalvault: skipping ${INVALID}:3: question is required [MISSING_FIELD]`);
    const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as {
      run: { counts: object };
      cases: Array<{
        caseId: string | null;
        status: string;
        error: { code: string; reason: string; line: number } | null;
      }>;
    };
    expect(report.run.counts).toEqual({ total: 6, evaluated: 2, failed: 4 });
    expect(report.cases.filter((c) => c.status === 'evaluated').map((c) => c.caseId)).toEqual(['ok-1', 'ok-2']);
    const failed = report.cases
      .filter((c) => c.status === 'failed')
      .map((c) => [c.error!.line, c.error!.code, c.error!.reason.split(':')[0]]);
    expect(failed).toEqual([
      [2, 'INVALID_JSON', 'line 2'],
      [3, 'MISSING_FIELD', 'line 3'],
      [5, 'INVALID_FIELD', 'line 5'],
      [6, 'UNKNOWN_FIELD', 'line 6'],
    ]);
    expect(result.stdout).toMatch(/line 3 +3 +MISSING_FIELD +line 3: question is required/);
  });

  it('lists, shows, compares, retries and refuses to cancel finished runs, with the server’s reason', async () => {
    const env = ci();
    const listed = await evalvault(['runs', 'list', '--label', `e2e=${tag}`, '--json'], env);
    expect((JSON.parse(listed.stdout) as Array<{ runId: string }>).map((r) => r.runId)).toEqual(
      expect.arrayContaining([runIds['pass'], runIds['fail']]),
    );
    const table = await evalvault(['runs', 'list', '--label', `e2e=${tag}`, '--limit', '1'], env);
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(3); // header, rule, one run

    const shown = await evalvault(['runs', 'show', runIds['fail']!], env);
    expect(shown).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(new RegExp(`^run ${runIds['fail']} {2}completed`)),
    });

    const compared = await evalvault(['runs', 'compare', runIds['pass']!, runIds['fail']!], env);
    expect(compared.stdout).toContain('configuration changes: gateRules');
    expect(compared.stdout).toMatch(/token_f1 +0\.667 +0\.667 +0\.000/);
    // The same cases answered the same way: paired difference 0, interval [0, 0], Wilcoxon p = 1.
    expect(compared.stdout).toContain('shared cases: 60 (matched by case id');
    expect(compared.stdout).toMatch(/token_f1 .* \+?0\.000 +\[0\.000, 0\.000\] +1\.0 +0\.000 +no sig\. change/);
    expect(compared.stdout).toContain('no significant regression');
    const comparedJson = await evalvault(['runs', 'compare', runIds['pass']!, runIds['fail']!, '--json'], env);
    const paired = (
      JSON.parse(comparedJson.stdout) as { metrics: Array<{ metric: string; paired: unknown }> }
    ).metrics.find((m) => m.metric === 'token_f1')?.paired;
    expect(paired).toMatchObject({
      cases: 60,
      verdict: 'unchanged',
      test: { name: 'wilcoxon_signed_rank', pValue: 1 },
    });
    const comparedMarkdown = await evalvault(['runs', 'compare', runIds['pass']!, runIds['fail']!, '--markdown'], env);
    expect(comparedMarkdown.stdout).toMatch(/^## ✅ EvalVault comparison: no significant regression/);

    const cancelled = await evalvault(['runs', 'cancel', runIds['pass']!], env);
    expect(cancelled.code).toBe(2);
    expect(lastLine(cancelled.stderr)).toMatch(/^evalvault: error: 409 .*already completed/);

    const retried = await evalvault(['runs', 'retry', runIds['fail']!, '--all', '--wait'], env);
    expect(retried.code).toBe(1);
    expect(retried.stderr).toMatch(new RegExp(`run [0-9a-f-]{36} retries ${runIds['fail']} \\(every case\\)`));

    const submitted = await evalvault(['run', DATASET, '--gate', 'mean(token_f1) >= 0.5', '--no-wait', ...label], env);
    expect(submitted.code).toBe(0);
    expect(submitted.stdout).toMatch(/^[0-9a-f-]{36}\n$/); // with --no-wait: the run id, for scripts
  });

  it('writes the failed run’s release report against the passed one: Markdown and self-contained HTML', async () => {
    const out = join(work, 'release');
    const args = ['report', runIds['fail']!, '--against', runIds['pass']!, '--last', '1', '--out', out];
    const result = await evalvault(args, ci());
    expect({ code: result.code, stdout: result.stdout }).toEqual({
      code: 0,
      stdout: `${join(out, 'report.md')}\n${join(out, 'report.html')}\n`,
    });
    expect(lastLine(result.stderr)).toBe(`evalvault: run ${runIds['fail']}: not releasable: the gate failed`);
    const markdown = readFileSync(join(out, 'report.md'), 'utf8');
    expect(markdown).toContain(`Release report: run \`${runIds['fail']}\``);
    expect(markdown).toContain('## Trend over the last 2 runs'); // the --against run, then this one
    expect(markdown).toContain('None: no metric moved significantly.'); // the same answers, scored again
    expect(markdown).toMatch(/## Lineage[\s\S]*rag-qa/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg ');
    expect(html).not.toMatch(/<script|<link|https?:/i);
  });

  it('follows a gated run to its verdict by default: after login the strict gate exits 1, --wait or not', async () => {
    const config = mkdtempSync(join(work, 'login-strict-'));
    expect((await evalvault(['login', '--url', url, '--api-key', adminKey], { XDG_CONFIG_HOME: config })).code).toBe(0);
    for (const wait of [[], ['--wait']]) {
      const result = await evalvault(
        ['run', DATASET, '--gate-file', 'examples/rag-qa/gate-strict.json', ...wait, ...label],
        { XDG_CONFIG_HOME: config },
      );
      expect({ wait, code: result.code }).toEqual({ wait, code: 1 });
      expect(lastLine(result.stderr)).toMatch(/^evalvault: gate failed: mean\(token_f1\) >= 0\.75 \(actual 0\.667/);
    }
  });

  it('with --no-wait only submits and says no verdict was awaited; "runs wait" then exits with the gate', async () => {
    const submitted = await evalvault(
      ['run', DATASET, '--gate-file', 'examples/rag-qa/gate-strict.json', '--no-wait', ...label],
      ci(),
    );
    expect(submitted.code).toBe(0);
    const runId = submitted.stdout.trim();
    expect(lastLine(submitted.stderr)).toBe(
      'evalvault: no verdict was awaited: exit 0 means the run was accepted, not that its gate passed; ' +
        `follow it with "evalvault runs wait ${runId}"`,
    );
    const waited = await evalvault(['runs', 'wait', runId], ci());
    expect(waited.code).toBe(1);
    expect(lastLine(waited.stderr)).toMatch(/^evalvault: gate failed: /);
    const refused = await evalvault(
      ['run', DATASET, '--gate-file', 'examples/rag-qa/gate-strict.json', '--no-wait', '--junit', join(work, 'x.xml')],
      ci(),
    );
    expect(refused.code).toBe(2);
    expect(lastLine(refused.stderr)).toMatch(/--no-wait cannot write reports/);
  });

  it('the CI workflow in examples/ci and the README’s commands exit with the gate against a server', async () => {
    const commands = [...documentedRunCommands(), ciWorkflowCommand()];
    expect(commands.length).toBeGreaterThanOrEqual(3);
    for (const { source, args, expectedExit } of commands) {
      const strict = args.map((arg) => (arg === 'examples/rag-qa/gate.txt' ? 'examples/rag-qa/gate-strict.json' : arg));
      const reportsDir = mkdtempSync(join(work, 'documented-'));
      // Reports go to a directory of the test's; each invocation is a new CI attempt (its own idempotency key).
      const inReports = (arg: string, at: number, all: string[]): string => {
        if (all[at - 1] === '--idempotency-key') return randomBytes(8).toString('hex');
        return arg.startsWith('reports/') ? join(reportsDir, arg) : arg;
      };
      if (expectedExit !== undefined) {
        const asWritten = await evalvault(args.map(inReports), ci());
        expect({ source, args, code: asWritten.code }).toEqual({ source, args, code: expectedExit });
      }
      const failing = await evalvault(strict.map(inReports), ci());
      expect({ source, strict, code: failing.code }).toEqual({ source, strict, code: 1 });
    }
  });

  it('runs a file too large to travel inline by registering it first, then that version by --dataset', async () => {
    // 1,200 cases of about 1 KB: over the ~768 KiB a run request carries inline.
    const file = join(work, 'large.jsonl');
    const padding = 'context words '.repeat(60);
    const lines = Array.from({ length: 1_200 }, (_, i) =>
      JSON.stringify({
        id: `big-${i}`,
        question: `What is item ${i}?`,
        answer: `Item ${i} is large`,
        contexts: [`${padding}${i}`],
        ground_truth: `Item ${i} is large`,
      }),
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    const json = join(work, 'large', 'run.json');
    const result = await evalvault(['run', file, '--gate', 'mean(token_f1) >= 0.9', ...label, '--json', json], ci());
    expect(result.stderr).toContain(
      '1200 cases are more than a run request carries inline here: registering them as dataset "large"',
    );
    expect(result.stderr).toMatch(/uploading 1200\/1200 cases/);
    expect({ code: result.code, reason: lastLine(result.stderr) }).toEqual({
      code: 0,
      reason: 'evalvault: gate passed (1 rule)',
    });
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      run: { counts: object; lineage: { dataset: { id: string; version: number } } };
    };
    expect(report.run.counts).toEqual({ total: 1_200, evaluated: 1_200, failed: 0 });
    const { id, version } = report.run.lineage.dataset;

    const again = await evalvault(
      ['run', '--dataset', `${id}@${version}`, '--gate', 'mean(token_f1) >= 0.9', ...label],
      ci(),
    );
    expect({ code: again.code, reason: lastLine(again.stderr) }).toEqual({
      code: 0,
      reason: 'evalvault: gate passed (1 rule)',
    });
    expect(again.stderr).toContain(`(dataset ${id} v${version}; token_f1)`);
    const newest = await evalvault(
      ['run', '--dataset', id, '--gate', 'mean(token_f1) >= 0.9', '--no-wait', ...label],
      ci(),
    );
    expect(newest.stderr).toContain(`(dataset ${id} v${version}; token_f1)`);
  });

  it('logs in with an API key (checked first, saved 0600) and uses it without any variable', async () => {
    const config = mkdtempSync(join(work, 'login-'));
    const refused = await evalvault(['login', '--url', url, '--api-key', `${adminKey.slice(0, -4)}AAAA`], {
      XDG_CONFIG_HOME: config,
    });
    expect(refused.code).toBe(2);
    expect(lastLine(refused.stderr)).toMatch(/^evalvault: error: the server refused the credentials: /);

    const login = await evalvault(['login', '--url', url, '--api-key', adminKey], { XDG_CONFIG_HOME: config });
    expect(login.code).toBe(0);
    const file = join(config, 'evalvault', 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const listed = await evalvault(['runs', 'list', '--label', `e2e=${tag}`, '--json'], { XDG_CONFIG_HOME: config });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ runId: runIds['pass'] })]),
    );
    expect((await evalvault(['logout'], { XDG_CONFIG_HOME: config })).stdout).toBe(`removed ${file}\n`);
  });

  it('logs in with OIDC in a browser (authorization code + PKCE, loopback redirect) and uses the token', async () => {
    const config = mkdtempSync(join(work, 'oidc-'));
    const browser = `${process.execPath} ${join(import.meta.dirname, 'support', 'fake-browser.mjs')}`;
    const login = await evalvault(['login', '--oidc', '--url', url, '--issuer', issuer.url], {
      XDG_CONFIG_HOME: config,
      EVALVAULT_BROWSER: browser,
    });
    expect(login.stderr).toMatch(
      new RegExp(
        `sign in at this address.*\\n {2}${issuer.url}/authorize\\?response_type=code&client_id=evalvault-cli` +
          '&redirect_uri=http%3A%2F%2F127\\.0\\.0\\.1%3A\\d+%2Fcallback',
      ),
    );
    expect(login.code).toBe(0);
    expect(issuer.exchanges).toEqual([{ challengeMethod: 'S256', verifierMatched: true }]);
    const saved = JSON.parse(readFileSync(join(config, 'evalvault', 'credentials.json'), 'utf8')) as {
      auth: { type: string; refreshToken: string | null };
    };
    expect(saved.auth).toMatchObject({ type: 'oidc', refreshToken: expect.any(String) });

    const listed = await evalvault(['runs', 'list', '--label', `e2e=${tag}`, '--json'], { XDG_CONFIG_HOME: config });
    expect(listed.code).toBe(0);

    // An expired access token is refreshed with the saved refresh token, and the new ones saved.
    const file = join(config, 'evalvault', 'credentials.json');
    const expired = JSON.parse(readFileSync(file, 'utf8')) as {
      auth: { accessToken: string; refreshToken: string; expiresAt: number };
    };
    writeFileSync(file, JSON.stringify({ ...expired, auth: { ...expired.auth, expiresAt: Date.now() - 1_000 } }));
    expect((await evalvault(['runs', 'list', '--limit', '1'], { XDG_CONFIG_HOME: config })).code).toBe(0);
    const refreshed = JSON.parse(readFileSync(file, 'utf8')) as typeof expired;
    expect(refreshed.auth.expiresAt).toBeGreaterThan(Date.now());
    expect(refreshed.auth.refreshToken).not.toBe(expired.auth.refreshToken);

    const viewerSubmits = await evalvault(['run', DATASET, '--gate', 'mean(token_f1) >= 0.5'], {
      XDG_CONFIG_HOME: config,
    });
    expect(viewerSubmits.code).toBe(2); // the token says viewer: the gateway refuses the write
    expect(lastLine(viewerSubmits.stderr)).toMatch(/^evalvault: error: 403 /);
  });
});
