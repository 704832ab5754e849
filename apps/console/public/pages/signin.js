import { api, credential } from '../api.js';
import { h, errorBox } from '../dom.js';

/** Sign-in by pasting an API key (or an access token): checked with GET /v1/me, kept in sessionStorage. */
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
