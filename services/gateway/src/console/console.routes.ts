import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { consoleCsp, type ConsoleConfig } from './console-sign-in.js';
import { readStaticFiles, sendStatic } from './static-files.js';

/** The console's static files (apps/console/public), the same path from src (tests) and dist. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../../../apps/console/public/', import.meta.url));

/** Swagger UI sets inline styles on its elements. */
const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
const SECURITY = { 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' };

const SWAGGER_FILES = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png']);

/**
 * The gate-rule parser's compiled modules (libs/evaluation, free of Node imports): the submit page parses
 * rules as they are typed with the very code the runs service parses them with, not a copy.
 */
const GATE_RULE_MODULES = new Set([
  'gate-rule.js',
  'gate-rule.parser.js',
  'gate-rule.errors.js',
  'gate-rule.tokenizer.js',
]);
const gateRulesDir = (): string =>
  join(dirname(createRequire(import.meta.url).resolve('@evalvault/evaluation')), 'gates');

/**
 * The web console at `/` (static ES modules that call only the public /v1 API and, to sign in, the OIDC
 * issuer), its sign-in settings at /console/config.json, and the interactive API reference's assets under
 * /docs/assets (Swagger UI from the swagger-ui-dist package, nothing from a CDN). Scripts and styles come
 * from the gateway alone; the console is never framed (see consoleCsp).
 */
export function installConsole(fastify: FastifyInstance, config: ConsoleConfig, dir = CONSOLE_DIR): void {
  const files = readStaticFiles(dir);
  const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const swagger = readStaticFiles(swaggerDir, (name) => SWAGGER_FILES.has(name));
  const gateRules = readStaticFiles(gateRulesDir(), (name) => GATE_RULE_MODULES.has(name));
  const headers = { ...SECURITY, 'content-security-policy': consoleCsp(config) };

  fastify.get('/', { schema: { hide: true } }, async (request, reply) => {
    const index = files.get('index.html');
    if (!index) return reply.code(404).type('text/plain').send('the web console is not installed (apps/console)');
    return sendStatic(request, reply, index, headers);
  });
  // A static route wins over the wildcard below. Read at every page load: never cached.
  fastify.get('/console/config.json', { schema: { hide: true } }, async (_request, reply) =>
    reply.headers({ ...SECURITY, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).send(config),
  );
  fastify.get('/console/*', { schema: { hide: true } }, async (request, reply) => {
    const name = (request.params as { '*': string })['*'];
    const file = name.startsWith('lib/gates/') ? gateRules.get(name.slice('lib/gates/'.length)) : files.get(name);
    if (!file) return reply.code(404).type('text/plain').send('no such file');
    return sendStatic(request, reply, file, headers);
  });
  fastify.get('/docs/assets/*', { schema: { hide: true } }, async (request, reply) => {
    const name = (request.params as { '*': string })['*'];
    const file = swagger.get(name) ?? files.get(`docs/${name}`);
    if (!file) return reply.code(404).type('text/plain').send('no such file');
    return sendStatic(request, reply, file, { ...SECURITY, 'content-security-policy': DOCS_CSP });
  });
}

/** The page /docs answers a browser with: Swagger UI over /openapi.json. */
export const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>EvalVault Platform API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" href="/docs/assets/favicon-32x32.png"></head>
<body><main id="swagger-ui" aria-label="API reference"></main>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/docs-init.js"></script></body></html>`;

export const DOCS_HEADERS = { ...SECURITY, 'content-security-policy': DOCS_CSP, 'cache-control': 'no-cache' };

/** A browser asks for HTML first; fetch, curl and client generators ask for JSON or anything. */
export function wantsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = accept.indexOf('text/html');
  const json = accept.indexOf('application/json');
  return html >= 0 && (json < 0 || html < json);
}
