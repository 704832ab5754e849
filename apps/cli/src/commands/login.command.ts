import { ApiClient } from '../api/api-client.js';
import { ApiError } from '../api/problem.js';
import { RunsApi } from '../api/runs-api.js';
import { parseCommand, secondsOption } from '../args.js';
import { browserCommand, openInBrowser } from '../auth/browser.js';
import { signInWithBrowser } from '../auth/oidc-login.js';
import { credentialsPath, removeCredentials, writeCredentials, type StoredCredentials } from '../config/credentials.js';
import { CliError } from '../errors.js';
import { showHelp } from '../help.js';
import type { CliIo } from '../io.js';

const OPTIONS = {
  url: { type: 'string' },
  project: { type: 'string', short: 'p' },
  help: { type: 'boolean', short: 'h' },
  'api-key': { type: 'string' },
  'api-key-stdin': { type: 'boolean' },
  oidc: { type: 'boolean' },
  issuer: { type: 'string' },
  'client-id': { type: 'string' },
  scope: { type: 'string' },
  resource: { type: 'string' },
  'no-browser': { type: 'boolean' },
  timeout: { type: 'string' },
} as const;

/**
 * `evalvault login`: an API key or an OIDC sign-in, checked against the server (a read of
 * the project's runs) before anything is saved, so a typo never ends up in the file.
 */
export async function loginCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, help } = parseCommand('login', argv, OPTIONS, []);
  if (help) return showHelp(io, 'login');
  const url = values.url ?? io.env['EVALVAULT_URL'];
  if (!url) throw new CliError('usage', 'login: which server? pass --url or set EVALVAULT_URL');
  const project = values.project ?? io.env['EVALVAULT_PROJECT'] ?? 'default';
  const ways = [values['api-key'] !== undefined, values['api-key-stdin'] === true, values.oidc === true].filter(
    Boolean,
  ).length;
  if (ways !== 1) throw new CliError('usage', 'login: choose one of --api-key KEY, --api-key-stdin or --oidc');

  let credentials: StoredCredentials;
  if (values.oidc) {
    const issuer = values.issuer ?? io.env['EVALVAULT_OIDC_ISSUER'];
    if (!issuer) throw new CliError('usage', 'login --oidc: pass --issuer URL (or set EVALVAULT_OIDC_ISSUER)');
    const browser = values['no-browser'] ? null : browserCommand(io.env);
    const auth = await signInWithBrowser({
      issuer,
      clientId: values['client-id'] ?? 'evalvault-cli',
      scope: values.scope ?? 'openid offline_access',
      resource: values.resource,
      timeoutMs: secondsOption('timeout', values.timeout, 300),
      open: async (authorizationUrl) => {
        io.stderr.write(`evalvault: sign in at this address (the browser should open it):\n  ${authorizationUrl}\n`);
        if (browser && !(await openInBrowser(browser, authorizationUrl)))
          io.stderr.write(`evalvault: could not start ${browser[0]}; open the address yourself\n`);
      },
    });
    credentials = { url, project, auth };
  } else {
    const apiKey = (values['api-key'] ?? (await readAll(io.stdin))).trim();
    if (!apiKey) throw new CliError('usage', 'login: the API key is empty');
    credentials = { url, project, auth: { type: 'api_key', apiKey } };
  }
  const bearer = credentials.auth.type === 'api_key' ? credentials.auth.apiKey : credentials.auth.accessToken;
  await checkAccess(url, project, bearer);
  const path = credentialsPath(io.env);
  await writeCredentials(path, credentials);
  io.stdout.write(
    `logged in to ${url} (project ${project}, ${credentials.auth.type === 'api_key' ? 'API key' : 'OIDC'}); ` +
      `credentials saved to ${path}\n`,
  );
  return 0;
}

export async function logoutCommand(argv: string[], io: CliIo): Promise<number> {
  const { help } = parseCommand('logout', argv, { help: { type: 'boolean', short: 'h' } }, []);
  if (help) return showHelp(io, 'logout');
  const path = credentialsPath(io.env);
  io.stdout.write((await removeCredentials(path)) ? `removed ${path}\n` : 'no saved credentials\n');
  return 0;
}

async function checkAccess(url: string, project: string, bearer: string): Promise<void> {
  try {
    await new RunsApi(new ApiClient(url, async () => `Bearer ${bearer}`), project).list({}, 1);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401)
      throw new CliError('auth', `the server refused the credentials: ${error.detail ?? error.title}`);
    if (error instanceof ApiError && error.status === 403)
      throw new CliError(
        'auth',
        `the credentials are valid but may not read project ${project}: ${error.detail ?? error.title}`,
      );
    throw error;
  }
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}
