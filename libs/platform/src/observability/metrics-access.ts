import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

export type MetricsAccess = { allowed: true } | { allowed: false; status: 401 | 403; reason: string };

/**
 * Who may scrape /metrics. Event volumes, consumer lag and process internals are for the
 * operator, not for whoever reaches a service's port: with METRICS_TOKEN set, a scrape needs
 * `Authorization: Bearer <token>`; without it, only clients on this machine (loopback) are
 * answered, which is what the embedded platform and a sidecar or node-local scraper need.
 */
export function metricsAccess(clientIp: string, authorization: string | undefined, token?: string): MetricsAccess {
  if (token) {
    const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '';
    return sameSecret(presented, token)
      ? { allowed: true }
      : { allowed: false, status: 401, reason: 'scraping /metrics needs Authorization: Bearer <METRICS_TOKEN>' };
  }
  return isLoopback(clientIp)
    ? { allowed: true }
    : {
        allowed: false,
        status: 403,
        reason: '/metrics answers only this machine; set METRICS_TOKEN to let a remote scraper in with that token',
      };
}

export function isLoopback(ip: string): boolean {
  const address = ip.startsWith('::ffff:') ? ip.slice('::ffff:'.length) : ip;
  if (isIP(address) === 4) return address.startsWith('127.');
  return address === '::1';
}

function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
