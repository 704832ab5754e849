import { ApiClient } from './api/api-client.js';
import { RunsApi } from './api/runs-api.js';
import { authorizationFor } from './auth/authorization.js';
import { resolveConnection, type ConnectionFlags } from './config/connection.js';
import { startEmbedded, type EmbeddedLoader } from './embedded/embedded-platform.js';
import type { CliIo } from './io.js';

/** A connected command: the API client, the project it works in, and whether the platform is ours. */
export interface Session {
  client: ApiClient;
  runs: RunsApi;
  project: string;
  url: string;
  embedded: boolean;
}

export interface SessionDeps {
  loadEmbedded: EmbeddedLoader;
}

/**
 * Runs `work` against the configured server, or, when none is configured, against the
 * embedded platform started for this command alone and stopped afterwards (whatever happens).
 */
export async function withSession<T>(
  flags: ConnectionFlags,
  io: CliIo,
  deps: SessionDeps,
  work: (session: Session) => Promise<T>,
): Promise<T> {
  const connection = await resolveConnection(flags, io.env);
  if (connection) {
    const client = new ApiClient(connection.url, authorizationFor(connection));
    return work({
      client,
      runs: new RunsApi(client, connection.project),
      project: connection.project,
      url: connection.url,
      embedded: false,
    });
  }
  io.stderr.write(
    'evalvault: no server configured (EVALVAULT_URL or "evalvault login"): ' +
      'starting the embedded platform for this command\n',
  );
  const platform = await startEmbedded(deps.loadEmbedded, io.env);
  try {
    const client = new ApiClient(platform.url, async () => `Bearer ${platform.adminKey}`);
    const project = flags.project ?? io.env['EVALVAULT_PROJECT'] ?? 'default';
    return await work({ client, runs: new RunsApi(client, project), project, url: platform.url, embedded: true });
  } finally {
    await platform.stop();
  }
}
