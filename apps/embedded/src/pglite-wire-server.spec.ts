import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { listeningTcpPorts } from '../test/listening-ports.js';
import { socketUrl } from './embedded-database.js';
import { PgliteWireServer } from './pglite-wire-server.js';

/** PGlite is one session; many pg connections must still see whole cycles and whole transactions. */
describe('PGlite over the wire, many connections', () => {
  let db: PGlite;
  let server: PgliteWireServer;
  let url: string;
  let socket: string;
  let tcpBefore: number[];
  const socketDir = mkdtempSync(join(tmpdir(), 'evalvault-wire-'));

  beforeAll(async () => {
    db = await PGlite.create();
    server = new PgliteWireServer(db);
    tcpBefore = listeningTcpPorts();
    socket = await server.start(socketDir);
    url = socketUrl(socketDir);
    await db.exec('CREATE TABLE counter (id int PRIMARY KEY, value int NOT NULL); INSERT INTO counter VALUES (1, 0);');
  });
  afterAll(async () => {
    await server.stop();
    await db.close();
    rmSync(socketDir, { recursive: true, force: true });
  });

  it('listens on a Unix socket only this user may use, and on no TCP port (PGlite checks no password)', async () => {
    expect(listeningTcpPorts()).toEqual(tcpBefore);
    expect(socket).toBe(join(socketDir, '.s.PGSQL.5432'));
    expect(statSync(socket).isSocket()).toBe(true);
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    await client.end();
  });

  it('keeps each connection’s parameterised queries and transactions whole under concurrency', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 8 });
    try {
      const queries = Array.from(
        { length: 60 },
        async (_, n) => (await pool.query<{ echo: number }>('SELECT $1::int AS echo', [n])).rows[0]!.echo,
      );
      const increments = Array.from({ length: 12 }, async () => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const { rows } = await client.query<{ value: number }>('SELECT value FROM counter WHERE id = $1', [1]);
          await new Promise((resolve) => setTimeout(resolve, 2)); // others queue meanwhile
          await client.query('UPDATE counter SET value = $1 WHERE id = $2', [rows[0]!.value + 1, 1]);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      });
      const [echoes] = await Promise.all([Promise.all(queries), Promise.all(increments)]);
      expect(echoes).toEqual(Array.from({ length: 60 }, (_, n) => n));
      expect((await pool.query<{ value: number }>('SELECT value FROM counter WHERE id = 1')).rows[0]!.value).toBe(12);
    } finally {
      await pool.end();
    }
  });

  it('rolls back and hands the session on when a connection leaves inside a transaction', async () => {
    const leaver = new pg.Client({ connectionString: url });
    await leaver.connect();
    await leaver.query('BEGIN');
    await leaver.query('UPDATE counter SET value = -1 WHERE id = 1');
    // Even the next connection's startup waits for the session, which the leaver still holds.
    const other = new pg.Client({ connectionString: url });
    const connected = other.connect();
    const read = connected.then(() => other.query<{ value: number }>('SELECT value FROM counter WHERE id = 1'));
    await leaver.end();
    expect((await read).rows[0]!.value).toBe(12);
    await other.end();
  });
});
