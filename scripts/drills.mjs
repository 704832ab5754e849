// `npm run drills [pattern]`: the fault drills of docs/reliability.md, on a Kafka broker of their own
// (never the machine's shared one: drills stop it) and the test database, then a table of
// drill, result, counts and duration. Drills are test/drills/*.drill.ts (no jest tier matches that
// suffix, so `npm test` leaves them out) plus the drills short enough for CI (*.int.spec.ts there).
// The broker is stopped and its state removed at the end, whatever happened.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jestConfig from '../jest.config.js';

const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'evalvault-drills-'));
const port = process.env.DRILL_KAFKA_PORT ?? '19092';
const brokerEnv = {
  ...process.env,
  KAFKA_PORT: port,
  KAFKA_CONTROLLER_PORT: String(Number(port) + 1),
  EVALVAULT_KAFKA_INSTANCE: join(work, 'kafka'),
};
const databaseUrl = process.env.DRILL_DATABASE_URL ?? 'postgres://evalvault@127.0.0.1:5432/evalvault_test';

function kafka(action) {
  execFileSync('bash', [join(root, 'infra/kafka/kafka.sh'), action], { env: brokerEnv, stdio: 'inherit' });
}

let cleanedUp = false;
function cleanUp() {
  if (cleanedUp) return;
  cleanedUp = true;
  try {
    kafka('stop');
  } catch (error) {
    console.error(`drills: stopping their broker failed: ${error.message}`);
  }
  rmSync(work, { recursive: true, force: true });
}

const unit = jestConfig.projects.find((project) => project.displayName === 'unit');
const config = {
  rootDir: root,
  maxWorkers: 1,
  testTimeout: 600_000,
  projects: [
    {
      ...unit,
      rootDir: root,
      displayName: 'drills',
      testMatch: ['<rootDir>/test/drills/**/*.drill.ts', '<rootDir>/test/drills/**/*.int.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    },
  ],
};
const configFile = join(work, 'jest.drills.config.json');
const resultsFile = join(work, 'results.json');
writeFileSync(configFile, JSON.stringify(config));

let output = '';
let exitCode;
try {
  execFileSync(process.execPath, [join(root, 'scripts/ensure-built.mjs')], { stdio: 'inherit' });
  execFileSync('bash', [join(root, 'infra/postgres/setup.sh')], { stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'scripts/migrate-all.mjs')], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: 'inherit',
  });
  kafka('start');
  const jest = spawn(
    process.execPath,
    [
      join(root, 'node_modules/jest/bin/jest.js'),
      '--config',
      configFile,
      '--json',
      '--forceExit',
      '--outputFile',
      resultsFile,
      ...(process.argv[2] ? ['--testPathPatterns', process.argv[2]] : []),
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        NODE_OPTIONS:
          '--experimental-vm-modules --disable-warning=ExperimentalWarning --disable-warning=TimeoutNegativeWarning',
        DRILL_KAFKA_PORT: port,
        DRILL_KAFKA_INSTANCE: brokerEnv.EVALVAULT_KAFKA_INSTANCE,
        DRILL_DATABASE_URL: databaseUrl,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const keep = (chunk) => {
    output += chunk.toString();
    process.stderr.write(chunk);
  };
  jest.stdout.on('data', keep);
  jest.stderr.on('data', keep);
  const stop = () => jest.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  exitCode = await new Promise((resolve) => jest.on('exit', (code) => resolve(code ?? 1)));
} finally {
  // Read before the clean-up removes the directory it is in.
  try {
    globalThis.drillResults = JSON.parse(readFileSync(resultsFile, 'utf8')).testResults;
  } catch {
    globalThis.drillResults = []; // jest did not get as far as writing results; the table says so below
  }
  cleanUp();
}

const reports = [...output.matchAll(/DRILL (\{.*\})/g)].map((match) => JSON.parse(match[1]));
const results = globalThis.drillResults;
const rows = results.map((result) => {
  const file = result.name.slice(root.length + 1);
  const drill = reports.find((r) => r.file && file.endsWith(r.file));
  const counts = drill
    ? Object.entries(drill.counts)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')
    : '-';
  const seconds = ((result.endTime - result.startTime) / 1000).toFixed(0);
  return [drill?.drill ?? file, result.status === 'passed' ? 'PASS' : 'FAIL', counts, `${seconds} s`];
});
console.log('\n| drill | result | counts | duration |\n|---|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
if (rows.length === 0) console.log('| (no drill ran) | FAIL | - | - |');
process.exit(exitCode ?? 1);
