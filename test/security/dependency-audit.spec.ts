import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * `npm run deps:audit` against a local registry that answers npm's bulk advisory request
 * (`POST /-/npm/v1/security/advisories/bulk`, a gzipped `{name: [versions]}` body, answered with
 * `{name: [{id, url, title, severity, vulnerable_versions, cwe, cvss}]}`) the way the public
 * registry documents it. The advisories name pino, a production dependency, at its installed version.
 */
const SCRIPT = join(process.cwd(), 'scripts', 'dependency-audit.mjs');
const PINO = (
  JSON.parse(readFileSync(join(process.cwd(), 'node_modules/pino/package.json'), 'utf8')) as {
    version: string;
  }
).version;
const GHSA = 'GHSA-abcd-efgh-ijkm';

type Advisory = { severity: string; url?: string };
interface Registry {
  advisories: Advisory[] | 'refuse';
  requests: Array<{ packages: Record<string, string[]>; encoding: string | undefined }>;
}

function advisoryServer(registry: Registry): Server {
  return createServer((request, response) => {
    void body(request).then((raw) => {
      if (request.method !== 'POST' || request.url !== '/-/npm/v1/security/advisories/bulk') {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      if (registry.advisories === 'refuse') {
        response.writeHead(405, { allow: 'GET,HEAD' }).end();
        return;
      }
      const gzipped = request.headers['content-encoding'] === 'gzip';
      const packages = JSON.parse((gzipped ? gunzipSync(raw) : raw).toString('utf8')) as Record<string, string[]>;
      registry.requests.push({ packages, encoding: request.headers['content-encoding'] });
      const answer = registry.advisories.map((advisory, index) => ({
        id: 1_000_000 + index,
        url: advisory.url ?? `https://github.com/advisories/${GHSA}`,
        title: `Test advisory ${index}`,
        severity: advisory.severity,
        vulnerable_versions: `<=${PINO}`,
        cwe: ['CWE-400'],
        cvss: { score: 7.5, vectorString: null },
      }));
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pino: answer }));
    });
  });
}

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface Outcome {
  code: number;
  output: string;
}

describe('npm run deps:audit (production dependencies, high and critical advisories, allow-list)', () => {
  const registry: Registry = { advisories: [], requests: [] };
  const server = advisoryServer(registry);
  const dir = mkdtempSync(join(tmpdir(), 'evalvault-deps-audit-'));
  let url = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    registry.requests.length = 0;
  });

  function audit(allowlist: unknown, env: Record<string, string> = {}): Promise<Outcome> {
    const name = Math.random().toString(36).slice(2);
    const file = join(dir, `allow-${name}.json`);
    writeFileSync(file, typeof allowlist === 'string' ? allowlist : JSON.stringify(allowlist));
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [SCRIPT, '--allowlist', file],
        // A cache of its own: npm keeps advisory answers, and each test's registry answers differently.
        {
          env: { ...process.env, npm_config_registry: url, npm_config_cache: join(dir, name), ...env },
          timeout: 50_000,
        },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, output: stdout + stderr }),
      );
    });
  }

  it('fails on a high advisory in a production dependency, naming it; asks with the production tree only', async () => {
    registry.advisories = [{ severity: 'high' }];
    const { code, output } = await audit([]);
    expect(code).toBe(1);
    expect(output).toContain(`FAILING   high ${GHSA} in pino`);
    expect(output).toMatch(/1 failing/);
    const [sent] = registry.requests;
    expect(sent?.encoding).toBe('gzip');
    expect(sent?.packages['pino']).toEqual([PINO]);
    expect(sent?.packages['jest']).toBeUndefined(); // --omit=dev
  }, 60_000);

  it('passes when only moderate advisories are found', async () => {
    registry.advisories = [{ severity: 'moderate' }];
    const { code, output } = await audit([]);
    expect(code).toBe(0);
    expect(output).toMatch(/0 high or critical advisories/);
  }, 60_000);

  it('passes an allow-listed advisory with its reason, and fails it again once the entry has expired', async () => {
    registry.advisories = [{ severity: 'critical' }];
    const entry = { advisory: GHSA, package: 'pino', reason: 'no fixed version yet; input never reaches it' };
    const allowed = await audit([{ ...entry, expires: '2999-01-01' }]);
    expect(allowed.code).toBe(0);
    expect(allowed.output).toContain(`allowed   critical ${GHSA} in pino`);
    expect(allowed.output).toContain('no fixed version yet');

    const expired = await audit([{ ...entry, expires: '2020-01-01' }]);
    expect(expired.code).toBe(1);
    expect(expired.output).toContain('its allow-list entry expired on 2020-01-01');
  }, 60_000);

  it('says which allow-list entries no longer match anything', async () => {
    registry.advisories = [];
    const entry = { advisory: 'GHSA-zzzz-zzzz-zzzz', package: 'pino', reason: 'was unfixed', expires: '2999-01-01' };
    const { code, output } = await audit([entry]);
    expect(code).toBe(0);
    expect(output).toContain('allow-list entry GHSA-zzzz-zzzz-zzzz (pino) matches no finding any more: remove it');
  }, 60_000);

  it('refuses a malformed allow-list with the entry and what is wrong', async () => {
    const notJson = await audit('[{');
    expect(notJson.code).toBe(2);
    expect(notJson.output).toMatch(/allow-list .* is malformed/);
    const noReason = await audit([{ advisory: GHSA, package: 'pino', expires: '2999-01-01' }]);
    expect(noReason.code).toBe(2);
    expect(noReason.output).toContain('entry 0: reason must say why');
  }, 60_000);

  it('says loudly that nothing was checked when the advisory endpoint refuses; fails only if required', async () => {
    registry.advisories = 'refuse';
    const lenient = await audit([]);
    expect(lenient.code).toBe(0);
    expect(lenient.output).toContain('dependency audit NOT RUN');
    expect(lenient.output).toContain('405');
    const required = await audit([], { EVALVAULT_AUDIT_REQUIRED: '1' });
    expect(required.code).toBe(2);
    expect(required.output).toContain('EVALVAULT_AUDIT_REQUIRED=1: failing');
  }, 60_000);
});
