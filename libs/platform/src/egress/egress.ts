import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * The egress control, in two steps.
 *
 * 1. Names (checkEgress, when a route is created and before every request): a destination may
 *    only be on a host the operator listed (EVALVAULT_EGRESS_ALLOW: exact hosts or IP addresses,
 *    or `*.example.com` for its subdomains; a wildcard never matches an IP address), only over
 *    https, except a host that is literally loopback (`127.0.0.1`, `::1`, `localhost`: local
 *    test servers), and without credentials in the URL.
 * 2. Addresses (resolveEgress, before every request): a host name is resolved (every address,
 *    node:dns unless a lookup is given) and refused if ANY address is loopback, private,
 *    link-local (with cloud metadata 169.254.169.254), carrier-grade NAT, site-local, or one of
 *    those as IPv4-mapped (`::ffff:127.0.0.1`), IPv4-compatible or NAT64 IPv6, unless the
 *    operator allowed its range explicitly (EVALVAULT_EGRESS_ALLOW_PRIVATE: CIDRs or exact
 *    addresses, default none). The unspecified address, multicast and reserved/broadcast are
 *    refused whatever is allowed. The request then connects to exactly the addresses checked
 *    (the notifier's http-call.ts pins them; nothing is resolved twice), so a DNS answer that changes between
 *    the check and the connection (rebinding) reaches nothing new.
 *
 * Explicit permissions: an IP address written in EVALVAULT_EGRESS_ALLOW is itself the permission
 * for that one address (a URL on `127.0.0.1` listed as such is delivered, as local tests do); an
 * exact `localhost` entry permits the loopback addresses `localhost` resolves to. A NAME matched
 * by the list (exactly or by a wildcard) that resolves to a forbidden address is refused unless
 * EVALVAULT_EGRESS_ALLOW_PRIVATE covers that address.
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export type EgressVerdict = { allowed: true; url: URL } | { allowed: false; reason: string };

/** The address(es) a request may connect to, all checked; `hostname` stays the URL's name (Host header, TLS name). */
export type ResolvedEgress =
  | { allowed: true; url: URL; hostname: string; addresses: LookupAddress[] }
  | { allowed: false; reason: string };

/** Every address a host name resolves to; node:dns by default, a stand-in in tests. */
export type EgressLookup = (hostname: string) => Promise<readonly LookupAddress[]>;

export const systemLookup: EgressLookup = (hostname) => dnsLookup(hostname, { all: true, order: 'verbatim' });

export interface EgressPolicy {
  /** EVALVAULT_EGRESS_ALLOW. */
  allow: readonly string[];
  /** EVALVAULT_EGRESS_ALLOW_PRIVATE, parsed by parseAddressRanges. */
  allowPrivate: BlockList;
}

export type RangeKind =
  | 'unspecified'
  | 'loopback'
  | 'link-local'
  | 'private'
  | 'carrier-grade NAT'
  | 'IETF protocol assignments'
  | 'benchmarking'
  | 'site-local'
  | 'multicast'
  | 'reserved or broadcast'
  | 'IPv4-compatible IPv6';

/** Where an address is not a public destination; `always`: no setting lets it through. */
export interface ForbiddenRange {
  kind: RangeKind;
  always: boolean;
}

interface AddressRange extends ForbiddenRange {
  list: BlockList;
}

/**
 * A BlockList of the subnets; IPv4 ones also inside the NAT64 prefix 64:ff9b::/96 (IPv4-mapped forms
 * BlockList matches itself).
 */
function range(kind: RangeKind, always: boolean, subnets: readonly string[]): AddressRange {
  const list = new BlockList();
  for (const subnet of subnets) {
    const [address, prefix] = subnet.split('/') as [string, string];
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(address, Number(prefix), family);
    if (family === 'ipv4') list.addSubnet(`64:ff9b::${address}`, 96 + Number(prefix), 'ipv6');
  }
  return { kind, always, list };
}

/** The forbidden ranges, the most specific first (`::` and `::1` before the rest of ::/96). */
const FORBIDDEN: readonly AddressRange[] = [
  range('unspecified', true, ['0.0.0.0/8', '::/128']),
  range('loopback', false, ['127.0.0.0/8', '::1/128']),
  range('link-local', false, ['169.254.0.0/16', 'fe80::/10']),
  range('private', false, ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']),
  range('carrier-grade NAT', false, ['100.64.0.0/10']),
  range('IETF protocol assignments', false, ['192.0.0.0/24']),
  range('benchmarking', false, ['198.18.0.0/15']),
  range('site-local', false, ['fec0::/10']),
  range('multicast', true, ['224.0.0.0/4', 'ff00::/8']),
  range('reserved or broadcast', true, ['240.0.0.0/4']),
  range('IPv4-compatible IPv6', true, ['::/96']),
];

const familyOf = (address: string): 'ipv4' | 'ipv6' | null => {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : null;
};

/** The forbidden range an address lies in, or null for a public address (or not an address at all: see familyOf). */
export function forbiddenRange(address: string): ForbiddenRange | null {
  const family = familyOf(address);
  if (!family) return null;
  const found = FORBIDDEN.find((candidate) => candidate.list.check(address, family));
  return found ? { kind: found.kind, always: found.always } : null;
}

/**
 * EVALVAULT_EGRESS_ALLOW_PRIVATE: CIDRs (`10.20.0.0/16`, `fd00::/8`) or exact addresses
 * (`127.0.0.1`, `::1`). Throws naming the first entry that is neither.
 */
export function parseAddressRanges(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.trim().split('/');
    const family = familyOf(address);
    const bits = prefix === undefined ? null : Number(prefix);
    const max = family === 'ipv4' ? 32 : 128;
    if (!family || extra !== undefined || (bits !== null && !(/^\d+$/.test(prefix!) && bits <= max)))
      throw new Error(`"${entry}" is not an IP address or CIDR range`);
    if (bits === null) list.addAddress(address, family);
    else list.addSubnet(address, bits, family);
  }
  return list;
}

/** Step 1: the URL alone, against the host names (and addresses) on the allow-list. */
export interface EgressCheckOptions {
  /**
   * Plain http to a host listed exactly (not by a wildcard) in the allow-list, as well as to loopback:
   * for servers inside the deployment's own network (an in-cluster model server), never for vendors.
   */
  plainHttpToListedHosts?: boolean;
}

export function checkEgress(
  rawUrl: string,
  allow: readonly string[],
  what: string,
  options: EgressCheckOptions = {},
): EgressVerdict {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { allowed: false, reason: `${what} is not an absolute URL` };
  }
  const host = url.hostname.toLowerCase();
  const plainHttpAllowed =
    LOOPBACK_HOSTS.has(host) ||
    (options.plainHttpToListedHosts === true &&
      allow.some((entry) => !entry.startsWith('*.') && hostMatches(host, entry)));
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && plainHttpAllowed)) {
    return { allowed: false, reason: `${what} must use https (host ${host})` };
  }
  if (url.username || url.password) return { allowed: false, reason: `${what} must not carry credentials in the URL` };
  if (!allow.some((entry) => hostMatches(host, entry))) {
    return { allowed: false, reason: `${what} host ${host} is not on the egress allow-list (EVALVAULT_EGRESS_ALLOW)` };
  }
  return { allowed: true, url };
}

/**
 * Steps 1 and 2: the URL, then every address its host resolves to. A lookup failure (no such
 * name, DNS down) is thrown as is: that is not a refusal, it may pass on a later attempt.
 */
export async function resolveEgress(
  rawUrl: string,
  policy: EgressPolicy,
  what: string,
  lookup: EgressLookup = systemLookup,
  options: EgressCheckOptions = {},
): Promise<ResolvedEgress> {
  const verdict = checkEgress(rawUrl, policy.allow, what, options);
  if (!verdict.allowed) return verdict;
  const { url } = verdict;
  const hostname = bare(url.hostname.toLowerCase());
  const literal = familyOf(hostname);
  if (literal) {
    // Listed as an address in EVALVAULT_EGRESS_ALLOW (checkEgress matched it exactly): explicit.
    const range = forbiddenRange(hostname);
    if (range?.always) return refused(what, `host ${hostname}`, range);
    return { allowed: true, url, hostname, addresses: [{ address: hostname, family: literal === 'ipv4' ? 4 : 6 }] };
  }
  const addresses = [...(await lookup(hostname))];
  if (addresses.length === 0) throw Object.assign(new Error(`${hostname} has no address`), { code: 'ENODATA' });
  for (const { address } of addresses) {
    const family = familyOf(address);
    if (!family)
      return { allowed: false, reason: `${what} host ${hostname} resolves to "${address}", not an IP address` };
    const range = forbiddenRange(address);
    if (!range) continue;
    if (!range.always && range.kind === 'loopback' && hostname === 'localhost') continue;
    if (range.always || !policy.allowPrivate.check(address, family))
      return refused(what, `host ${hostname} resolves to ${address}`, range);
  }
  return { allowed: true, url, hostname, addresses };
}

function refused(what: string, subject: string, range: ForbiddenRange): ResolvedEgress {
  const article = /^[aeiIou]/.test(range.kind) ? 'an' : 'a';
  const metadata = range.kind === 'link-local' ? ' (where cloud metadata services answer)' : '';
  const rule = range.always
    ? 'never a destination'
    : 'refused unless that address is allowed (EVALVAULT_EGRESS_ALLOW_PRIVATE)';
  return { allowed: false, reason: `${what} ${subject}, ${article} ${range.kind} address${metadata}: ${rule}` };
}

const bare = (hostname: string): string =>
  hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;

function hostMatches(host: string, entry: string): boolean {
  const allowed = entry.toLowerCase();
  if (allowed.startsWith('*.'))
    return !familyOf(bare(host)) && host.endsWith(allowed.slice(1)) && host.length > allowed.length - 1;
  if (familyOf(bare(host))) return sameAddress(bare(host), bare(allowed));
  return host === allowed;
}

/** IP literals compared in the URL parser's normal form (`0:0::1` is `::1`). */
function sameAddress(host: string, entry: string): boolean {
  if (!familyOf(entry)) return false;
  try {
    const normal = (address: string): string =>
      new URL(`http://${familyOf(address) === 'ipv6' ? `[${address}]` : address}/`).hostname;
    return normal(host) === normal(entry);
  } catch {
    return false;
  }
}
