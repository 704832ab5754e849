import { api, credential } from '../api.js';
import { h, errorBox } from '../dom.js';
import { beginSignIn, signInConfig } from '../oidc.js';

/**
 * Sign-in through the OIDC issuer the gateway names (when it names one), or by pasting an API key (or an
 * access token), checked with GET /v1/me. Either credential is kept in sessionStorage only.
 */
export function signInPage({ onSignedIn, error }) {
  const input = h('input', {
    id: 'credential',
    type: 'password',
    autocomplete: 'off',
    required: true,
    placeholder: 'evk_…',
    'aria-describedby': 'credential-help',
  });
  const status = h('div', { 'aria-live': 'polite' }, error ? errorBox(error) : null);
  const single = h('div', { class: 'signin-oidc' });
  void offerIssuer(single, status);
  const form = h(
    'form',
    {
      class: 'card signin',
      onsubmit: async (event) => {
        event.preventDefault();
        credential.set(input.value.trim());
        try {
          await api('/v1/me');
          await onSignedIn();
        } catch (failure) {
          credential.clear();
          status.replaceChildren(errorBox(failure));
        }
      },
    },
    h('h1', {}, 'Sign in'),
    single,
    h('label', { for: 'credential' }, 'API key'),
    input,
    h(
      'p',
      { id: 'credential-help', class: 'hint' },
      'Paste a project API key (evk_…) or an OIDC access token. It is kept in this tab only (session storage).',
    ),
    h('button', { type: 'submit' }, 'Sign in'),
    status,
  );
  return form;
}

/** The issuer's button, once the gateway says which issuer (nothing when it takes API keys only). */
async function offerIssuer(into, status) {
  const config = await signInConfig().catch(() => null);
  if (!config) return;
  const button = h(
    'button',
    {
      type: 'button',
      onclick: async () => {
        button.disabled = true;
        try {
          await beginSignIn(config);
        } catch (failure) {
          button.disabled = false;
          status.replaceChildren(errorBox(failure));
        }
      },
    },
    `Sign in with ${new URL(config.issuer).host}`,
  );
  into.append(button, h('p', { class: 'hint' }, 'Your organisation’s sign-in; or paste an API key below.'));
}
