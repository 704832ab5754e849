// `npm start`'s build step: builds only when a source changed since the last build made here,
// and says so in one line; nx's own output is shown only when the build fails. A start on a
// current build skips nx altogether (even a fully cached nx run costs seconds).
// Stale means: no stamp, a project without dist/, or any input newer than the stamp. Inputs are
// what nx hashes for `build` (nx.json) plus the workspace files around it; directories count
// too, since deleting or renaming a file changes only its directory's mtime.
// Usage: node scripts/ensure-built.mjs [--force]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
export const STAMP = join(root, 'node_modules', '.cache', 'evalvault', 'build-stamp');
const ROOT_INPUTS = ['package.json', 'package-lock.json', 'nx.json', '.swcrc'];

/** Every workspace project that builds: libs/*, services/*, apps/* and infra. */
function projects() {
  const nested = ['libs', 'services', 'apps'].flatMap((group) =>
    readdirSync(join(root, group), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(root, group, entry.name)),
  );
  return [...nested, join(root, 'infra')].filter((project) => existsSync(join(project, 'src')));
}

/** The newest mtime (ms) under a directory, the directory itself included. */
function newestUnder(directory) {
  let newest = statSync(directory).mtimeMs;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const mtimeOf = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);
const tsconfigs = (directory) =>
  readdirSync(directory)
    .filter((name) => /^tsconfig.*\.json$/.test(name))
    .map((name) => join(directory, name));

export function newestInput() {
  let newest = Math.max(...ROOT_INPUTS.map((name) => mtimeOf(join(root, name))), ...tsconfigs(root).map(mtimeOf));
  for (const project of projects()) {
    newest = Math.max(
      newest,
      newestUnder(join(project, 'src')),
      mtimeOf(join(project, 'package.json')),
      ...tsconfigs(project).map(mtimeOf),
    );
  }
  return newest;
}

/** Why a build is needed, or null when the last one is current. */
export function staleness() {
  if (!existsSync(STAMP)) return 'no build recorded';
  if (projects().some((project) => !existsSync(join(project, 'dist')))) return 'a project is not built';
  return newestInput() > statSync(STAMP).mtimeMs ? 'sources changed' : null;
}

/** nx's build with its output kept; signals reach it so Ctrl-C does not leave it running. */
function build() {
  const nx = join(root, 'node_modules', '.bin', 'nx');
  if (!existsSync(nx)) return Promise.resolve({ code: 1, output: `${nx} is missing; run npm ci\n` });
  return new Promise((resolve) => {
    const child = spawn(nx, ['run-many', '-t', 'build', '--outputStyle=static'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    let interrupted = false;
    for (const signal of ['SIGINT', 'SIGTERM'])
      process.on(signal, () => {
        interrupted = true;
        child.kill(signal);
      });
    child.on('error', (error) => resolve({ code: 1, output: `${output}${error.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output, interrupted }));
  });
}

async function main() {
  const reason = process.argv.includes('--force') ? 'forced' : staleness();
  if (!reason) return;
  process.stderr.write(`evalvault: building (${reason})…\n`);
  // The stamp takes the build's start time: a file saved while nx runs may not be in this build.
  const startedAt = new Date();
  const { code, output, interrupted } = await build();
  if (interrupted) process.exit(130); // stopped on purpose: its output is no news
  if (code !== 0) {
    process.stderr.write(output);
    process.stderr.write(`evalvault: the build failed (exit ${code}); its output is above\n`);
    process.exit(code);
  }
  mkdirSync(dirname(STAMP), { recursive: true });
  writeFileSync(STAMP, `built from sources as of ${startedAt.toISOString()}\n`);
  utimesSync(STAMP, startedAt, startedAt);
}

if (process.argv[1] === import.meta.filename) await main();
