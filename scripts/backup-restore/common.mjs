// What scripts/backup and scripts/restore share: the schemas, the database URL, checksums, and
// how a command is run. Plain JavaScript on purpose: an operator runs these on a host with only
// Node, pg_dump and pg_restore, without the TypeScript toolchain.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** The event store (the source of truth), the content store, and every service's read models. */
export const SCHEMAS = ['eventstore', 'contentstore', 'gateway', 'runs', 'registry', 'notifier', 'audit', 'memory'];

export const DEFAULT_DATABASE_URL = 'postgres://evalvault@127.0.0.1:5432/evalvault';

export function databaseUrl() {
  return process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
}

/** The URL without its password, as the manifest records where a backup came from. */
export function redacted(url) {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

export async function sha256File(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}

export async function fileEntry(path, name) {
  return { name, bytes: (await stat(path)).size, sha256: await sha256File(path) };
}

/** Runs a command to completion; its stderr passes through, a failure names the command and its code. */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], ...options });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.on('error', (error) => reject(new Error(`${command} could not start: ${error.message}`)));
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${command} ${args[0] ?? ''} failed with exit code ${code}`)),
    );
  });
}

export function fail(message) {
  console.error(`evalvault: ${message}`);
  process.exit(1);
}

export const log = (message) => console.error(message);
