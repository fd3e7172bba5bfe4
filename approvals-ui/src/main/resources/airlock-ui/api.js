// The control-plane client. The staff token lives in this module and in sessionStorage (so a
// reload keeps the tab signed in, and each tab can be a different user); never in a URL, a
// cookie or localStorage. Grant tokens never leave memory.

const SESSION_KEY = 'airlock.session';

/** An API refusal, carrying the server's own words. */
export class ApiError extends Error {
  constructor(status, body, fallback) {
    super((body && body.message) || fallback || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error;
    this.field = body && body.field;
    this.requestId = body && body.requestId;
  }
}

// set when this tab held a session that had expired before the page (re)loaded, so the sign-in
// screen can say so instead of looking as if nobody had ever signed in
let expiredBeforeLoad = false;
let session = load();
const expiredListeners = new Set();

function load() {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw);
    if (!s || typeof s.token !== 'string') return null;
    if (s.expiresAt && !(Date.parse(s.expiresAt) > Date.now())) {
      sessionStorage.removeItem(SESSION_KEY);
      expiredBeforeLoad = true;
      return null;
    }
    return s;
  } catch (e) {
    return null;
  }
}

/** True once if the stored session had expired when the page loaded. */
export function takeExpiredBeforeLoad() {
  const was = expiredBeforeLoad;
  expiredBeforeLoad = false;
  return was;
}

export function currentSession() {
  return session;
}

export function setSession(s) {
  session = s;
  if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  else sessionStorage.removeItem(SESSION_KEY);
}

export function hasRole(role) {
  return !!(session && Array.isArray(session.roles) && session.roles.includes(role));
}

/** Called with a message when the API says the staff token is no longer good. */
export function onSessionExpired(fn) {
  expiredListeners.add(fn);
  return () => expiredListeners.delete(fn);
}

export function sessionExpired(message) {
  if (!session) return;
  setSession(null);
  for (const fn of expiredListeners) fn(message);
}

async function readBody(res) {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch (e) {
    return {message: text.slice(0, 300)};
  }
}

/**
 * Calls the control plane. Resolves with the parsed JSON body on 2xx; rejects with ApiError
 * otherwise. A 401 on an authenticated call ends the session. {onHeaders} receives the response
 * headers of a 2xx answer, for what an API says beside its body.
 */
export async function api(method, path, body, opts = {}) {
  const headers = {'Accept': 'application/json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const authed = !opts.anonymous && session;
  if (authed) headers['Authorization'] = `Bearer ${session.token}`;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      // staff tokens travel in the header only; the one exception is SSO's hand-off, which
      // must carry the sign-in cookie that ties it to this browser
      credentials: opts.credentials || 'omit',
      signal: opts.signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, {error: 'network', message: 'the control plane did not answer (is the node running?)'});
  }
  const data = await readBody(res);
  if (res.ok) {
    if (opts.onHeaders) opts.onHeaders(res.headers);
    return data;
  }
  const err = new ApiError(res.status, data);
  if (res.status === 401 && authed) {
    sessionExpired(err.message ? `Your session ended: ${err.message}` : 'Your session ended. Sign in again.');
  }
  throw err;
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body === undefined ? {} : body, opts);

/** Query string from an object, skipping empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

let configPromise = null;

/**
 * {dataPlaneUrl, identityMode, ssoSignIn}: from GET /api/config when the node serves it, else
 * from the page's <meta name="airlock-data-plane">, else the demo default.
 */
export function config() {
  if (!configPromise) {
    configPromise = (async () => {
      const meta = document.querySelector('meta[name="airlock-data-plane"]');
      const fallback = {
        dataPlaneUrl: (meta && meta.content) || 'http://127.0.0.1:8080',
        identityMode: 'demo',
        ssoSignIn: false,
        fromServer: false,
      };
      try {
        const res = await fetch('/api/config', {cache: 'no-store', credentials: 'omit', headers: {'Accept': 'application/json'}});
        if (!res.ok) return fallback;
        const c = await res.json();
        return {
          dataPlaneUrl: typeof c.dataPlaneUrl === 'string' && c.dataPlaneUrl ? c.dataPlaneUrl.replace(/\/+$/, '') : fallback.dataPlaneUrl,
          identityMode: typeof c.identityMode === 'string' ? c.identityMode : fallback.identityMode,
          ssoSignIn: c.ssoSignIn === true,
          fromServer: true,
        };
      } catch (e) {
        return fallback;
      }
    })();
  }
  return configPromise;
}

/**
 * Reads one path on the data plane with a grant. Resolves {status, ok, body, watermark,
 * requestId}; never throws for HTTP errors (the viewer needs the code to say why).
 */
export async function readThroughGrant(dataPlaneUrl, path, grantToken, signal) {
  let res;
  try {
    res = await fetch(dataPlaneUrl + path, {
      method: 'GET',
      headers: {'Authorization': `Bearer ${grantToken}`, 'Accept': 'application/json'},
      cache: 'no-store',
      credentials: 'omit',
      mode: 'cors',
      signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    return {status: 0, ok: false, body: {error: 'network', message: `the data plane at ${dataPlaneUrl} did not answer (or refused this page's origin)`}};
  }
  const body = await readBody(res);
  return {
    status: res.status,
    ok: res.ok,
    body,
    watermark: res.headers.get('X-Airlock-Watermark'),
    requestId: res.headers.get('X-Airlock-Request-Id') || (body && body.requestId),
  };
}
