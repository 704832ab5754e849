import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';

type HandlerQueue = ConstructorParameters<typeof PGLiteSocketHandler>[0]['queryQueue'];

const SYNC = 0x53; // 'S': ends an extended-protocol cycle (Parse, Bind, Describe, Execute…)
const QUERY = 0x51; // 'Q': a simple query is a cycle of its own
const TERMINATE = 0x58; // 'X'
/** libpq and node-postgres look for `<host>/.s.PGSQL.<port>` when host is a directory. */
export const SOCKET_PORT = 5432;
// sun_path holds 108 bytes on Linux, 104 on macOS, the terminating NUL included.
const MAX_SOCKET_PATH = 103;

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
    while (this.owner !== null && this.owner !== handlerId)
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.owner = handlerId;
    let bytes = 0;
    try {
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(message, {
          onRawData: (data) => {
            bytes += data.length;
            onData(data);
          },
        }),
      );
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

/**
 * PGlite over the PostgreSQL wire protocol, any number of connections, one session at a time.
 * It listens on a Unix socket, never TCP: PGlite checks no password, so what keeps other local
 * users out is the socket's directory, which the caller makes private (0700).
 */
export class PgliteWireServer {
  private server?: Server;
  private readonly handlers = new Set<PGLiteSocketHandler>();
  private readonly queue: SessionQueue;

  constructor(db: PGlite) {
    this.queue = new SessionQueue(db);
  }

  /** Listens on `<socketDir>/.s.PGSQL.5432`; resolves with its path. */
  async start(socketDir: string): Promise<string> {
    const path = join(socketDir, `.s.PGSQL.${SOCKET_PORT}`);
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
      throw new Error(
        `the database socket path ${path} is longer than a Unix socket allows (${MAX_SOCKET_PATH} bytes); ` +
          'use a shorter EVALVAULT_DATA_DIR',
      );
    }
    // Left by a process that died: the data directory's lock says none is running on it now.
    rmSync(path, { force: true });
    this.server = createServer((socket: Socket) => {
      void this.accept(socket);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(path, resolve);
    });
    chmodSync(path, 0o600);
    return path;
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
