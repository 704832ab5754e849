import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * The web console in a real browser (Debian's chromium, headless) against the embedded platform: sign-in
 * with the bootstrap key, a completed run's detail, submitting a run, comparing two, /docs, and what a
 * viewer's key does not see. Screenshots land in test-artifacts/console (git-ignored).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(import.meta.dirname, '..', '..', '..', 'test-artifacts', 'console');
const DATASET = join(import.meta.dirname, '..', '..', '..', 'examples', 'rag-qa', 'dataset.jsonl');
const AXE = readFileSync(join(import.meta.dirname, '..', '..', '..', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const MAIN = join(import.meta.dirname, '..', '..', 'embedded', 'dist', 'main.js');

/** The fields of the API's answers this test reads. */
type Answer = Record<string, string | number | null>;
interface Violation {
  id: string;
  impact: string | null;
  nodes: { target: string[] }[];
}

interface Platform {
  child: ChildProcess;
  url: string;
  adminKey: string;
}

/** `npm start` as a user runs it (the built entry point) on a data directory of its own, any free port. */
async function startPlatform(dataDir: string): Promise<Platform> {
  const env = { ...process.env, EVALVAULT_DATA_DIR: dataDir, PORT: '0', EVALVAULT_OIDC_PORT: '0', LOG_LEVEL: 'warn' };
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...env,
      DATABASE_URL: '',
      KAFKA_BROKERS: '',
      // The console's notification route example names this secret; nothing is ever sent to it.
      EVALVAULT_SECRET_DEFAULT__DEFAULT__SLACK_HOOK: 'https://hooks.example.test/console',
      EVALVAULT_EGRESS_ALLOW: 'hooks.example.test',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  let url: string | undefined;
  while (!(url = /EvalVault is running at (\S+)/.exec(output)?.[1])) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the platform did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, url, adminKey: readFileSync(join(dataDir, 'secrets', 'bootstrap-admin-key'), 'utf8').trim() };
}

jest.setTimeout(90_000);

describe('web console (browser)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'evalvault-console-'));
  let platform: Platform;
  let browser: Browser;
  let page: Page;
  let viewerKey: string;
  let auditorKey: string;
  const runs: string[] = [];

  const call = async (path: string, init: { method?: string; body?: unknown } = {}): Promise<Answer> => {
    const response = await fetch(`${platform.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${platform.adminKey}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Answer;
  };
  const finished = async (runId: string): Promise<void> => {
    for (let i = 0; i < 200; i++) {
      const run = await call(`/v1/projects/default/runs/${runId}`);
      if (run.status !== 'requested' && run.status !== 'running' && run.verdict !== null) return;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  };
  /** axe-core on the page as it is: no violation of impact serious or critical. */
  const expectAccessible = async (): Promise<void> => {
    await page.evaluate(AXE);
    // A string, evaluated in the page (this file is compiled without the DOM's types).
    const found = (await page.evaluate('axe.run(document).then((result) => result.violations)')) as Violation[];
    const serious = found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  };
  const signIn = async (key: string): Promise<void> => {
    await page.goto(platform.url);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    [platform, browser] = await Promise.all([
      startPlatform(dataDir),
      chromium.launch({ executablePath: CHROMIUM, headless: true }),
    ]);
    const cases = readFileSync(DATASET, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const dataset = await call('/v1/projects/default/datasets', { method: 'POST', body: { name: 'help-desk', cases } });
    // A second version in which ten answers went wrong: the comparison has regressed cases to show.
    const worse = cases.map((c, i) => (i < 10 ? { ...c, answer: 'I do not know.' } : c));
    const second = await call('/v1/projects/default/datasets', {
      method: 'POST',
      body: { name: 'help-desk', cases: worse },
    });
    const versions = [dataset, second];
    for (const rules of [['mean(token_f1) >= 0.6'], ['mean(token_f1) >= 0.9', 'p10(rouge_l) >= 0.2']]) {
      const { id, version } = versions[runs.length]!;
      const run = await call('/v1/projects/default/runs', {
        method: 'POST',
        body: {
          dataset: { id, version },
          metrics: ['token_f1', 'rouge_l'],
          gate: { rules },
          labels: { model: `m${runs.length + 1}` },
        },
      });
      runs.push(String(run.runId));
    }
    for (const template of ['Answer {{question}}.', 'Answer {{question}}.\nCite the context.']) {
      await call('/v1/projects/default/prompts', { method: 'POST', body: { name: 'answerer', template } });
    }
    const key = await call('/v1/projects/default/api-keys', {
      method: 'POST',
      body: { name: 'viewer', role: 'viewer' },
    });
    viewerKey = String(key.key);
    const auditor = await call('/v1/projects/default/api-keys', {
      method: 'POST',
      body: { name: 'auditor', role: 'viewer', tenantRoles: ['auditor'] },
    });
    auditorKey = String(auditor.key);
    await Promise.all(runs.map(finished));
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    if (platform && platform.child.exitCode === null) {
      const exited = once(platform.child, 'exit');
      platform.child.kill('SIGINT');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs in with the bootstrap key and shows a completed run: verdict, gate rules, histograms, cases', async () => {
    await signIn(platform.adminKey);
    await page.locator(`tr[data-run="${runs[1]}"]`).waitFor();
    await expectAccessible();
    await page.locator(`tr[data-run="${runs[1]}"] a`).click();
    await page.getByRole('heading', { name: 'Gate failed' }).waitFor();
    expect(await page.locator('table.gate tbody tr').count()).toBe(2);
    expect(await page.locator('svg.histogram').count()).toBe(2);
    expect(await page.locator('table.cases tbody tr').count()).toBe(60);
    await expect(page.getByRole('link', { name: 'Download JUnit' }).getAttribute('download')).resolves.toMatch(
      /\.xml$/,
    );
    await page.screenshot({ path: join(SHOTS, 'run-detail.png'), fullPage: false });
    await expectAccessible();
  });

  it('submits a run of a registered dataset, a bad rule shown at its column, follows it to its verdict', async () => {
    await page.getByRole('link', { name: 'Submit a run' }).click();
    await page.getByLabel('Gate rules, one a line').waitFor();
    await expectAccessible();
    // Checked as typed, before any submit, by the platform's own parser: the error under the rule at its column.
    await page.getByLabel('Gate rules, one a line').fill('mean(token_f1) >= 0.5\nmean(token_f1) >> 0.5');
    await expect(page.locator('.rule-error').first().textContent()).resolves.toMatch(
      /^mean\(token_f1\) >> 0\.5\n {16}\^ column 17: expected a number or 'baseline', found '>'$/,
    );
    expect(await page.locator('.rule-error').count()).toBe(1);
    await page.getByLabel('Gate rules, one a line').fill('mean(token_f1) >= 0.5');
    expect(await page.locator('.rule-error').count()).toBe(0);
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('heading', { name: /^Gate (passed|failed)$/ }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'submitted-run.png') });
  });

  it('compares two runs: per-metric deltas with intervals and the cases that changed most', async () => {
    await page.goto(`${platform.url}/#/compare?runs=${runs[0]},${runs[1]}`);
    await page.getByRole('heading', { name: 'Cases that changed most' }).waitFor();
    expect(await page.locator('article.comparison table').first().locator('tbody tr').count()).toBe(2);
    await page.screenshot({ path: join(SHOTS, 'compare.png') });
    await expectAccessible();
  });

  it('creates an API key on the admin page, showing its secret once, and revokes it', async () => {
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByLabel('Key name').waitFor();
    await expectAccessible();
    await page.getByLabel('Key name').fill('console-made');
    await page.getByRole('button', { name: 'Create key' }).click();
    await expect(page.getByTestId('new-key').locator('code').textContent()).resolves.toMatch(/^evk_/);
    await page.getByRole('button', { name: 'Revoke key console-made' }).click();
    await page
      .locator('table.keys tr', { hasText: 'console-made' })
      .getByText(/^revoked/)
      .waitFor();
  });

  it("shows the registry's prompt versions with their diff, and approves one", async () => {
    await page.getByRole('link', { name: 'Registry' }).click();
    await page.getByRole('link', { name: 'Prompts' }).click();
    await page.getByText('answerer').click();
    await page.locator('.diff-\\+', { hasText: 'Cite the context.' }).waitFor();
    await expectAccessible();
    await page.getByRole('button', { name: 'Approve answerer v2' }).click();
    await page.getByRole('button', { name: 'Approve answerer v2' }).waitFor({ state: 'detached' });
  });

  it("shows the project's memory: facts, learnings, behaviours", async () => {
    await page.getByRole('link', { name: 'Memory' }).click();
    await page.getByRole('heading', { name: 'Learnings' }).waitFor();
    await expectAccessible();
  });

  it('lists notification routes and the delivery log; an admin creates a route', async () => {
    await page.getByRole('link', { name: 'Notifications' }).click();
    await page.getByLabel('Name', { exact: true }).fill('ops');
    await page.getByLabel('GateFailed').check();
    await page.getByRole('button', { name: 'Create route' }).click();
    await page.getByRole('button', { name: 'Delete route ops' }).waitFor();
    await expectAccessible();
  });

  it('shows the project dashboard, and the runs list on a narrow screen, accessibly', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { name: 'Gate pass rate per day' }).waitFor();
    await expectAccessible();
    await page.setViewportSize({ width: 390, height: 800 });
    await page.getByRole('link', { name: 'Runs' }).click();
    await page.locator(`tr[data-run="${runs[0]}"]`).waitFor();
    await expectAccessible();
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('serves the interactive API reference at /docs', async () => {
    const docs = await browser.newPage();
    await docs.goto(`${platform.url}/docs`);
    await docs.locator('.opblock').first().waitFor();
    await docs.close();
  });

  it("shows a viewer's key no submit, cancel or retry", async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(viewerKey);
    await expect(page.getByTestId('roles').textContent()).resolves.toBe('viewer');
    expect(await page.getByRole('link', { name: 'Submit a run' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^(Cancel|Retry)/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Audit' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await page.goto(`${platform.url}/#/submit`);
    await page.getByRole('alert').waitFor();
  });

  it("shows an auditor the audit log and the chain's verification", async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(auditorKey);
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.locator('table.audit tbody tr').first().waitFor();
    await expectAccessible();
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await expect(page.getByTestId('verification').textContent()).resolves.toMatch(/^Chain (verified|mismatch)/);
  });
});
