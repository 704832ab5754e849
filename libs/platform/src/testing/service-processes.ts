import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { serviceAllocatorEnv } from '../service/native-allocator.js';
import { testDatabaseUrl } from './test-servers.js';

/** Service processes for end-to-end tests, started from the build as an operator would. */
const root = join(import.meta.dirname, '..', '..', '..', '..');

export interface RunsProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** pino lines with this msg. */
  logLines: (msg: string) => Record<string, unknown>[];
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

export function migrateTestDatabase(): void {
  for (const service of ['runs', 'gateway', 'registry', 'audit', 'notifier']) {
    execFileSync(process.execPath, [join(root, 'services', service, 'dist', 'migrate.js')], {
      env: { ...process.env, DATABASE_URL: testDatabaseUrl() },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
}

export async function startRunsProcess(env: Record<string, string>): Promise<RunsProcess> {
  return startServiceProcess('runs', env);
}

/**
 * The V8 options a service process starts with (docs/operations.md, "Memory"): a young generation of
 * 2 × 16 MB. On a machine with much memory and no container limit, V8 otherwise grows it to 2 × 64 MB,
 * about 130 MB of a busy service's resident set for garbage that a smaller one collects as well.
 * Given first in NODE_OPTIONS, so the caller's own options can override them.
 */
export const SERVICE_NODE_OPTIONS = '--max-semi-space-size=16';

/** A built service as its own process on a free port; resolves once it logs that it listens. */
export async function startServiceProcess(service: string, env: Record<string, string>): Promise<RunsProcess> {
  const port = await freePort();
  const nodeOptions = env['NODE_OPTIONS'] ?? process.env['NODE_OPTIONS'] ?? '';
  const child = spawn(process.execPath, [join(root, 'services', service, 'dist', 'main.js')], {
    env: {
      ...process.env,
      // The allocator every launcher gives a service (jemalloc when installed; docs/operations.md "Memory").
      ...serviceAllocatorEnv(process.env),
      DATABASE_URL: testDatabaseUrl(),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...env,
      NODE_OPTIONS: `${SERVICE_NODE_OPTIONS} ${nodeOptions}`.trim(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const logFile = process.env['E2E_LOG_DIR'] ? join(process.env['E2E_LOG_DIR'], `${service}-${port}.log`) : null;
  if (logFile) child.stdout!.on('data', (chunk: Buffer) => appendFileSync(logFile, chunk));
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 60_000;
  while (!output.includes(`${service} listening`)) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`${service} process did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const logLines = (msg: string): Record<string, unknown>[] =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line['msg'] === msg);
  return { child, url: `http://127.0.0.1:${port}`, output: () => output, logLines };
}

export async function stopRunsProcess(process: RunsProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (process.child.exitCode !== null || process.child.signalCode !== null) return;
  const exited = once(process.child, 'exit');
  process.child.kill(signal);
  await exited;
}
