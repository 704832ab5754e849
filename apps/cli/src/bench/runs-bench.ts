import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metricByName, readDataset } from '@evalvault/evaluation';
import { distributedRunsBench } from './distributed-runs-bench.js';
import { llmRateBench } from './llm-rate-bench.js';
import { streamingBench } from './stream/streaming-bench.js';

/**
 * `npm run bench:runs`, part (a) of the runs-at-scale benchmark: N deterministic cases (default
 * 10,000, BENCH_RUNS_CASES) scored by `evalvault run` with no server configured (the embedded
 * platform, as a fresh clone runs it), against the same cases scored in a plain loop in this
 * process. Prints wall time, cases/s, the CLI's peak RSS and the ratio of the two rates.
 * Part (b), the same cases over Kafka + PostgreSQL with 1 and 2 workers against the durable
 * floor, is distributed-runs-bench.ts; part (c), LLM-judged runs at a vendor's rate limit,
 * llm-rate-bench.ts. BENCH_RUNS_PARTS picks parts (e.g. `b`, `a,c`; default all three). Part (d), a
 * 1,000,000-case dataset streamed end to end (stream/streaming-bench.ts), is opt-in: `BENCH_RUNS_PARTS=d`.
 */
const CASES = Number(process.env['BENCH_RUNS_CASES'] ?? 10_000);
const METRICS = ['rouge_l', 'bleu', 'token_f1'];
const root = join(import.meta.dirname, '..', '..', '..', '..');
const PARTS = new Set((process.env['BENCH_RUNS_PARTS'] || 'abc').toLowerCase().replace(/[^a-z]/g, ''));

function writeCases(path: string): void {
  const context = 'Retrieval augmented generation combines a retriever with a generator so answers cite documents. ';
  const lines: string[] = [];
  for (let i = 0; i < CASES; i++) {
    lines.push(
      JSON.stringify({
        id: `c${i}`,
        question: `What does item ${i} do in the pipeline?`,
        answer: `Item ${i} retrieves the relevant documents and passes them to the generator.`,
        contexts: [context.repeat(2), `${context}${i}`, `Other unrelated context sentence number ${i}.`],
        ground_truth: `Item ${i} retrieves documents for the generator.`,
      }),
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** The metrics over every case in a loop: the floor any platform adds its costs to. */
async function plainLoop(path: string): Promise<number> {
  const started = performance.now();
  let scored = 0;
  for await (const row of readDataset(createReadStream(path), 'jsonl')) {
    if (row.kind !== 'case') continue;
    for (const name of METRICS) await metricByName(name).score(row.testCase, {});
    scored += 1;
  }
  if (scored !== CASES) throw new Error(`plain loop scored ${scored} of ${CASES} cases`);
  return performance.now() - started;
}

/** The CLI as a user runs it, under /usr/bin/time for its peak RSS. */
function cliRun(path: string, scratch: string): Promise<{ ms: number; peakRssMb: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const args = [
      '-f',
      '%M',
      process.execPath,
      join(root, 'apps/cli/bin/evalvault.js'),
      'run',
      path,
      ...METRICS.flatMap((m) => ['-m', m]),
      '--gate',
      'mean(token_f1) >= 0.1',
    ];
    const child = spawn('/usr/bin/time', args, {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        XDG_CONFIG_HOME: join(scratch, 'config'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`evalvault run exited ${code}:\n${stderr.slice(-2000)}`));
      const kb = Number(stderr.trim().split('\n').at(-1));
      resolve({ ms: performance.now() - started, peakRssMb: kb / 1024, stdout });
    });
  });
}

async function partA(path: string, scratch: string): Promise<void> {
  const loopMs = await plainLoop(path);
  const cli = await cliRun(path, scratch);
  if (!cli.stdout.includes(`${CASES} cases: ${CASES} evaluated, 0 failed`))
    throw new Error(`the run did not score every case:\n${cli.stdout.slice(0, 500)}`);
  const rate = (ms: number): number => CASES / (ms / 1000);
  console.log(`bench:runs (a) — ${CASES} deterministic cases (${METRICS.join(', ')}), one machine, one run`);
  console.log(`  plain loop in this process     ${(loopMs / 1000).toFixed(1)} s   ${rate(loopMs).toFixed(0)} cases/s`);
  console.log(
    `  evalvault run (embedded, CLI)  ${(cli.ms / 1000).toFixed(1)} s   ${rate(cli.ms).toFixed(0)} cases/s   ` +
      `peak RSS ${cli.peakRssMb.toFixed(0)} MB`,
  );
  console.log(
    `  ratio CLI / plain loop rate    ${(rate(cli.ms) / rate(loopMs)).toFixed(3)}   (target ≥ 0.25; 10k cases ≤ 5 s)`,
  );
}

const scratch = mkdtempSync(join(tmpdir(), 'evalvault-bench-runs-'));
try {
  const path = join(scratch, 'cases.jsonl');
  if (PARTS.has('a') || PARTS.has('b')) writeCases(path);
  if (PARTS.has('a')) await partA(path, scratch);
  if (PARTS.has('b')) await distributedRunsBench({ datasetPath: path, cases: CASES, metrics: METRICS, root }, scratch);
  if (PARTS.has('c')) await llmRateBench();
  if (PARTS.has('d')) await streamingBench({ root, scratch, metrics: METRICS });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
