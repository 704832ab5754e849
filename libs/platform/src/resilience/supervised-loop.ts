import type { Logger } from 'pino';
import { backoffDelay, type DeliveryPolicy } from '../bus/bus-message.js';
import type { LoopHealth } from './loop-health.js';

export type RestartPolicy = Pick<DeliveryPolicy, 'initialBackoffMs' | 'maxBackoffMs'>;

/** Half a second, doubling with jitter up to 15 s: a 30 s broker outage costs at most ~15 s more. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialBackoffMs: 500, maxBackoffMs: 15_000 };

/** One incarnation of a loop. */
export interface RunningLoop {
  stop(): Promise<void>;
  /** Resolves once the loop has handled everything available when called (it is making progress). */
  caughtUp(): Promise<void>;
}

export interface SupervisedLoopOptions {
  health: LoopHealth;
  logger: Logger;
  policy?: RestartPolicy;
  random?: () => number;
  /**
   * Starts an incarnation from its durable position (checkpoint, committed offset). It calls
   * `failed` once if it stops on an error; the supervisor then starts a new one after a backoff.
   */
  start(failed: (error: Error) => void): Promise<RunningLoop>;
}

/**
 * Keeps a loop running through failures of what it depends on (broker, database): when an
 * incarnation stops on an error, the health turns false (so /readyz says not ready), and a
 * new incarnation is started after an exponential backoff with jitter, resuming from the
 * durable position, until one catches up again (health true). Before this, a relay that lost
 * its broker stopped for good while the service kept saying it was ready.
 */
export class SupervisedLoop {
  private current: RunningLoop | null = null;
  /** Counts incarnations, so a late signal from an old one changes nothing. */
  private generation = 0;
  private stopped = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private restarting: Promise<void> = Promise.resolve();

  constructor(private readonly options: SupervisedLoopOptions) {}

  /** The first start: its error is the caller's (a service that cannot start at all says so). */
  async start(): Promise<void> {
    await this.incarnate();
  }

  private async incarnate(): Promise<void> {
    const generation = ++this.generation;
    let early: Error | null = null;
    let report = (error: Error): void => {
      early = error;
    };
    const running = await this.options.start((error) => report(error));
    this.current = running;
    report = (error) => this.failed(generation, error);
    if (early) return this.failed(generation, early);
    running.caughtUp().then(
      () => this.caughtUpAfterStart(generation),
      () => undefined,
    );
  }

  private caughtUpAfterStart(generation: number): void {
    if (generation !== this.generation || this.stopped || this.current === null) return;
    this.attempt = 0;
    if (!this.options.health.failing) return;
    this.options.health.progressed();
    this.options.logger.info({ loop: this.options.health.name }, 'loop recovered');
  }

  private failed(generation: number, error: Error): void {
    if (this.stopped || generation !== this.generation) return;
    this.generation += 1; // the failed incarnation's later signals are stale
    const { health, logger } = this.options;
    health.failed(error);
    this.attempt += 1;
    const delayMs = backoffDelay(this.options.policy ?? DEFAULT_RESTART_POLICY, this.attempt, this.options.random);
    logger.error(
      { err: error, loop: health.name, attempt: this.attempt, restartInMs: delayMs },
      'loop stopped on an error; restarting',
    );
    const previous = this.current;
    this.current = null;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.restarting = this.restart(previous);
    }, delayMs);
  }

  private async restart(previous: RunningLoop | null): Promise<void> {
    await previous?.stop().catch(() => undefined);
    if (this.stopped) return;
    try {
      await this.incarnate();
    } catch (error) {
      this.failed(this.generation, error as Error); // could not even start: back off and try again
    }
  }

  caughtUp(): Promise<void> {
    return this.current?.caughtUp() ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.restarting;
    await this.current?.stop();
  }
}
