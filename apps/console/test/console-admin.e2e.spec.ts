import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';
import { apiCaller, startEmbeddedPlatform, stopEmbeddedPlatform, type EmbeddedPlatform } from './embedded-platform.js';

/**
 * The console's review and administration paths in a real browser against the embedded platform:
 * rejecting a registry version with a reason (and who is offered it), and memory deletion requests
 * (listed and filed by admins only).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AXE = readFileSync(join(import.meta.dirname, '..', '..', '..', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  nodes: { target: string[] }[];
}
interface Version {
  version: number;
  approval: unknown;
  rejection: { reason: string; rejectedBy: string | null } | null;
}

jest.setTimeout(90_000);

describe('web console: registry rejection and memory deletion requests (browser)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'evalvault-console-admin-'));
  let platform: EmbeddedPlatform;
  let browser: Browser;
  let page: Page;
  let call: ReturnType<typeof apiCaller>;
  const keys: Record<'viewer' | 'editor' | 'approver', string> = { viewer: '', editor: '', approver: '' };
  let promptId: string;

  const expectAccessible = async (): Promise<void> => {
    await page.evaluate(AXE);
    const found = (await page.evaluate('axe.run(document).then((result) => result.violations)')) as Violation[];
    const serious = found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  };
  const signIn = async (key: string): Promise<void> => {
    // Whoever was signed in before is forgotten with the tab's session storage.
    await page.goto(platform.url);
    await page.evaluate('sessionStorage.clear()');
    await page.reload();
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
  };
  const openPrompt = async (name: string): Promise<void> => {
    // Loaded afresh, so every resource's versions start folded.
    await page.goto(`${platform.url}/#/registry?kind=prompts`);
    await page.reload();
    await page.getByText(name, { exact: true }).click();
    await page.locator('table tbody tr').first().waitFor();
  };
  const version = (n: number) => call<Version>(`/v1/projects/default/prompts/${promptId}/versions/${n}`);

  beforeAll(async () => {
    [platform, browser] = await Promise.all([
      startEmbeddedPlatform(dataDir),
      chromium.launch({ executablePath: CHROMIUM, headless: true }),
    ]);
    call = apiCaller(platform.url, platform.adminKey);
    for (const template of ['Summarise {{text}}.', 'Summarise {{text}} for {{customer_name}}.', 'Summarise {{text}}!'])
      promptId = String(
        (await call('/v1/projects/default/prompts', { method: 'POST', body: { name: 'summariser', template } })).id,
      );
    for (const role of Object.keys(keys) as (keyof typeof keys)[]) {
      const issued = await call('/v1/projects/default/api-keys', { method: 'POST', body: { name: role, role } });
      keys[role] = String(issued.key);
    }
    await call('/v1/projects/default/memory/import', {
      method: 'POST',
      body: { facts: [{ subject: 'Badge readers', predicate: 'log', object: 'every entry' }] },
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    await stopEmbeddedPlatform(platform);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('offers Approve and Reject to approvers and admins only', async () => {
    for (const role of ['viewer', 'editor'] as const) {
      await signIn(keys[role]);
      await openPrompt('summariser');
      expect(await page.getByRole('button', { name: /^(Approve|Reject) summariser/ }).count()).toBe(0);
    }
    await signIn(keys.approver);
    await openPrompt('summariser');
    await page.getByRole('button', { name: 'Reject summariser v3' }).waitFor();
    expect(await page.getByRole('button', { name: 'Approve summariser v3' }).count()).toBe(1);
  });

  it('rejects a version with its reason: a blank reason is refused, the rejection shown and final', async () => {
    await signIn(platform.adminKey);
    await openPrompt('summariser');
    await expectAccessible();
    // No reason at all: the browser does not send it.
    await page.getByRole('button', { name: 'Reject summariser v2' }).click();
    expect((await version(2)).rejection).toBeNull();
    // Only spaces: the platform refuses it, and says so where the button was.
    await page.getByLabel('Reason for rejecting summariser v2').fill('   ');
    await page.getByRole('button', { name: 'Reject summariser v2' }).click();
    await page.getByRole('alert').waitFor();
    expect((await version(2)).rejection).toBeNull();

    await page.getByLabel('Reason for rejecting summariser v2').fill('puts customer names in the summary');
    await page.getByRole('button', { name: 'Reject summariser v2' }).click();
    const row = page.locator('tr', { hasText: 'v2' }).filter({ hasText: 'rejected' });
    await row.getByText('puts customer names in the summary', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: /^(Approve|Reject) summariser v2$/ }).count()).toBe(0);
    expect(await version(2)).toMatchObject({
      approval: null,
      rejection: { reason: 'puts customer names in the summary', rejectedBy: expect.any(String) },
    });
    await expectAccessible();

    // After a reload it is still rejected, and the platform will not approve it.
    await openPrompt('summariser');
    await page.locator('tr', { hasText: 'puts customer names in the summary' }).waitFor();
    expect(await page.getByRole('button', { name: 'Approve summariser v2' }).count()).toBe(0);
    await expect(
      call(`/v1/projects/default/prompts/${promptId}/versions/2/approve`, { method: 'POST', body: {} }),
    ).rejects.toThrow(/: 409 /);
  });

  it('lists and files memory deletion requests for admins, after a confirmation', async () => {
    await page.getByRole('link', { name: 'Memory' }).click();
    await page.getByRole('heading', { name: 'Deletion requests' }).waitFor();
    await page.getByText('No deletion requests yet.').waitFor();
    await expectAccessible();

    await page.getByLabel('Subject or document id').fill('Badge readers');
    await page.getByRole('button', { name: 'Request deletion' }).click();
    // Not confirmed: nothing is filed.
    expect((await call<{ items: unknown[] }>('/v1/projects/default/memory/deletions')).items).toEqual([]);

    await page.getByLabel('I understand this removes them for good, at once').check();
    await page.getByRole('button', { name: 'Request deletion' }).click();
    await page
      .getByTestId('deletion-result')
      .getByText(/^Deletion \S+: 1 entries forgotten for good\.$/)
      .waitFor();
    const rows = page.locator('table.deletions tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    await expect(rows.first().textContent()).resolves.toMatch(/subject1/);
    expect(await page.locator('table.deletions').textContent()).not.toContain('Badge readers');
    const facts = await call<{ items: unknown[] }>('/v1/projects/default/memory/facts?q=Badge');
    expect(facts.items).toEqual([]);
    await expectAccessible();
  });

  it('shows no deletion requests to an approver', async () => {
    await signIn(keys.approver);
    await page.getByRole('link', { name: 'Memory' }).click();
    await page.getByRole('heading', { name: 'Learnings' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Deletion requests' }).count()).toBe(0);
  });
});
