// Sign-in. Demo mode: pick a demo user (POST /api/demo/login). OIDC mode: not built yet; the
// placeholder says so rather than pretending.

import {post} from '../api.js';
import {h, replace, field, errorBox} from '../dom.js';

// The demo users from config/demo/; any other id can be typed in.
const DEMO_USERS = [
  {user: 'alice', what: 'agent · payments'},
  {user: 'bob', what: 'agent · payments'},
  {user: 'carol', what: 'agent · kyc'},
  {user: 'maria', what: 'manager · payments'},
  {user: 'omar', what: 'manager · kyc'},
  {user: 'sam', what: 'security'},
  {user: 'tess', what: 'security'},
];

export function mountSignIn(root, {config, message, onSignedIn}) {
  const status = h('div', {id: 'signin-status', 'aria-live': 'polite'});
  if (message) replace(status, h('p', {class: 'state notice', role: 'alert', id: 'signin-message'}, message));

  let busy = false;
  async function signIn(user) {
    if (busy) return;
    const id = String(user || '').trim();
    if (!id) {
      replace(status, h('p', {class: 'state error', role: 'alert'}, 'Type a user id or pick one of the demo users.'));
      return;
    }
    busy = true;
    replace(status, h('p', {class: 'state loading', role: 'status'}, `Signing in as ${id}…`));
    try {
      const r = await post('/api/demo/login', {user: id}, {anonymous: true});
      onSignedIn({token: r.token, user: r.user || id, roles: r.roles || [], teams: r.teams || [], expiresAt: r.expiresAt || null});
    } catch (e) {
      replace(status, errorBox(e, `sign in as ${id}`));
    } finally {
      busy = false;
    }
  }

  let body;
  if (config.identityMode === 'oidc') {
    body = h('section', {class: 'card', 'aria-labelledby': 'oidc-h'},
        h('h2', {id: 'oidc-h'}, 'Company sign-in'),
        h('p', {class: 'state notice', id: 'oidc-placeholder'},
            'Placeholder: sign-in through the company identity provider (authorization code with PKCE) is not built into this UI yet. ',
            'This node runs in OIDC mode, so demo users are not available here.'),
        h('button', {type: 'button', disabled: true}, 'Sign in with the company identity provider (not available yet)'));
  } else {
    const other = h('input', {type: 'text', name: 'user', autocomplete: 'username', spellcheck: 'false', placeholder: 'user id'});
    const otherField = field('Another demo user id', other, 'Any user defined in config/demo/.');
    body = [
      h('section', {class: 'card', 'aria-labelledby': 'demo-h'},
          h('h2', {id: 'demo-h'}, 'Demo sign-in'),
          h('p', {class: 'hint'}, 'Demo mode: anyone on this machine may act as any staff member. Pick who you are; open more tabs to play the other roles.'),
          h('ul', {class: 'user-picker', role: 'list'},
              DEMO_USERS.map((u) => h('li', {},
                  h('button', {type: 'button', class: 'user-choice', 'data-user': u.user, onclick: () => signIn(u.user)},
                      h('strong', {}, u.user), h('span', {class: 'what'}, u.what))))),
          h('form', {class: 'inline-form', onsubmit: (e) => { e.preventDefault(); signIn(other.value); }},
              otherField.row,
              h('button', {type: 'submit'}, 'Sign in'))),
      h('section', {class: 'card muted', 'aria-labelledby': 'oidc-h'},
          h('h2', {id: 'oidc-h'}, 'Company sign-in (OIDC)'),
          h('p', {id: 'oidc-placeholder'},
              'Placeholder: in OIDC mode this page will send you through the company identity provider (authorization code with PKCE). Not built yet.')),
    ];
  }

  replace(root,
      h('div', {class: 'signin'},
          h('h1', {}, 'Sign in to Airlock'),
          h('p', {class: 'lede'}, 'Time-boxed, approved, masked and watermarked access to client data.'),
          status,
          body));
  const first = root.querySelector('.user-choice');
  if (first) first.focus();
  return () => {};
}
