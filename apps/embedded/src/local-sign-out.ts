import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { escape, PAGE_HEADERS, pageHtml } from './local-sign-in.js';

type RpInitiatedLogout = NonNullable<NonNullable<Configuration['features']>['rpInitiatedLogout']>;

/**
 * The issuer's sign-out screens (OpenID Connect RP-Initiated Logout 1.0), in place of oidc-provider's
 * development pages, which load fonts from the internet. The console sends a user here on "Sign out"
 * (`end_session_endpoint`, with the ID token as hint and its own address to come back to); the user
 * confirms, the issuer ends its session, and the next sign-in asks for the password again. The form
 * (`op.logoutForm`, with its anti-forgery field) is the provider's own.
 */
export const signOutPages: Pick<RpInitiatedLogout, 'logoutSource' | 'postLogoutSuccessSource'> = {
  logoutSource: async (ctx: KoaContextWithOIDC, form: string) => {
    const client = ctx.oidc.client?.clientId;
    respond(
      ctx,
      'Sign out of EvalVault',
      `
      <p>End your sign-in at this issuer${client ? ` (signed out of <code>${escape(client)}</code> already)` : ''}?
      The next sign-in will ask for your password again.</p>
      ${form}
      <button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button>
      <button type="submit" form="op.logoutForm">Stay signed in here</button>`,
    );
  },
  postLogoutSuccessSource: async (ctx: KoaContextWithOIDC) => {
    respond(ctx, 'Signed out', '<p>You are signed out of EvalVault at this issuer. You can close this page.</p>');
  },
};

function respond(ctx: KoaContextWithOIDC, title: string, body: string): void {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) ctx.set(name, value);
  ctx.body = pageHtml(title, body);
}
