import type { Pool, PoolClient } from 'pg';

/** What the listener reports about its connection; the store's owner logs it. */
export interface ListenerLog {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

/**
 * The LISTEN connection that wakes subscriptions when another process appends. It holds one pool
 * connection for as long as the store is open, so a PostgreSQL restart cuts it: unheard, that
 * connection's 'error' event ends the process. Here it is heard: the listener warns, gives the
 * connection back for the pool to discard, and listens again on a fresh one with backoff; meanwhile
 * subscriptions keep polling. Once listening again it wakes them, since appends made while it was
 * down sent notifications nobody heard.
 */
export class NotifyListener {
  private client: PoolClient | null = null;
  private started = false;
  private closed = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private connecting: Promise<void> | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly channel: string,
    private readonly onNotify: () => void,
    private readonly log?: ListenerLog,
  ) {}

  /** Starts listening (once); a failure to connect is retried, never thrown. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.connect();
  }

  /** Whether the LISTEN connection is up (false while PostgreSQL is away). */
  get listening(): boolean {
    return this.client !== null;
  }

  private connect(): void {
    this.connecting = this.listen()
      .then(
        () => this.listened(),
        (error: unknown) => this.retry(error as Error),
      )
      .finally(() => {
        this.connecting = null;
      });
  }

  private async listen(): Promise<void> {
    const client = await this.pool.connect();
    client.on('notification', this.onNotify);
    client.on('error', (error) => this.lost(client, error));
    try {
      await client.query(`LISTEN ${this.channel}`);
    } catch (error) {
      client.release(error as Error); // a broken connection is discarded, not pooled
      throw error;
    }
    if (this.closed) client.release();
    else this.client = client;
  }

  private listened(): void {
    if (this.failures > 0) this.log?.info({ channel: this.channel }, 'PostgreSQL LISTEN connection back');
    this.failures = 0;
    this.onNotify();
  }

  /** The connection failed after LISTEN succeeded (an error during LISTEN itself rejects `listen`). */
  private lost(client: PoolClient, error: Error): void {
    if (this.client !== client) return;
    this.client = null;
    client.release(error);
    this.retry(error);
  }

  private retry(error: Error): void {
    if (this.closed) return;
    this.failures += 1;
    const retryInMs = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (this.failures - 1));
    this.log?.warn(
      { err: { message: error.message, code: (error as { code?: string }).code }, retryInMs, channel: this.channel },
      'PostgreSQL LISTEN connection lost; subscriptions poll until it is back',
    );
    this.timer = setTimeout(() => this.connect(), retryInMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.connecting;
    const client = this.client;
    this.client = null;
    if (!client) return;
    await client.query(`UNLISTEN ${this.channel}`).catch(() => undefined);
    client.release();
  }
}
