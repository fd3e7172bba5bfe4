// Sign-in. Demo mode: pick a demo user (POST /api/demo/login). OIDC mode: "Sign in with SSO"
// goes to the control plane's /auth/oidc/login, which runs the authorization-code flow with PKCE
// against the company identity provider and sends the browser back to #/sso/<hand-off>; this
// view then collects the outcome once (POST /auth/oidc/session, with the sign-in cookie): the
// verified token, or the problem in the gateway's words.

import {post} from '../api.js';
import {h, replace, field, errorBox} from '../dom.js';

export const SSO_LOGIN_PATH = '/auth/oidc/login';
const SSO_SESSION_PATH = '/auth/oidc/session';

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

export function mountSignIn(root, {config, message, handoff, onSignedIn}) {
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

  async function collect(id) {
    busy = true;
    replace(status, h('p', {class: 'state loading', role: 'status', id: 'sso-completing'}, 'Completing sign-in with SSO…'));
    try {
      const r = await post(SSO_SESSION_PATH, {handoff: id}, {anonymous: true, credentials: 'same-origin'});
      onSignedIn({token: r.token, user: r.user, roles: r.roles || [], teams: r.teams || [], expiresAt: r.expiresAt || null});
    } catch (e) {
      replace(status, h('div', {id: 'sso-error'}, errorBox(e, 'sign in with SSO')));
      const again = root.querySelector('#sso-sign-in');
      if (again) again.focus();
    } finally {
      busy = false;
    }
  }

  let body;
  if (config.identityMode === 'oidc') {
    body = h('section', {class: 'card', 'aria-labelledby': 'oidc-h'},
        h('h2', {id: 'oidc-h'}, 'Company sign-in'),
        config.ssoSignIn
            ? [h('p', {class: 'hint'}, 'You go to the company identity provider and come back signed in, with the roles and teams it gives you.'),
              h('div', {class: 'card-actions'}, h('a', {class: 'button big', id: 'sso-sign-in', href: SSO_LOGIN_PATH}, 'Sign in with SSO'))]
            : h('p', {class: 'state notice', id: 'sso-unavailable'},
                'This node accepts the company identity provider\'s tokens, but browser sign-in is not configured here ',
                '(identity.oidc.redirectUri). Ask whoever runs Airlock.'));
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
    ];
  }

  replace(root,
      h('div', {class: 'signin'},
          h('h1', {}, 'Sign in to Airlock'),
          h('p', {class: 'lede'}, 'Time-boxed, approved, masked and watermarked access to client data.'),
          status,
          body));
  const first = root.querySelector('.user-choice, #sso-sign-in');
  if (first) first.focus();
  if (handoff) collect(handoff);
  return () => {};
}
