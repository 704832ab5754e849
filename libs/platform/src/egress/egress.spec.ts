import { jest } from '@jest/globals';
import { checkEgress, forbiddenRange, parseAddressRanges, resolveEgress, type EgressLookup } from './egress.js';

describe('egress allow-list', () => {
  const allow = ['acme.atlassian.net', '*.slack.com', '127.0.0.1'];

  it('allows listed hosts over https, subdomains of a wildcard, and loopback over http', () => {
    expect(checkEgress('https://acme.atlassian.net/rest', allow, 'baseUrl').allowed).toBe(true);
    expect(checkEgress('https://hooks.slack.com/services/T/B/X', allow, 'webhook').allowed).toBe(true);
    expect(checkEgress('http://127.0.0.1:4010/hook', allow, 'webhook').allowed).toBe(true);
  });

  it('refuses other hosts, plain http off loopback, the bare wildcard domain and URLs with credentials', () => {
    expect(checkEgress('https://evil.example.com/', allow, 'baseUrl')).toEqual({
      allowed: false,
      reason: 'baseUrl host evil.example.com is not on the egress allow-list (EVALVAULT_EGRESS_ALLOW)',
    });
    expect(checkEgress('http://acme.atlassian.net/', allow, 'baseUrl')).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('https'),
    });
    expect(checkEgress('https://slack.com/', allow, 'webhook').allowed).toBe(false);
    expect(checkEgress('https://attacker.com?x=.slack.com', allow, 'webhook').allowed).toBe(false);
    expect(checkEgress('https://u:p@acme.atlassian.net/', allow, 'baseUrl').allowed).toBe(false);
    expect(checkEgress('not a url', allow, 'baseUrl').allowed).toBe(false);
    expect(checkEgress('https://acme.atlassian.net/', [], 'baseUrl').allowed).toBe(false);
  });

  it('allows plain http to a host listed exactly only when asked to (in-cluster servers), never by a wildcard', () => {
    const inCluster = { plainHttpToListedHosts: true };
    expect(checkEgress('http://acme.atlassian.net/', allow, 'baseUrl', inCluster).allowed).toBe(true);
    expect(checkEgress('http://hooks.slack.com/', allow, 'webhook', inCluster).allowed).toBe(false);
    expect(checkEgress('http://other.example.com/', allow, 'baseUrl', inCluster)).toEqual({
      allowed: false,
      reason: 'baseUrl must use https (host other.example.com)',
    });
  });
});

describe('egress address classification', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.5', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456:789a::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['192.0.0.170', 'IETF protocol assignments'],
    ['198.18.0.1', 'benchmarking'],
    ['fec0::1', 'site-local'],
    // IPv4-mapped IPv6, written dotted or in hex, and NAT64 (64:ff9b::/96) forms of the IPv4 ranges.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:10.0.0.5', 'private'],
    ['::ffff:192.168.0.1', 'private'],
    ['::ffff:100.64.0.1', 'carrier-grade NAT'],
    ['64:ff9b::169.254.169.254', 'link-local'],
    ['64:ff9b::7f00:1', 'loopback'],
  ])('%s is %s, refused unless explicitly allowed', (address, kind) => {
    expect(forbiddenRange(address)).toEqual({ kind, always: false });
  });

  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['::ffff:224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved or broadcast'],
    ['240.0.0.1', 'reserved or broadcast'],
    ['::127.0.0.1', 'IPv4-compatible IPv6'],
  ])('%s is %s, never a destination', (address, kind) => {
    expect(forbiddenRange(address)).toEqual({ kind, always: true });
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '11.0.0.1',
    '172.15.255.255',
    '172.32.0.1',
    '192.169.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '169.253.255.255',
    '169.255.0.1',
    '126.255.255.255',
    '128.0.0.1',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2a00:1450:4001::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('%s is public', (address) => {
    expect(forbiddenRange(address)).toBeNull();
  });

  it('parses EVALVAULT_EGRESS_ALLOW_PRIVATE entries: CIDRs and exact addresses, and names the first bad one', () => {
    const ranges = parseAddressRanges(['10.20.0.0/16', '127.0.0.1', 'fd00::/8', '::1']);
    expect(ranges.check('10.20.3.4', 'ipv4')).toBe(true);
    expect(ranges.check('10.21.0.1', 'ipv4')).toBe(false);
    expect(ranges.check('127.0.0.1', 'ipv4')).toBe(true);
    expect(ranges.check('127.0.0.2', 'ipv4')).toBe(false);
    expect(ranges.check('fd00::5', 'ipv6')).toBe(true);
    expect(ranges.check('::1', 'ipv6')).toBe(true);
    expect(ranges.check('::ffff:10.20.0.9', 'ipv6')).toBe(true);
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/8/1', '10.0.0.0/x', 'intranet', '*.corp', ''])
      expect(() => parseAddressRanges(['127.0.0.1', bad])).toThrow(`"${bad}" is not an IP address or CIDR range`);
  });
});

describe('egress by resolved address', () => {
  const wildcard = ['*.example.com'];
  const none = parseAddressRanges([]);
  const answers =
    (...addresses: string[]): EgressLookup =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  const neverResolve: EgressLookup = () => {
    throw new Error('resolved although no name needed resolving');
  };
  const url = 'https://rebind.hooks.example.com/services/T/B/secret-path';

  it.each([
    ['169.254.169.254', 'a link-local address (where cloud metadata services answer)'],
    ['10.0.0.5', 'a private address'],
    ['127.0.0.1', 'a loopback address'],
    ['::ffff:169.254.169.254', 'a link-local address (where cloud metadata services answer)'],
    ['fd00::1', 'a private address'],
    ['100.100.100.200', 'a carrier-grade NAT address'],
  ])('refuses a wildcard-allowed name resolving to %s, naming the host and the address', async (address, what) => {
    const verdict = await resolveEgress(url, { allow: wildcard, allowPrivate: none }, 'webhook', answers(address));
    expect(verdict).toEqual({
      allowed: false,
      reason:
        `webhook host rebind.hooks.example.com resolves to ${address}, ${what}: ` +
        'refused unless that address is allowed (EVALVAULT_EGRESS_ALLOW_PRIVATE)',
    });
  });

  it('refuses when ANY of the addresses is forbidden, wherever it is in the answer', async () => {
    for (const addresses of [
      ['93.184.215.14', '169.254.169.254'],
      ['169.254.169.254', '93.184.215.14'],
      ['2606:2800:21f:cb07:6820:80da:af6b:8b2c', '::1'],
    ]) {
      const verdict = await resolveEgress(
        url,
        { allow: wildcard, allowPrivate: none },
        'webhook',
        answers(...addresses),
      );
      expect(verdict.allowed).toBe(false);
    }
  });

  it('allows public addresses, and answers every address it checked (what the request connects to)', async () => {
    const verdict = await resolveEgress(
      url,
      { allow: wildcard, allowPrivate: none },
      'webhook',
      answers('93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'),
    );
    expect(verdict).toMatchObject({
      allowed: true,
      hostname: 'rebind.hooks.example.com',
      addresses: [
        { address: '93.184.215.14', family: 4 },
        { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
      ],
    });
  });

  it('lets a private address through only when EVALVAULT_EGRESS_ALLOW_PRIVATE covers it', async () => {
    const policy = { allow: wildcard, allowPrivate: parseAddressRanges(['10.0.0.0/8', '127.0.0.1']) };
    expect((await resolveEgress(url, policy, 'webhook', answers('10.0.0.5'))).allowed).toBe(true);
    expect((await resolveEgress(url, policy, 'webhook', answers('::ffff:10.0.0.5'))).allowed).toBe(true);
    expect((await resolveEgress(url, policy, 'webhook', answers('127.0.0.1'))).allowed).toBe(true);
    expect((await resolveEgress(url, policy, 'webhook', answers('127.0.0.2'))).allowed).toBe(false);
    expect((await resolveEgress(url, policy, 'webhook', answers('169.254.169.254'))).allowed).toBe(false);
    expect((await resolveEgress(url, policy, 'webhook', answers('10.0.0.5', '192.168.0.1'))).allowed).toBe(false);
  });

  it('never lets the unspecified address, multicast or broadcast through, whatever is allowed', async () => {
    const policy = { allow: wildcard, allowPrivate: parseAddressRanges(['0.0.0.0/0', '::/0']) };
    expect(await resolveEgress(url, policy, 'webhook', answers('0.0.0.0'))).toEqual({
      allowed: false,
      reason: 'webhook host rebind.hooks.example.com resolves to 0.0.0.0, an unspecified address: never a destination',
    });
    for (const address of ['224.0.0.1', 'ff02::1', '255.255.255.255', '::'])
      expect((await resolveEgress(url, policy, 'webhook', answers(address))).allowed).toBe(false);
    expect((await resolveEgress(url, policy, 'webhook', answers('169.254.169.254'))).allowed).toBe(true);
  });

  it('takes an address listed in EVALVAULT_EGRESS_ALLOW as explicit, without resolving anything', async () => {
    const policy = { allow: ['127.0.0.1', '::1', '10.1.2.3'], allowPrivate: none };
    expect(await resolveEgress('http://127.0.0.1:4010/hook', policy, 'webhook', neverResolve)).toMatchObject({
      allowed: true,
      hostname: '127.0.0.1',
      addresses: [{ address: '127.0.0.1', family: 4 }],
    });
    expect(await resolveEgress('http://[::1]:4010/hook', policy, 'webhook', neverResolve)).toMatchObject({
      allowed: true,
      hostname: '::1',
      addresses: [{ address: '::1', family: 6 }],
    });
    expect((await resolveEgress('https://10.1.2.3/rest', policy, 'baseUrl', neverResolve)).allowed).toBe(true);
    // Another spelling of a listed address is the same address; an unlisted one is refused.
    expect((await resolveEgress('http://[0:0::1]:4010/', policy, 'webhook', neverResolve)).allowed).toBe(true);
    expect((await resolveEgress('https://10.1.2.4/rest', policy, 'baseUrl', neverResolve)).allowed).toBe(false);
    expect((await resolveEgress('https://[::ffff:a9fe:a9fe]/', policy, 'baseUrl', neverResolve)).allowed).toBe(false);
  });

  it('never matches an IP address with a wildcard entry', () => {
    expect(checkEgress('http://127.0.0.1/', ['*.0.0.1'], 'webhook').allowed).toBe(false);
    expect(checkEgress('https://169.254.169.254/', ['*.169.254'], 'webhook').allowed).toBe(false);
  });

  it('lets a listed localhost resolve to loopback only', async () => {
    const policy = { allow: ['localhost'], allowPrivate: none };
    expect(
      (await resolveEgress('http://localhost:4010/', policy, 'webhook', answers('127.0.0.1', '::1'))).allowed,
    ).toBe(true);
    expect(await resolveEgress('http://localhost:4010/', policy, 'webhook', answers('10.0.0.5'))).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('host localhost resolves to 10.0.0.5, a private address'),
    });
    expect((await resolveEgress('http://sub.localhost:4010/', policy, 'webhook', answers('127.0.0.1'))).allowed).toBe(
      false,
    );
  });

  it('resolves only hosts on the allow-list; passes a lookup failure on (worth retrying, not a refusal)', async () => {
    const lookup = jest.fn<EgressLookup>(answers('93.184.215.14'));
    await resolveEgress('https://evil.example.org/', { allow: wildcard, allowPrivate: none }, 'webhook', lookup);
    expect(lookup).not.toHaveBeenCalled();
    const missing: EgressLookup = () => Promise.reject(Object.assign(new Error('no such name'), { code: 'ENOTFOUND' }));
    await expect(resolveEgress(url, { allow: wildcard, allowPrivate: none }, 'webhook', missing)).rejects.toMatchObject(
      {
        code: 'ENOTFOUND',
      },
    );
    await expect(
      resolveEgress(url, { allow: wildcard, allowPrivate: none }, 'webhook', answers()),
    ).rejects.toMatchObject({ code: 'ENODATA' });
  });
});
