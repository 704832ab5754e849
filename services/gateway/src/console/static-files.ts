import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.map': 'application/json',
};

export interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

/**
 * The files of a folder (one level of subfolders), read once at start: only names found there are ever
 * served, so no request path reaches the file system (no traversal to guard against).
 */
export function readStaticFiles(dir: string, only?: (name: string) => boolean): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(dir)) return files;
  const visit = (folder: string, prefix: string, depth: number): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) {
        if (depth < 1) visit(path, `${prefix}${name}/`, depth + 1);
        continue;
      }
      const type = TYPES[extname(name)];
      if (!type || (only && !only(`${prefix}${name}`))) continue;
      const body = readFileSync(path);
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
      files.set(`${prefix}${name}`, { body, type, etag });
    }
  };
  visit(dir, '', 0);
  return files;
}

/** Answers a file with validators: revalidated on every use (no-cache), a 304 when unchanged. */
export function sendStatic(
  request: FastifyRequest,
  reply: FastifyReply,
  file: StaticFile,
  headers: Record<string, string>,
): FastifyReply {
  void reply.headers({ ...headers, 'cache-control': 'no-cache', etag: file.etag, 'x-content-type-options': 'nosniff' });
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.type(file.type).send(file.body);
}
