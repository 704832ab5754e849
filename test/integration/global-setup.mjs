// Integration tests run against the real local servers. This finds them, or starts
// them: PostgreSQL is prepared by infra/postgres/setup.sh, the Kafka broker by
// infra/kafka/kafka.sh (which downloads it through Maven the first time).
// Plain JavaScript: jest loads global hooks outside its ESM transform.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
export const STARTED_MARKER = join(root, '.tmp', 'kafka-started-by-tests');

function run(command, args) {
  execFileSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

function brokerAnswers() {
  try {
    execFileSync('bash', ['infra/kafka/kafka.sh', 'status'], { cwd: root, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export default async function globalSetup() {
  if (!existsSync(join(root, 'infra', 'dist', 'kafka', 'await-broker.js'))) run('npm', ['run', 'build', '--silent']);
  run('bash', ['infra/postgres/setup.sh']);
  const wasRunning = brokerAnswers();
  run('bash', ['infra/kafka/kafka.sh', 'start']);
  if (!wasRunning) {
    mkdirSync(join(root, '.tmp'), { recursive: true });
    writeFileSync(STARTED_MARKER, 'kafka.sh start was run by the integration tests\n');
  }
}
