import { loadConfig } from './config.js';

describe('notifier configuration: egress', () => {
  it('allows no private address by default, and reads EVALVAULT_EGRESS_ALLOW_PRIVATE as CIDRs and addresses', () => {
    expect(loadConfig({}).egressAllowPrivate).toEqual([]);
    expect(
      loadConfig({ EVALVAULT_EGRESS_ALLOW_PRIVATE: '10.20.0.0/16, 127.0.0.1,fd00::/8' }).egressAllowPrivate,
    ).toEqual(['10.20.0.0/16', '127.0.0.1', 'fd00::/8']);
  });

  it('refuses to start on an entry that is neither an address nor a CIDR', () => {
    expect(() => loadConfig({ EVALVAULT_EGRESS_ALLOW_PRIVATE: '10.0.0.0/8,intranet.corp' })).toThrow(
      'invalid configuration: EVALVAULT_EGRESS_ALLOW_PRIVATE "intranet.corp" is not an IP address or CIDR range',
    );
  });
});
