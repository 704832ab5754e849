/** What one measured load run answers, shared by the load worker, the open-loop generator and the report. */
export interface LoadResult {
  requests: number;
  seconds: number;
  latenciesMs: Float64Array;
  /** Responses other than 2xx, connection errors and timeouts: any of them makes the figure void. */
  failures: { non2xx: number; errors: number; timeouts: number; statusCodes: Record<string, number> };
  /**
   * CPU time (user + system, µs) of the servers' thread during the run, set by the LoadGenerator: a
   * steadier figure than req/s on a shared machine, and the one that says what an answer costs.
   */
  serverCpuMicros?: number;
}

/** The load worker's answer to one run's options. */
export type LoadAnswer = { result: LoadResult } | { error: string };
