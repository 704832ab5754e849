/**
 * The egress allow-list: destinations may only be on hosts the operator listed
 * (EVALVAULT_EGRESS_ALLOW: exact hosts, or `*.example.com` for its subdomains), and only
 * over https, except loopback hosts (local test servers). Checked when a route is created
 * and again before every request, since a webhook URL is a secret that may change.
 */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export type EgressVerdict = { allowed: true; url: URL } | { allowed: false; reason: string };

export function checkEgress(rawUrl: string, allow: readonly string[], what: string): EgressVerdict {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { allowed: false, reason: `${what} is not an absolute URL` };
  }
  const host = url.hostname.toLowerCase();
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(host))) {
    return { allowed: false, reason: `${what} must use https (host ${host})` };
  }
  if (url.username || url.password) return { allowed: false, reason: `${what} must not carry credentials in the URL` };
  if (!allow.some((entry) => hostMatches(host, entry))) {
    return { allowed: false, reason: `${what} host ${host} is not on the egress allow-list (EVALVAULT_EGRESS_ALLOW)` };
  }
  return { allowed: true, url };
}

function hostMatches(host: string, entry: string): boolean {
  const allowed = entry.toLowerCase();
  if (allowed.startsWith('*.')) return host.endsWith(allowed.slice(1)) && host.length > allowed.length - 1;
  return host === allowed;
}
