import { Agent, request } from 'node:http';
import type { AutocannonOptions } from 'autocannon';
import type { LoadResult } from './load-result.js';

/** Requests sent but not answered yet past which the run stops sending: a stalled server must not pile up sockets. */
const MAX_IN_FLIGHT = 1_000;
const TICK_MS = 1;

/**
 * A fixed offered load, sent evenly (autocannon's overallRate sends each connection's quota in a
 * burst at the start of every second, which measures its own bursts). Open loop: a request is sent
 * at its time whether or not earlier ones were answered, over at most `connections` keep-alive
 * sockets; its latency runs from the moment it was sent, queueing for a socket included.
 * Stops by itself after `duration` seconds and the last answer.
 */
export async function openLoop(options: AutocannonOptions & { overallRate: number }): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections ?? 10 });
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let non2xx = 0;
  let errors = 0;
  let inFlight = 0;
  let sent = 0;
  const started = performance.now();
  const durationMs = (options.duration ?? 5) * 1_000;

  const send = (): void => {
    const at = performance.now();
    inFlight += 1;
    const call = request(options.url, { method: options.method, headers: options.headers, agent }, (response) => {
      response.resume();
      response.once('end', () => {
        inFlight -= 1;
        latencies.push(performance.now() - at);
        statusCodes[response.statusCode!] = (statusCodes[response.statusCode!] ?? 0) + 1;
        if (response.statusCode! < 200 || response.statusCode! >= 300) non2xx += 1;
      });
    });
    call.once('error', () => {
      inFlight -= 1;
      errors += 1;
    });
    call.end(options.body);
  };

  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const elapsed = performance.now() - started;
      const due = Math.min(
        Math.floor((elapsed / 1_000) * options.overallRate),
        (durationMs / 1_000) * options.overallRate,
      );
      while (sent < due && inFlight < MAX_IN_FLIGHT) {
        sent += 1;
        send();
      }
      if (elapsed < durationMs) setTimeout(tick, TICK_MS);
      else resolve();
    };
    tick();
  });
  while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  agent.destroy();
  return {
    requests: latencies.length,
    seconds: (performance.now() - started) / 1_000,
    latenciesMs: Float64Array.from(latencies),
    // A request the generator could not send in time (too many unanswered) counts as a timeout: it voids the figure.
    failures: { non2xx, errors, timeouts: sent < (durationMs / 1_000) * options.overallRate ? 1 : 0, statusCodes },
  };
}
