import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface EmbeddedPlatform {
  url: string;
  adminKey: string;
  stop(): Promise<void>;
}

const MAIN = join(import.meta.dirname, '..', '..', 'apps', 'embedded', 'dist', 'main.js');

/** `npm start` as a user runs it (the built entry point, PGlite, no broker) on a data directory of the caller's. */
export async function startEmbeddedPlatform(dataDir: string): Promise<EmbeddedPlatform> {
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      EVALVAULT_DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      KAFKA_BROKERS: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    await exited;
  };
  const deadline = Date.now() + 90_000;
  let url: string | undefined;
  while (!(url = /EvalVault is running at (\S+)/.exec(output)?.[1])) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the embedded platform did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, adminKey: readFileSync(join(dataDir, 'secrets', 'bootstrap-admin-key'), 'utf8').trim(), stop };
}
