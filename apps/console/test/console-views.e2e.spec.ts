import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import {
  apiCaller,
  EXAMPLE_DATASET,
  launchChromium,
  seriousViolations,
  SHOTS,
  signIn,
  startPlatform,
  stopPlatform,
  until,
  type Platform,
} from './browser-platform.js';

/**
 * The console's dashboard and comparison views in a real browser against the embedded platform, on runs and
 * schedules seeded through the public API: the leaderboard of model profile and prompt versions, the drift
 * heatmap of a real two-second schedule whose answers degrade, and histograms side by side on Compare.
 */
interface Aggregate {
  metric: string;
  mean: number;
}
interface RunView {
  runId: string;
  status: string;
  requestedAt: string;
  aggregates: Aggregate[];
}
interface CaseView {
  scores: { metric: string; score: number }[];
}
interface ScheduleView {
  scheduleId: string;
  metrics: string[];
  recentRunIds: string[];
  drifting: { metric: string; runId: string }[];
}

const PROJECT = '/v1/projects/default';
const fmt = (value: number): string => value.toFixed(3);
const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const meanOf = (run: RunView, metric: string): number => run.aggregates.find((a) => a.metric === metric)!.mean;

/** ISO 8601 week (Monday first; the week of the year's first Thursday is week 1), computed apart from the console's. */
function isoWeek(iso: string): string {
  const date = new Date(iso);
  const target = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const dayNumber = (date.getUTCDay() + 6) % 7;
  target.setUTCDate(target.getUTCDate() - dayNumber + 3);
  const firstThursday = new Date(Date.UTC(target.getUTCFullYear(), 0, 4));
  const week =
    1 +
    Math.round(
      ((target.getTime() - firstThursday.getTime()) / 86_400_000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7,
    );
  return `${target.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

jest.setTimeout(180_000);

describe('web console views (browser)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'evalvault-console-views-'));
  let platform: Platform;
  let browser: Browser;
  let page: Page;
  const call = apiCaller(() => platform);
  const run = (runId: string): Promise<RunView> => call<RunView>(`${PROJECT}/runs/${runId}`);
  const finished = (runId: string): Promise<RunView> =>
    until(`run ${runId}`, async () => {
      const view = await run(runId);
      return view.status === 'requested' || view.status === 'running' ? undefined : view;
    });
  const expectAccessible = async (): Promise<void> => expect(await seriousViolations(page)).toEqual([]);
  const texts = (selector: string): Promise<string[]> => page.locator(selector).allTextContents();

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    [platform, browser] = await Promise.all([
      startPlatform(dataDir, { RUNS_SCHEDULER_INTERVAL_MS: '250' }),
      launchChromium(),
    ]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, platform.url, platform.adminKey);
  });

  afterAll(async () => {
    await browser?.close();
    await stopPlatform(platform);
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Reloads the console at a page, so it reads the API afresh. */
  const open = async (hash: string): Promise<void> => {
    await page.goto(`${platform.url}/${hash}`);
    await page.reload();
  };
  const helpDesk = readFileSync(EXAMPLE_DATASET, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const leaderboardRuns: RunView[] = [];

  it('ranks model profile and prompt versions on a dataset by the mean of each metric, with run counts', async () => {
    const register = (body: unknown) =>
      call<{ id: string; version: number }>(`${PROJECT}/datasets`, { method: 'POST', body });
    const good = await register({ name: 'help-desk', cases: helpDesk });
    // Ten answers gone wrong: its runs score lower on both metrics.
    const worse = await register({
      name: 'help-desk',
      cases: helpDesk.map((c, i) => (i < 10 ? { ...c, answer: 'I do not know.' } : c)),
    });
    for (const [name, provider] of [
      ['fast', 'openai'],
      ['careful', 'anthropic'],
    ]) {
      await call(`${PROJECT}/model-profiles`, {
        method: 'POST',
        body: { name, provider, model: `${name}-model`, parameters: { temperature: 0 } },
      });
    }
    for (const template of ['Answer {{question}}.', 'Answer {{question}}.\nCite the context.']) {
      await call(`${PROJECT}/prompts`, { method: 'POST', body: { name: 'answerer', template } });
    }
    // The weaker pair is submitted last, so it is the newest run: the ranking, not the list's order, puts it second.
    const submitted = [
      [good, 'fast', 1],
      [good, 'fast', 1],
      [worse, 'careful', 2],
    ] as const;
    for (const [dataset, profile, prompt] of submitted) {
      const { runId } = await call<{ runId: string }>(`${PROJECT}/runs`, {
        method: 'POST',
        body: {
          dataset,
          metrics: ['token_f1', 'rouge_l'],
          modelProfile: { name: profile, version: 1 },
          prompt: { name: 'answerer', version: prompt },
        },
      });
      leaderboardRuns.push(await finished(runId));
    }
    // Another dataset, inline, without a model profile or a prompt.
    const other = await call<{ runId: string }>(`${PROJECT}/runs`, {
      method: 'POST',
      body: { dataset: { name: 'faq', cases: helpDesk.slice(0, 5) }, metrics: ['token_f1'] },
    });
    const otherRun = await finished(other.runId);
    expect(leaderboardRuns.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);

    await open('#/dashboard');
    await page.getByRole('heading', { name: 'Leaderboard of model and prompt versions' }).waitFor();
    // The dataset with most runs comes first; the other is offered with its count.
    expect(await page.getByLabel('Dataset').inputValue()).toBe(good.id);
    expect(await texts('#lb-dataset option')).toEqual(['help-desk (3 runs)', 'faq (1 run)']);
    const [a, b, c] = leaderboardRuns as [RunView, RunView, RunView];
    const expected = (metric: string) => [
      ['fast v1', 'answerer v1', '2', fmt(mean([meanOf(a, metric), meanOf(b, metric)])), metric],
      ['careful v1', 'answerer v2', '1', fmt(meanOf(c, metric)), metric],
    ];
    const shown = async (metric: string) =>
      Promise.all(
        (await page.locator('table.leaderboard tbody tr').all()).map(async (row) => [
          await row.locator('th').textContent(),
          await row.locator('td').nth(1).textContent(),
          await row.locator('td').nth(2).textContent(),
          await row.locator(`td[data-metric="${metric}"]`).textContent(),
          metric,
        ]),
      );
    expect(meanOf(c, 'token_f1')).toBeLessThan(meanOf(a, 'token_f1'));
    expect(await texts('table.leaderboard tbody td:first-child')).toEqual(['1', '2']);
    expect(await shown('token_f1')).toEqual(expected('token_f1'));
    await page.getByLabel('Rank by').selectOption('rouge_l');
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toBe('mean rouge_l');
    expect(await shown('rouge_l')).toEqual(expected('rouge_l'));
    await expectAccessible();
    await page.getByLabel('Dataset').selectOption({ label: 'faq (1 run)' });
    expect(await shown('token_f1')).toEqual([['none', 'none', '1', fmt(meanOf(otherRun, 'token_f1')), 'token_f1']]);
    await page.getByLabel('Dataset').selectOption(good.id);
    await page.screenshot({ path: join(SHOTS, 'dashboard-leaderboard.png'), fullPage: true });
  });
  // Eight cases, the same ids in every version: the drift watcher pairs them by id; with every answer right and
  // then every one wrong its paired test is significant (docs/schedules.md).
  const truths = ['alpha beta gamma', 'delta epsilon zeta', 'eta theta iota', 'kappa lambda mu'].flatMap((w) => [
    w,
    `${w} omega`,
  ]);
  const scheduledCases = (answer: (truth: string) => string) =>
    truths.map((truth, i) => ({
      id: `c${i}`,
      question: `Q${i}?`,
      answer: answer(truth),
      contexts: [truth],
      ground_truth: truth,
    }));
  let schedule: ScheduleView;
  let scheduledRuns: RunView[] = [];

  it('shows no drift heatmap before any schedule, then a schedule’s metrics by ISO week with what drifts', async () => {
    await open('#/dashboard');
    await page.getByTestId('no-schedules').waitFor();
    expect(await page.locator('table.heatmap').count()).toBe(0);

    const approved = async (answer: (truth: string) => string) => {
      const version = await call<{ id: string; version: number }>(`${PROJECT}/datasets`, {
        method: 'POST',
        body: { name: 'scheduled-qa', cases: scheduledCases(answer) },
      });
      await call(`${PROJECT}/datasets/${version.id}/versions/${version.version}/approve`, { method: 'POST', body: {} });
      return version;
    };
    const { id } = await approved((truth) => truth);
    const created = await call<ScheduleView>(`${PROJECT}/schedules`, {
      method: 'POST',
      body: {
        name: 'every two seconds',
        cron: '*/2 * * * * *',
        dataset: { id },
        metrics: ['token_f1', 'rouge_l'],
        drift: { threshold: 0.3, baselineRuns: 2 },
      },
    });
    const path = `${PROJECT}/schedules/${created.scheduleId}`;
    const query = new URLSearchParams({ label: `evalvault.schedule=${created.scheduleId}`, limit: '100' });
    const listed = async () => (await call<{ items: RunView[] }>(`${PROJECT}/runs?${query}`)).items;
    await until('two healthy scheduled runs', async () => {
      const done = (await listed()).filter((r) => r.status === 'completed');
      return done.length >= 2 ? true : undefined;
    });
    await approved(() => 'unrelated words entirely'); // the latest approved version: every answer wrong
    await until('the drift', async () =>
      (await call<ScheduleView>(path)).drifting.some((d) => d.metric === 'token_f1') ? true : undefined,
    );
    await call(`${path}/pause`, { method: 'POST', body: {} });
    // The slot under way when paused may still finish: wait until every run the schedule started is done.
    const summaries = await until('the scheduled runs to finish', async () => {
      const items = await listed();
      return items.every((r) => r.status !== 'requested' && r.status !== 'running') ? items : undefined;
    });
    schedule = await call<ScheduleView>(path);
    scheduledRuns = await Promise.all(summaries.filter((r) => r.status === 'completed').map((r) => run(r.runId)));
    const weeks = [...new Set(scheduledRuns.map((r) => isoWeek(r.requestedAt)))].sort();

    await open('#/dashboard');
    const map = page.locator(`[data-schedule="${schedule.scheduleId}"] table.heatmap`);
    await map.waitFor();
    expect(await page.getByTestId('no-schedules').count()).toBe(0);
    expect(await map.locator('thead th').allTextContents()).toEqual(['Metric', ...weeks]);
    expect(await map.locator('tbody td').count()).toBe(schedule.metrics.length * weeks.length);
    for (const metric of schedule.metrics) {
      const row = map.locator(`tr[data-metric="${metric}"]`);
      const means = weeks.map((week) =>
        fmt(mean(scheduledRuns.filter((r) => isoWeek(r.requestedAt) === week).map((r) => meanOf(r, metric)))),
      );
      expect(await row.locator('td .heat-mean').allTextContents()).toEqual(means);
      const drifting = schedule.drifting.some((d) => d.metric === metric);
      expect([metric, await row.getByText('drifting', { exact: true }).count()]).toEqual([metric, drifting ? 1 : 0]);
    }
    // One week of runs: there is no earlier week to change from.
    if (weeks.length === 1) expect(await map.locator('td[data-level="first"]').count()).toBe(schedule.metrics.length);
    await expectAccessible();
    await page.screenshot({ path: join(SHOTS, 'dashboard-drift.png'), fullPage: true });
  });

  it('colours each week of the heatmap by its change against the drift threshold (real runs, moved)', async () => {
    // The scheduled runs as the API gave them, healthy ones dated in one week and degraded ones two weeks later
    // (the year's turn between): a live schedule cannot be made to span weeks inside a test.
    const healthy = scheduledRuns.filter((r) => meanOf(r, 'token_f1') === 1);
    const degraded = scheduledRuns.filter((r) => meanOf(r, 'token_f1') < 0.5);
    expect([healthy.length >= 2, degraded.length >= 1]).toEqual([true, true]);
    const moved = [
      ...healthy.map((r) => ({ ...r, requestedAt: '2025-12-23T02:00:00.000Z' })),
      ...degraded.map((r) => ({ ...r, requestedAt: '2026-01-06T02:00:00.000Z' })),
    ];
    await page.evaluate(
      `import('/console/heatmap.js').then(({ scheduleHeatmap }) => {
        const element = scheduleHeatmap(${JSON.stringify(schedule)}, ${JSON.stringify(moved)});
        element.id = 'moved';
        document.getElementById('view').append(element);
      })`,
    );
    const map = page.locator('#moved table.heatmap');
    expect(await map.locator('thead th').allTextContents()).toEqual(['Metric', '2025-W52', '2026-W01', '2026-W02']);
    const row = map.locator('tr[data-metric="token_f1"] td');
    const after = mean(degraded.map((r) => meanOf(r, 'token_f1')));
    expect(await row.allTextContents()).toEqual(['1.000', '–', `${fmt(after)} −${fmt(1 - after)}`]);
    expect(await Promise.all([0, 1, 2].map((i) => row.nth(i).getAttribute('class')))).toEqual([
      'heat heat-first',
      'heat heat-empty',
      'heat heat-down-strong',
    ]);
  });
  it('compares two runs with each metric’s histograms side by side on one scale, beside the deltas', async () => {
    const [base, , candidate] = leaderboardRuns as [RunView, RunView, RunView];
    const ids = [base.runId, candidate.runId];
    const cases = await Promise.all(
      ids.map(async (id) => (await call<{ items: CaseView[] }>(`${PROJECT}/runs/${id}/cases?limit=500`)).items),
    );
    await open(`#/compare?runs=${ids.join(',')}`);
    await page.getByRole('heading', { name: 'Cases that changed most' }).waitFor();
    expect(await page.locator('article.comparison table').first().locator('tbody tr').count()).toBe(2);
    for (const metric of ['token_f1', 'rouge_l']) {
      const counts = cases.map((runCases) => {
        const bins = new Array<number>(10).fill(0);
        for (const c of runCases)
          for (const s of c.scores) if (s.metric === metric) bins[Math.min(9, Math.floor(s.score * 10))]! += 1;
        return bins;
      });
      const scale = Math.max(...counts.flat());
      const figure = page.locator(`figure[data-metric="${metric}"]`);
      expect(await figure.getAttribute('data-scale')).toBe(String(scale));
      expect(await figure.locator('svg.histogram').count()).toBe(2);
      for (const [i, id] of ids.entries()) {
        const chart = figure.locator(`figure[data-run="${id}"] svg.histogram`);
        const summary = counts[i]!.map((c, bin) => `${(bin / 10).toFixed(1)}–${((bin + 1) / 10).toFixed(1)}: ${c}`);
        expect(await chart.locator('title').textContent()).toBe(
          `Distribution of ${metric} in run ${id.slice(0, 8)}: ${summary.join(', ')}; full height ${scale} cases`,
        );
        // Bars on the shared scale: a bin's height is its count over the larger run's tallest bin, of 90 px.
        const heights = await Promise.all((await chart.locator('rect').all()).map((r) => r.getAttribute('height')));
        expect(heights.map((x) => Number(x).toFixed(2))).toEqual(counts[i]!.map((c) => ((c / scale) * 90).toFixed(2)));
      }
    }
    await expectAccessible();
    await page.screenshot({ path: join(SHOTS, 'compare-histograms.png'), fullPage: true });
  });
});
