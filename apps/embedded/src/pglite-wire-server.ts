import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';

type HandlerQueue = ConstructorParameters<typeof PGLiteSocketHandler>[0]['queryQueue'];

const SYNC = 0x53; // 'S': ends an extended-protocol cycle (Parse, Bind, Describe, Execute…)
const QUERY = 0x51; // 'Q': a simple query is a cycle of its own
const TERMINATE = 0x58; // 'X'

/**
 * Who may talk to PGlite next. PGlite is one session; pglite-socket's own queue interleaves
 * connections message by message, so one client's Parse/Bind and another's Execute meet in the
 * unnamed portal ("portal \"\" does not exist"). Here a connection holds the session from its
 * first message until its cycle ends (Sync, a simple Query, or its startup) and, inside a
 * transaction, until the transaction ends; the others wait their turn.
 */
export class SessionQueue {
  private owner: number | null = null;
  private waiters: Array<() => void> = [];

  constructor(private readonly db: PGlite) {}

  async enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    while (this.owner !== null && this.owner !== handlerId) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.owner = handlerId;
    let bytes = 0;
    try {
      await this.db.runExclusive(() => this.db.execProtocolRawStream(message, { onRawData: (data) => { bytes += data.length; onData(data); } }));
    } finally {
      if (endsCycle(message) && !this.db.isInTransaction()) this.release();
    }
    return bytes;
  }

  /** A connection that goes away gives the session back (rolling back what it left open). */
  clearQueueForHandler(): void {}

  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    this.release();
  }

  private release(): void {
    this.owner = null;
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }
}

function endsCycle(message: Uint8Array): boolean {
  const type = message[0];
  // A startup message has no type byte: it starts with its length (a small big-endian int, so 0).
  return type === SYNC || type === QUERY || type === TERMINATE || type === 0;
}

/** PGlite over the PostgreSQL wire protocol on 127.0.0.1, any number of connections, one session at a time. */
export class PgliteWireServer {
  private server?: Server;
  private readonly handlers = new Set<PGLiteSocketHandler>();
  private readonly queue: SessionQueue;

  constructor(db: PGlite) {
    this.queue = new SessionQueue(db);
  }

  async start(): Promise<string> {
    this.server = createServer((socket: Socket) => { void this.accept(socket); });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', resolve);
    });
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async accept(socket: Socket): Promise<void> {
    const handler = new PGLiteSocketHandler({ queryQueue: this.queue as unknown as HandlerQueue, closeOnDetach: true });
    this.handlers.add(handler);
    handler.addEventListener('close', () => this.handlers.delete(handler));
    handler.addEventListener('error', () => this.handlers.delete(handler));
    await handler.attach(socket).catch(() => socket.destroy());
  }

  async stop(): Promise<void> {
    await Promise.all([...this.handlers].map((handler) => handler.detach(true)));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
