import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { INTERNAL_IDENTITY_HEADER } from '@evalvault/platform';
import { DATASET_UPLOAD_PATH, NDJSON_MEDIA_TYPE, type RegisteredVersion } from '@evalvault/service-apis';
import type { ScratchPlatform } from './scratch-platform.js';

/** The steps of a streaming run as a user's requests reach the services: register, submit, wait. */
const RUN_TIMEOUT_MS = 60 * 60_000;
const READ_MODEL_TIMEOUT_MS = 10 * 60_000;
const POLL_MS = 100;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The file streamed to the registry's upload route, as the gateway forwards a user's upload: read
 * from disk a chunk at a time, `onBytes` told of each chunk sent.
 */
export async function register(
  platform: ScratchPlatform,
  path: string,
  name: string,
  onBytes: (bytes: number) => void = () => undefined,
): Promise<RegisteredVersion> {
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
      onBytes(chunk.length);
      yield chunk;
    }
  }
  const query = new URLSearchParams({ name, description: 'streaming benchmark' });
  const response = await fetch(`${platform.registry.url}${DATASET_UPLOAD_PATH}?${query.toString()}`, {
    method: 'POST',
    headers: {
      'content-type': NDJSON_MEDIA_TYPE,
      accept: 'application/json',
      [INTERNAL_IDENTITY_HEADER]: await platform.signer.sign(platform.identity, 'registry'),
    },
    body: Readable.toWeb(Readable.from(counted())) as ReadableStream<Uint8Array>,
    duplex: 'half',
  } as RequestInit);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`the registry refused the upload: ${response.status} ${text}`);
  return JSON.parse(text) as RegisteredVersion;
}

/** Submits a run of the registered version (its hash pinned, as the gateway pins it); resolves with its id. */
export async function submit(
  platform: ScratchPlatform,
  registered: RegisteredVersion,
  metrics: readonly string[],
): Promise<string> {
  const { runId } = await platform.runs.call(
    'submitRun',
    {
      dataset: { id: registered.id, version: registered.version, contentHash: registered.contentHash },
      metrics: [...metrics],
      gate: { rules: ['mean(token_f1) >= 0.1'] },
      labels: { bench: 'stream' },
    },
    platform.identity,
  );
  return runId;
}

/** Resolves once RunCompleted is in the store; throws when the run ended otherwise. */
export async function runCompleted(pool: pg.Pool, runId: string): Promise<void> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  for (;;) {
    const { rows } = await pool.query<{ event_type: string }>(
      `SELECT event_type FROM eventstore.events
        WHERE stream_id = $1 AND event_type IN ('RunCompleted', 'RunFailed', 'RunCancelled')`,
      [`run-${runId}`],
    );
    if (rows[0]?.event_type === 'RunCompleted') return;
    if (rows[0]) throw new Error(`run ${runId} ended with ${rows[0].event_type}`);
    if (Date.now() > deadline) throw new Error(`run ${runId} did not complete within ${RUN_TIMEOUT_MS / 1000} s`);
    await sleep(POLL_MS);
  }
}

/** Resolves once the read model shows the run completed with every case evaluated. */
export async function readModelCompleted(platform: ScratchPlatform, runId: string, cases: number): Promise<void> {
  const deadline = Date.now() + READ_MODEL_TIMEOUT_MS;
  for (;;) {
    const view = await platform.runs.call('getRun', { runId }, platform.identity).catch(() => null);
    if (view?.status === 'completed' && view.counts.evaluated === cases) return;
    if (Date.now() > deadline) throw new Error(`the read model did not show run ${runId} completed`);
    await sleep(POLL_MS);
  }
}
