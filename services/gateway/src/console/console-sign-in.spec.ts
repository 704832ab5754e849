import { ConfigError } from '@evalvault/platform';
import { loadConfig } from '../config.js';
import { consoleConfig, consoleCsp } from './console-sign-in.js';

const ISSUER = 'https://login.acme.example/realms/eval';

describe('the console’s sign-in settings', () => {
  it('name the issuer and the console’s client from the gateway’s variables', () => {
    const { oidc } = loadConfig({
      EVALVAULT_OIDC_ISSUER: ISSUER,
      EVALVAULT_OIDC_CONSOLE_CLIENT_ID: 'evalvault-console',
    });
    expect(consoleConfig(oidc)).toEqual({
      oidc: { issuer: ISSUER, clientId: 'evalvault-console', scope: 'openid' },
    });
  });

  it('take the scopes the issuer needs to put the API audience in the token', () => {
    const { oidc } = loadConfig({
      EVALVAULT_OIDC_ISSUER: ISSUER,
      EVALVAULT_OIDC_CONSOLE_CLIENT_ID: 'console',
      EVALVAULT_OIDC_CONSOLE_SCOPE: 'openid api://evalvault/access',
    });
    expect(consoleConfig(oidc).oidc?.scope).toBe('openid api://evalvault/access');
  });

  it('say null without a console client or without OIDC: the console offers the API key only', () => {
    expect(consoleConfig(loadConfig({ EVALVAULT_OIDC_ISSUER: ISSUER }).oidc)).toEqual({ oidc: null });
    expect(consoleConfig(loadConfig({}).oidc)).toEqual({ oidc: null });
  });

  it('refuse a console client without an issuer, naming the variable', () => {
    expect(() => loadConfig({ EVALVAULT_OIDC_CONSOLE_CLIENT_ID: 'console' })).toThrow(ConfigError);
    expect(() => loadConfig({ EVALVAULT_OIDC_CONSOLE_CLIENT_ID: 'console' })).toThrow(
      /EVALVAULT_OIDC_CONSOLE_CLIENT_ID/,
    );
  });

  it('let the console’s scripts call the issuer’s origin and nothing else beyond the gateway', () => {
    const connect = (csp: string) => /connect-src ([^;]*)/.exec(csp)?.[1];
    expect(connect(consoleCsp({ oidc: { issuer: ISSUER, clientId: 'c', scope: 'openid' } }))).toBe(
      "'self' https://login.acme.example",
    );
    expect(connect(consoleCsp({ oidc: null }))).toBe("'self'");
  });
});
