import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = join(import.meta.dirname, '..', '..', '..', '..', 'infra', 'kafka', 'kafka.sh');

/**
 * A Kafka broker of one test's own (its own ports and state, from infra/kafka/kafka.sh), for
 * tests that stop and restart the broker: stopping the machine's shared one would fail every
 * other suite. Its topics and committed offsets survive a stop, as a real outage's do.
 */
export class OwnBroker {
  private constructor(
    readonly port: number,
    private readonly instance: string,
  ) {}

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(port: number): Promise<OwnBroker> {
    const broker = new OwnBroker(port, mkdtempSync(join(tmpdir(), 'evalvault-broker-')));
    await broker.resume();
    return broker;
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      KAFKA_PORT: String(this.port),
      KAFKA_CONTROLLER_PORT: String(this.port + 1),
      EVALVAULT_KAFKA_INSTANCE: this.instance,
    };
  }

  /** Starts (or restarts) the broker and waits until it answers, its topics declared. */
  async resume(): Promise<void> {
    await run('bash', [script, 'start'], { env: this.env(), timeout: 180_000 });
  }

  /** Stops the broker process (TERM, then KILL after 30 s). */
  async stop(): Promise<void> {
    await run('bash', [script, 'stop'], { env: this.env(), timeout: 60_000 });
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.instance, { recursive: true, force: true });
  }
}
