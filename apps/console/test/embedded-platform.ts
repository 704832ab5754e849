import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The built entry point of `npm start`. */
const MAIN = join(import.meta.dirname, '..', '..', 'embedded', 'dist', 'main.js');

export interface EmbeddedPlatform {
  child: ChildProcess;
  url: string;
  adminKey: string;
  /** Everything it printed, for a failure's message. */
  output(): string;
}

/** `npm start` as a user runs it, on a data directory of its own and any free port, no servers outside. */
export async function startEmbeddedPlatform(
  dataDir: string,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<EmbeddedPlatform> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      EVALVAULT_DATA_DIR: dataDir,
      PORT: '0',
      EVALVAULT_OIDC_PORT: '0',
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      KAFKA_BROKERS: '',
      ...extraEnv,
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
  const adminKey = readFileSync(join(dataDir, 'secrets', 'bootstrap-admin-key'), 'utf8').trim();
  return { child, url, adminKey, output: () => output };
}

export async function stopEmbeddedPlatform(platform: EmbeddedPlatform | undefined): Promise<void> {
  if (!platform || platform.child.exitCode !== null) return;
  const exited = once(platform.child, 'exit');
  platform.child.kill('SIGINT');
  await exited;
}

/** A JSON call to the public API with a key; a non-2xx answer is thrown with its status and body. */
export function apiCaller(url: string, key: string) {
  return async <T = Record<string, unknown>>(path: string, init: { method?: string; body?: unknown } = {}) => {
    const response = await fetch(`${url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  };
}
