import { isLoopback, metricsAccess } from './metrics-access.js';

describe('metricsAccess', () => {
  it('tells loopback addresses from the rest, IPv4-mapped forms included', () => {
    for (const ip of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(isLoopback(ip)).toBe(true);
    for (const ip of ['10.0.0.1', '192.0.2.2', '::ffff:10.0.0.1', 'fd00::2', '0.0.0.0', '']) {
      expect(isLoopback(ip)).toBe(false);
    }
  });

  it('needs the exact token once one is set', () => {
    expect(metricsAccess('203.0.113.1', 'Bearer t0ken', 't0ken')).toEqual({ allowed: true });
    expect(metricsAccess('203.0.113.1', 'bearer t0ken', 't0ken')).toEqual({ allowed: true });
    expect(metricsAccess('127.0.0.1', 'Bearer t0ke', 't0ken')).toMatchObject({ allowed: false, status: 401 });
    expect(metricsAccess('127.0.0.1', 'Basic t0ken', 't0ken')).toMatchObject({ allowed: false, status: 401 });
  });
});
