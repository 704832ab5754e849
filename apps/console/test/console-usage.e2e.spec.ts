import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { FakeLlmServer, type FakeReply } from '@evalvault/llm/testing';
import {
  apiCaller,
  launchChromium,
  seriousViolations,
  SHOTS,
  signIn,
  startPlatform,
  stopPlatform,
  until,
  type Platform,
} from './browser-platform.js';

interface RunUsage {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cacheHits: number;
  costUsd: number;
}
interface RunView {
  runId: string;
  status: string;
  costUsd: number;
  usage: RunUsage | null;
}

const PROJECT = '/v1/projects/default';
const KEY_VARIABLE = 'CONSOLE_USAGE_JUDGE_KEY';
const [PRICE_INPUT_PER_MTOK, PRICE_OUTPUT_PER_MTOK] = [2, 8];

/** The fake judge's faithfulness answers: two claims, then one verdict per claim; token counts as the vendor bills. */
function judgeReply(prompt: string): FakeReply {
  if (prompt.includes('"claims"')) return { text: JSON.stringify({ claims: ['one', 'two'] }), promptTokens: 310 };
  const verdicts = [
    { claim: 1, reason: 'stated', verdict: 1 },
    { claim: 2, reason: 'absent', verdict: 0 },
  ];
  return { text: JSON.stringify({ verdicts }), promptTokens: 420, completionTokens: 37 };
}

jest.setTimeout(180_000);

/**
 * The run detail page's token use in a real browser, against the embedded platform with its judge on a local fake
 * vendor: a judged run shows the requests and tokens the vendor billed (and the API answers them), a run of
 * deterministic metrics says plainly that it made no LLM call.
 */
describe('web console: a run’s token use (browser)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'evalvault-console-usage-'));
  let llm: FakeLlmServer;
  let platform: Platform;
  let browser: Browser;
  let page: Page;
  const call = apiCaller(() => platform);
  const finished = (runId: string): Promise<RunView> =>
    until(`run ${runId}`, async () => {
      const view = await call<RunView>(`${PROJECT}/runs/${runId}`);
      return view.status === 'requested' || view.status === 'running' ? undefined : view;
    });
  const submit = async (metrics: string[]): Promise<RunView> => {
    const nonce = randomBytes(4).toString('hex'); // no judge answer cached from another run
    const cases = ['VPN', 'printer', 'password'].map((topic, i) => ({
      id: `c${i}`,
      question: `How do I fix the ${topic} (${nonce})?`,
      answer: `Restart the ${topic}.`,
      contexts: [`Restarting the ${topic} fixes most problems (${nonce}).`],
      ground_truth: `Restart the ${topic}.`,
    }));
    const { runId } = await call<{ runId: string }>(`${PROJECT}/runs`, {
      method: 'POST',
      body: { dataset: { name: 'help-desk', cases }, metrics },
    });
    return finished(runId);
  };
  const shown = async (term: string): Promise<string> =>
    (await page.locator(`.usage dd[data-usage="${term}"]`).textContent()) ?? '';
  const open = async (runId: string): Promise<void> => {
    await page.goto(`${platform.url}/#/runs/${runId}`);
    await page.reload();
    await page.getByRole('heading', { name: 'Use and cost' }).waitFor();
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const key = randomBytes(16).toString('hex');
    llm = await FakeLlmServer.start({
      apiKeys: [key],
      script: (request) => judgeReply(request.messages.map((m) => m.content).join('\n')),
    });
    [platform, browser] = await Promise.all([
      startPlatform(dataDir, {
        [KEY_VARIABLE]: key,
        EVALVAULT_JUDGE_PROVIDER: 'openai',
        EVALVAULT_JUDGE_BASE_URL: llm.url,
        EVALVAULT_JUDGE_MODEL: 'judge-usage',
        EVALVAULT_JUDGE_API_KEY_REF: `env:${KEY_VARIABLE}`,
        EVALVAULT_JUDGE_PRICE_INPUT_PER_MTOK: String(PRICE_INPUT_PER_MTOK),
        EVALVAULT_JUDGE_PRICE_OUTPUT_PER_MTOK: String(PRICE_OUTPUT_PER_MTOK),
      }),
      launchChromium(),
    ]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, platform.url, platform.adminKey);
  });

  afterAll(async () => {
    await browser?.close();
    await stopPlatform(platform);
    await llm?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the requests and tokens the judge’s vendor billed, beside the cost', async () => {
    const run = await submit(['faithfulness', 'token_f1']);
    const billed = llm.counts();
    expect(run.status).toBe('completed');
    expect(billed.billedRequests).toBe(6); // claims and verdicts for each of the three cases
    const totalTokens = billed.billedPromptTokens + billed.billedCompletionTokens;
    expect(run.usage).toEqual({
      requests: billed.billedRequests,
      promptTokens: billed.billedPromptTokens,
      completionTokens: billed.billedCompletionTokens,
      totalTokens,
      cacheHits: 0,
      costUsd: expect.any(Number),
    });
    const costUsd =
      (billed.billedPromptTokens * PRICE_INPUT_PER_MTOK + billed.billedCompletionTokens * PRICE_OUTPUT_PER_MTOK) / 1e6;
    expect(run.costUsd).toBeCloseTo(costUsd, 8);

    await open(run.runId);
    const count = (n: number): string => n.toLocaleString('en-US');
    expect(await page.locator('.usage-summary').textContent()).toBe(
      `${count(billed.billedRequests)} LLM requests, ${count(totalTokens)} tokens.`,
    );
    expect({
      requests: await shown('requests'),
      prompt: await shown('prompt tokens'),
      completion: await shown('completion tokens'),
      total: await shown('total tokens'),
      cost: await shown('cost (USD)'),
      judge: await shown('judge'),
    }).toEqual({
      requests: count(billed.billedRequests),
      prompt: count(billed.billedPromptTokens),
      completion: count(billed.billedCompletionTokens),
      total: count(totalTokens),
      cost: costUsd.toFixed(4),
      judge: 'openai judge-usage',
    });
    expect(await seriousViolations(page)).toEqual([]);
    await page.locator('.usage').screenshot({ path: join(SHOTS, 'run-detail-usage.png') });
  });

  it('says a run of deterministic metrics made no LLM call: zero tokens, zero cost', async () => {
    const before = llm.counts().requests;
    const run = await submit(['token_f1', 'exact_match']);
    expect(llm.counts().requests).toBe(before);
    expect(run.usage).toEqual({
      requests: 0,
      promptTokens: 0,
      completionTokens: 0,
      totalTokens: 0,
      cacheHits: 0,
      costUsd: 0,
    });

    await open(run.runId);
    expect(await page.locator('.usage-summary').textContent()).toBe('No LLM calls: no tokens, no cost.');
    expect([await shown('requests'), await shown('total tokens'), await shown('cost (USD)')]).toEqual([
      '0',
      '0',
      '0.0000',
    ]);
    expect(await shown('judge')).toBe('none (deterministic metrics)');
  });
});
