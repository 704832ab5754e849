import type { InternalIdentity, ServiceClient } from '@evalvault/platform';
import type { RunsOperations, RunView } from '@evalvault/service-apis';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** One Server-Sent Event frame. */
export function sseFrame(event: string, data: unknown, id?: string): string {
  return `${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * A run's progress as Server-Sent Events: a `progress` event whenever its status or counts
 * change, then `done` with the final view once it is finished (a completed run waits for
 * its gate verdict, if it has a gate). Follows the runs service's read model, so it works the same in every
 * deployment; `write` returns false once the client has gone, which ends the stream.
 */
export async function streamRunProgress(
  runs: ServiceClient<RunsOperations>,
  identity: InternalIdentity,
  runId: string,
  write: (frame: string) => boolean,
  options: { intervalMs?: number; maxDurationMs?: number } = {},
): Promise<void> {
  const interval = options.intervalMs ?? 500;
  const deadline = Date.now() + (options.maxDurationMs ?? 30 * 60_000);
  let last = '';
  while (Date.now() < deadline) {
    const view: RunView = await runs.call('getRun', { runId }, identity);
    const progress = { status: view.status, counts: view.counts };
    const key = JSON.stringify(progress);
    if (key !== last && !write(sseFrame('progress', progress))) return;
    last = key;
    // A completed run waits for its gate verdict, unless it has no gate (verdict none).
    if (TERMINAL.has(view.status) && (view.status !== 'completed' || view.gate || view.verdict === 'none')) {
      write(sseFrame('done', view));
      return;
    }
    if (!write(': keep-alive\n\n')) return;
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  write(sseFrame('timeout', { message: 'the run is still going; reconnect to keep following it' }));
}
