// Shell: session, navigation by role, the one event stream, and which view is mounted.
// Routes are hash fragments naming a view (#/agent, #/approvals, #/security); nothing secret
// ever goes into the URL. #/sso/<id> is where single sign-on lands: <id> is a one-time hand-off
// that only this browser can redeem (see views/signin.js), and it leaves the address bar at once.

import {config, currentSession, hasRole, onSessionExpired, setSession, takeExpiredBeforeLoad} from './api.js';
import {EventStream} from './sse.js';
import {h, replace, announce} from './dom.js';
import {mountSignIn} from './views/signin.js';
import {mountAgent} from './views/agent.js';
import {mountApprovals} from './views/approvals.js';
import {mountSecurity} from './views/security.js';

const ROUTES = {
  agent: {title: 'My access', mount: mountAgent, role: 'agent'},
  approvals: {title: 'Approvals', mount: mountApprovals, role: ['manager', 'security']},
  security: {title: 'Security', mount: mountSecurity, role: 'security'},
};

const events = new EventStream();
let unmount = null;
let expiryTimer = null;
let signInMessage = null;

function homeFor() {
  if (hasRole('security')) return 'security';
  if (hasRole('manager')) return 'approvals';
  return 'agent';
}

function currentRoute() {
  const m = /^#\/([a-z]+)/.exec(location.hash);
  return m ? m[1] : '';
}

function go(name) {
  if (currentRoute() === name) render();
  else location.hash = `#/${name}`;
}

function allowed(route) {
  const roles = Array.isArray(route.role) ? route.role : [route.role];
  return roles.some(hasRole);
}

function renderNav(active) {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  const s = currentSession();
  if (!s) {
    replace(nav);
    replace(who);
    return;
  }
  // only the sections the user's roles are for are linked; the API still decides every call
  const links = Object.entries(ROUTES)
      .filter(([, r]) => allowed(r))
      .map(([name, r]) => h('a', {href: `#/${name}`, 'aria-current': name === active ? 'page' : null}, r.title));
  replace(nav, links);
  const live = h('span', {class: 'live', id: 'live-state', title: 'live updates', role: 'status'});
  showStreamState(live, events.state);
  replace(who,
      live,
      h('span', {class: 'user', id: 'current-user'},
          h('strong', {}, s.user),
          ` · ${(s.roles || []).join(', ')}`,
          s.teams && s.teams.length ? ` · ${s.teams.join(', ')}` : ''),
      h('button', {type: 'button', class: 'secondary', id: 'sign-out', onclick: signOut}, 'Sign out'));
}

function showStreamState(el, st) {
  el.textContent = st === 'live' ? '● live' : st === 'stopped' ? '○ offline' : `◌ ${st}…`;
  el.className = `live live-${st}`;
}

events.onState((st) => {
  const el = document.getElementById('live-state');
  if (el) showStreamState(el, st);
});

function signOut() {
  endSession(null);
}

function endSession(message) {
  clearTimeout(expiryTimer);
  events.stop();
  setSession(null);
  signInMessage = message;
  go('signin');
}

function armExpiry() {
  clearTimeout(expiryTimer);
  const s = currentSession();
  if (!s || !s.expiresAt) return;
  const ms = Date.parse(s.expiresAt) - Date.now();
  if (!(ms > 0)) {
    endSession('Your session expired. Sign in again.');
    return;
  }
  // setTimeout takes a 32-bit delay; long sessions re-arm
  expiryTimer = setTimeout(armExpiry, Math.min(ms, 2 ** 31 - 1));
}

async function render() {
  if (unmount) {
    try { unmount(); } catch (e) { console.error(e); }
    unmount = null;
  }
  const view = document.getElementById('view');
  const cfg = await config();
  const s = currentSession();
  let name = currentRoute();
  let handoff = null;
  if (name === 'sso') {
    // read once, then out of the address bar and the history entry
    const m = /^#\/sso\/([A-Za-z0-9_-]{1,128})$/.exec(location.hash);
    handoff = !s && m ? m[1] : null;
    history.replaceState(null, '', s ? `#/${homeFor()}` : '#/signin');
    name = s ? homeFor() : 'signin';
  }
  if (!s) {
    events.stop();
    renderNav(null);
    document.title = 'Sign in · Airlock';
    if (name !== 'signin') {
      history.replaceState(null, '', '#/signin');
    }
    const message = signInMessage;
    signInMessage = null;
    unmount = mountSignIn(view, {config: cfg, message, handoff, onSignedIn});
    return;
  }
  if (!ROUTES[name]) {
    name = homeFor();
    history.replaceState(null, '', `#/${name}`);
  }
  const route = ROUTES[name];
  events.start();
  renderNav(name);
  document.title = `${route.title} · Airlock`;
  unmount = route.mount(view, {config: cfg, session: s, events, go});
  view.focus({preventScroll: true});
}

function onSignedIn(s) {
  setSession(s);
  armExpiry();
  announce(`Signed in as ${s.user}`);
  location.hash = `#/${homeFor()}`;
  if (currentRoute() === homeFor()) render();
}

onSessionExpired((message) => {
  clearTimeout(expiryTimer);
  events.stop();
  signInMessage = message || 'Your session expired. Sign in again.';
  go('signin');
});

window.addEventListener('hashchange', render);
if (takeExpiredBeforeLoad()) signInMessage = 'Your session expired. Sign in again.';
armExpiry();
render();
