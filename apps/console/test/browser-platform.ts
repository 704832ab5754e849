import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * What a browser test of the console needs: the embedded platform started as `npm start` starts it (the
 * built entry point, its own data directory, any free port), Debian's chromium, the API with the admin key,
 * sign-in, and axe-core's check.
 */
const ROOT = join(import.meta.dirname, '..', '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MAIN = join(ROOT, 'apps', 'embedded', 'dist', 'main.js');
const AXE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

export const SHOTS = join(ROOT, 'test-artifacts', 'console');
export const EXAMPLE_DATASET = join(ROOT, 'examples', 'rag-qa', 'dataset.jsonl');

export interface Platform {
  child: ChildProcess;
  url: string;
  adminKey: string;
}

interface Violation {
  id: string;
  impact: string | null;
  nodes: { target: string[] }[];
}

/** The platform on `dataDir`, with `env` added to the test's environment (e.g. a faster scheduler). */
export async function startPlatform(dataDir: string, env: Record<string, string> = {}): Promise<Platform> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      EVALVAULT_DATA_DIR: dataDir,
      PORT: '0',
      EVALVAULT_OIDC_PORT: '0',
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      KAFKA_BROKERS: '',
      ...env,
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

export async function stopPlatform(platform: Platform | undefined): Promise<void> {
  if (!platform || platform.child.exitCode !== null) return;
  const exited = once(platform.child, 'exit');
  platform.child.kill('SIGINT');
  await exited;
}

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, headless: true });

/** The public API with the admin key: the parsed answer, or an error naming the path and the problem. */
export function apiCaller(platform: () => Platform) {
  return async <T = Record<string, unknown>>(path: string, init: { method?: string; body?: unknown } = {}) => {
    const { url, adminKey } = platform();
    const response = await fetch(`${url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
}

export async function signIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Runs' }).waitFor();
}

/** axe-core on the page as it is: the violations of impact serious or critical, as `rule: targets`. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  // A string, evaluated in the page (this file is compiled without the DOM's types).
  const found = (await page.evaluate('axe.run(document).then((result) => result.violations)')) as Violation[];
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Polls `probe` until it answers something other than undefined. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
    const found = await probe();
    if (found !== undefined) return found;
  }
  throw new Error(`timed out waiting for ${what}`);
}
