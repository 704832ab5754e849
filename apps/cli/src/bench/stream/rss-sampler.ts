import { cpuSeconds, rssMb } from '../proc-stats.js';

/** A reading: when (ms after start), how far the work was, each process's resident set (MB) and CPU seconds. */
export interface RssSample {
  atMs: number;
  scored: number;
  rssMb: Record<string, number>;
  cpuSeconds: Record<string, number>;
}

/**
 * Reads every tracked process's VmRSS and CPU time from /proc at a fixed interval, with the run's progress at
 * that moment (the last value `progress` reported: it is polled alongside, never awaited inside
 * a reading, so a slow answer cannot stretch the interval).
 */
export class RssSampler {
  readonly samples: RssSample[] = [];
  private readonly pids = new Map<string, number>();
  private scored = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private started = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly progress: () => Promise<number>,
  ) {}

  track(name: string, pid: number | undefined): void {
    if (pid !== undefined) this.pids.set(name, pid);
  }

  get names(): string[] {
    return [...this.pids.keys()];
  }

  start(): void {
    this.started = performance.now();
    this.read();
    this.timer = setInterval(() => this.read(), this.intervalMs);
  }

  /** Stops, after a last reading with the progress as it is now. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.scored = Math.max(this.scored, await this.progress().catch(() => this.scored));
    this.polling = true; // the last reading asks nothing more
    this.read();
  }

  private read(): void {
    const rss: Record<string, number> = {};
    const cpu: Record<string, number> = {};
    for (const [name, pid] of this.pids) {
      const mb = rssMb(pid);
      const seconds = cpuSeconds(pid);
      if (mb !== null) rss[name] = mb;
      if (seconds !== null) cpu[name] = seconds;
    }
    this.samples.push({ atMs: performance.now() - this.started, scored: this.scored, rssMb: rss, cpuSeconds: cpu });
    if (this.polling) return;
    this.polling = true;
    this.progress()
      .then((scored) => {
        this.scored = Math.max(this.scored, scored);
      })
      .catch(() => undefined) // a missed answer: the next reading asks again
      .finally(() => {
        this.polling = false;
      });
  }
}
