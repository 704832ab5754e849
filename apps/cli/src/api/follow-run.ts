import type { RunCounts, RunView, RunViewStatus } from '@evalvault/service-apis';
import { CliError } from '../errors.js';
import { ApiError } from './problem.js';
import type { RunsApi } from './runs-api.js';
import { readServerSentEvents } from './sse.js';

export interface RunProgress {
  status: RunViewStatus;
  counts: RunCounts;
}

export interface FollowOptions {
  /** Give up (exit 2, the run goes on) after this many milliseconds. */
  timeoutMs: number;
  /** How long a just-submitted run may stay invisible (the read model catches up). */
  notVisibleForMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const MAX_BROKEN_STREAMS = 5;

/**
 * Follows a run over the gateway's Server-Sent Events until its verdict and returns the
 * final view. A 404 right after submission means the read model has not seen the run yet,
 * so it asks again; a stream that ends early (proxy timeout, server restart) is reopened.
 */
export async function followRun(
  runs: RunsApi,
  runId: string,
  onProgress: (progress: RunProgress) => void,
  options: FollowOptions,
): Promise<RunView> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + options.timeoutMs;
  const visibleBy = Date.now() + (options.notVisibleForMs ?? 60_000);
  let broken = 0;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw timedOut(runId, options.timeoutMs);
    const signal = AbortSignal.timeout(remaining);
    try {
      const response = await runs.events(runId, signal);
      const view = await readUntilDone(runId, response, onProgress);
      if (view) return view;
      broken = 0; // the server ended the stream in order (its own time limit): reopen it
    } catch (error) {
      if (signal.aborted) throw timedOut(runId, options.timeoutMs);
      if (error instanceof ApiError && error.status === 404 && Date.now() < visibleBy) {
        await sleep(300);
        continue;
      }
      if (error instanceof CliError) throw error;
      if (++broken > MAX_BROKEN_STREAMS)
        throw new CliError('network', `lost the progress stream of run ${runId}: ${(error as Error).message}`);
      await sleep(500 * broken);
    }
  }
}

async function readUntilDone(
  runId: string,
  response: Response,
  onProgress: (progress: RunProgress) => void,
): Promise<RunView | null> {
  if (!response.body) return null;
  for await (const message of readServerSentEvents(response.body)) {
    switch (message.event) {
      case 'progress':
        onProgress(JSON.parse(message.data) as RunProgress);
        break;
      case 'done': // leaving the loop cancels the stream
        return JSON.parse(message.data) as RunView;
      case 'error':
        throw streamEnded(runId, message.data);
      default:
        break; // `timeout` and anything newer: reopen or ignore
    }
  }
  return null;
}

/** Codes the gateway ends a stream with when the credential stops allowing it (it re-checks while streaming). */
const CREDENTIAL_ENDS = new Set(['CREDENTIAL_REVOKED', 'CREDENTIAL_EXPIRED', 'FORBIDDEN']);

/**
 * The `error` event that ends a stream: problem details (`code`, `detail`), or `{message}` from
 * a gateway before them. Never reopened: the same credential would be refused again.
 */
function streamEnded(runId: string, data: string): CliError {
  let problem: { code?: unknown; detail?: unknown; message?: unknown } = {};
  try {
    problem = (JSON.parse(data) as typeof problem | null) ?? {};
  } catch {
    // not JSON: the text itself is the reason
  }
  const reason =
    typeof problem.detail === 'string' ? problem.detail : typeof problem.message === 'string' ? problem.message : data;
  const code = typeof problem.code === 'string' ? problem.code : null;
  if (code && CREDENTIAL_ENDS.has(code)) {
    return new CliError(
      'auth',
      `the server stopped following run ${runId}: ${reason} (${code}); ` +
        `the run goes on: see "evalvault runs show ${runId}" with a valid credential`,
    );
  }
  return new CliError('api', `the server stopped following the run: ${reason}${code ? ` (${code})` : ''}`);
}

function timedOut(runId: string, timeoutMs: number): CliError {
  return new CliError(
    'timeout',
    `run ${runId} has no verdict after ${Math.round(timeoutMs / 1000)} s; ` +
      `it goes on: see "evalvault runs show ${runId}"`,
  );
}
