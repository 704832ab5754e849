import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliError } from '../errors.js';

export interface LoopbackRedirect {
  /** http://127.0.0.1:<port>/callback — registered by native apps per RFC 8252 §7.3 (any port). */
  redirectUri: string;
  /** Resolves with the authorization code once the browser comes back with the expected state. */
  code: Promise<string>;
  close(): Promise<void>;
}

const PAGE = (message: string): string =>
  `<!doctype html><meta charset="utf-8"><title>evalvault</title><p style="font-family:sans-serif">${message}</p>`;

/**
 * A one-shot HTTP listener on the loopback interface that receives the authorization
 * response. A redirect with the wrong state is refused and ignored (it is not ours); an
 * error from the issuer ends the login with its description.
 */
export async function listenForRedirect(expectedState: string, timeoutMs: number): Promise<LoopbackRedirect> {
  let settle!: { resolve: (code: string) => void; reject: (error: Error) => void };
  const code = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  code.catch(() => undefined); // a refusal may arrive before the caller awaits it; the caller still sees it
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') return void response.writeHead(404).end();
    const reply = (status: number, message: string) =>
      response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE(message));
    if (url.searchParams.get('state') !== expectedState)
      return reply(400, 'This sign-in link is not the one evalvault is waiting for.');
    const error = url.searchParams.get('error');
    if (error) {
      reply(400, 'Sign-in failed; see the terminal.');
      const description = url.searchParams.get('error_description');
      return settle.reject(
        new CliError('auth', `the issuer refused the sign-in: ${error}${description ? `: ${description}` : ''}`),
      );
    }
    const received = url.searchParams.get('code');
    if (!received) return reply(400, 'The sign-in response has no code.');
    reply(200, 'Signed in to evalvault. You can close this window.');
    settle.resolve(received);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  const timer = setTimeout(
    () => settle.reject(new CliError('timeout', `no sign-in within ${Math.round(timeoutMs / 1000)} s`)),
    timeoutMs,
  );
  return {
    redirectUri: `http://127.0.0.1:${port}/callback`,
    code,
    close: () => {
      clearTimeout(timer);
      return closeServer(server);
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
