import { checkEgress } from './egress.js';

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
});
