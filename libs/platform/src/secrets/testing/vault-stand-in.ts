import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface KvVersion {
  data: Record<string, unknown> | null;
  deleted: boolean;
}

/**
 * A local stand-in of HashiCorp Vault's HTTP API, as much as the secrets chain uses: KV version 2
 * reads, `GET /v1/<mount>/data/<path>` with `X-Vault-Token`, answered as Vault documents it
 * (200 `{data: {data, metadata}}`, 404 `{errors: []}`, 403 `{errors: ["permission denied"]}`,
 * 503 when sealed). Which tokens may read which mount is set by the test.
 */
export class VaultStandIn {
  private readonly secrets = new Map<string, KvVersion>();
  private readonly tokens = new Map<string, string>();
  sealed = false;
  /** What each request looked like (path, token, namespace), for tests to check. */
  readonly requests: { path: string; token: string | undefined; namespace: string | undefined }[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<VaultStandIn> {
    const server = createServer();
    const standIn = new VaultStandIn(server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => standIn.answer(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  get address(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A token allowed to read every secret under `mount`. */
  tokenFor(mount: string): string {
    const token = `hvs.${randomUUID()}`;
    this.tokens.set(token, mount);
    return token;
  }

  put(mount: string, path: string, data: Record<string, unknown>): void {
    this.secrets.set(`${mount}/${path}`, { data, deleted: false });
  }

  /** Soft-deletes the current version (KV v2 `DELETE`): reads answer 404 with the version's metadata. */
  deleteCurrentVersion(mount: string, path: string): void {
    this.secrets.set(`${mount}/${path}`, { data: null, deleted: true });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const token = req.headers['x-vault-token'] as string | undefined;
    this.requests.push({
      path: req.url ?? '',
      token,
      namespace: req.headers['x-vault-namespace'] as string | undefined,
    });
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (this.sealed) return reply(503, { errors: ['Vault is sealed'] });
    const match = /^\/v1\/([^/]+)\/data\/(.+)$/.exec(req.url ?? '');
    if (req.method !== 'GET' || !match) return reply(404, { errors: [] });
    const [mount, path] = [decodeURIComponent(match[1]!), match[2]!.split('/').map(decodeURIComponent).join('/')];
    if (!token || this.tokens.get(token) !== mount) return reply(403, { errors: ['permission denied'] });
    const secret = this.secrets.get(`${mount}/${path}`);
    if (!secret) return reply(404, { errors: [] });
    const metadata = {
      created_time: '2026-01-01T00:00:00.000000Z',
      custom_metadata: null,
      deletion_time: secret.deleted ? '2026-01-02T00:00:00.000000Z' : '',
      destroyed: false,
      version: secret.deleted ? 2 : 1,
    };
    // Vault answers a deleted current version with 404 and the version's metadata in the body.
    reply(secret.deleted ? 404 : 200, {
      request_id: randomUUID(),
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: { data: secret.data, metadata },
      wrap_info: null,
      warnings: null,
      auth: null,
    });
  }
}
