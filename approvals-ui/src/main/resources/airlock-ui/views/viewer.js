// The client viewer: reads one client through the data plane with the agent's grant, shows
// masked values as masked, and draws the watermark over them. It re-reads every 500 ms and
// also listens for grant.revoked / kill_all, so a revoked, killed or expired grant clears the
// screen within a second and says why.

import {get, readThroughGrant} from '../api.js';
import {h, replace, clear, remaining, timeOf} from '../dom.js';

const POLL_MS = 500;

const REASONS = {
  grant_revoked: 'Your grant was revoked (by a manager or security, or every session was killed).',
  grant_expired: 'Your grant expired.',
  grant_invalid: 'The gateway did not accept this grant.',
  grant_missing: 'No grant was sent.',
  agent_suspended: 'Your account is suspended by security.',
  out_of_scope: 'This client is outside what your grant covers.',
  quota_exceeded: 'You reached the limit of clients you may open; security has been alerted.',
  revocation_stale: 'The gateway cannot confirm that your grant is still valid, so it shows nothing (fail closed).',
  network: 'The data plane did not answer.',
};

/** A masked value as the masker writes it: "[redacted]", "***-**-1234", "j***@e***.com", "h:…". */
export function isMasked(v) {
  return typeof v === 'string' && (v === '[redacted]' || v.includes('***') || /^\*+/.test(v) || /^h:[A-Za-z0-9_-]{16}$/.test(v));
}

function renderValue(v) {
  if (v === null) return h('span', {class: 'v-null'}, 'null');
  if (Array.isArray(v)) {
    if (v.length === 0) return h('span', {class: 'v-empty'}, '(none)');
    return h('ol', {class: 'v-list'}, v.map((x) => h('li', {}, renderValue(x))));
  }
  if (typeof v === 'object') {
    return h('dl', {class: 'fields'}, Object.entries(v).map(([k, x]) => [
      h('dt', {}, k),
      h('dd', {'data-field': k}, renderValue(x)),
    ]));
  }
  if (isMasked(v)) {
    return h('span', {class: 'masked', title: 'masked by Airlock'},
        h('span', {class: 'masked-tag', 'aria-hidden': 'true'}, 'masked'),
        h('span', {class: 'visually-hidden'}, 'masked: '),
        h('span', {class: 'masked-value'}, v));
  }
  return h('span', {class: `v-${typeof v}`}, String(v));
}

function countMasked(v) {
  if (Array.isArray(v)) return v.reduce((n, x) => n + countMasked(x), 0);
  if (v && typeof v === 'object') return Object.values(v).reduce((n, x) => n + countMasked(x), 0);
  return isMasked(v) ? 1 : 0;
}

/** The watermark text, repeated diagonally over the data. */
function watermarkLayer(text) {
  return h('div', {class: 'watermark', 'aria-hidden': 'true'}, h('div', {class: 'watermark-tiles'}));
}

/** Enough tiles to cover the data box (the tile layer is twice its size, rotated). */
function fillWatermark(box, text) {
  const tiles = box.querySelector('.watermark-tiles');
  if (!tiles) return;
  const want = Math.min(800, Math.max(24, Math.ceil((box.offsetWidth * 2 / 260) * (box.offsetHeight * 2 / 60))));
  while (tiles.childElementCount < want) tiles.appendChild(h('span', {}, text));
  for (const span of tiles.children) if (span.textContent !== text) span.textContent = text;
}

/**
 * Opens {client} under request {requestId} in {root}. Returns close(). ctx: {config, session,
 * events, onEnded(reason)}.
 */
export function openViewer(root, {requestId, client}, ctx) {
  const {config, session, events} = ctx;
  const controller = new AbortController();
  let closed = false;
  let ended = false;
  let endedCode = null;
  let pollTimer = null;
  let expiryTimer = null;
  let grant = null;
  let ticket = '';
  let lastBody = null;

  const title = h('h2', {id: 'viewer-title'}, `Client ${client}`);
  const meta = h('p', {class: 'viewer-meta', id: 'viewer-meta'});
  const stage = h('div', {class: 'viewer-stage', id: 'viewer-stage'});
  const closeBtn = h('button', {type: 'button', class: 'secondary', id: 'viewer-close', onclick: () => close()}, 'Close viewer');
  const panel = h('section', {class: 'card viewer', id: 'client-viewer', 'aria-labelledby': 'viewer-title', 'data-client': client},
      h('div', {class: 'card-head'}, title, closeBtn), meta, stage);
  replace(root, panel);
  replace(stage, h('p', {class: 'state loading', role: 'status'}, `Opening ${client}…`));

  function end(code, message) {
    if (closed) return;
    if (ended) {
      // the data plane's refusal often arrives before the live event that says who and why, and
      // a kill cuts a read mid-flight, which looks like the network failing: the more precise
      // words replace the first ones
      const box = stage.querySelector('#viewer-ended');
      if (!box || !(code === endedCode ? message : endedCode === 'network')) return;
      box.querySelector('.why').textContent = message || REASONS[code] || 'Access ended.';
      if (code !== endedCode) {
        endedCode = code;
        box.dataset.code = code;
        box.querySelector('.code').textContent = ` (${code})`;
        if (ctx.onEnded) ctx.onEnded(code, box.querySelector('.why').textContent, grant && grant.jti);
      }
      return;
    }
    ended = true;
    endedCode = code;
    clearTimeout(pollTimer);
    clearTimeout(expiryTimer);
    controller.abort();
    lastBody = null;
    // the data goes first: nothing of the client stays on screen
    clear(stage);
    const why = message || REASONS[code] || 'Access ended.';
    stage.appendChild(h('div', {class: 'state revoked', role: 'alert', id: 'viewer-ended', 'data-code': code || '', 'data-ended-at': String(Date.now())},
        h('strong', {}, 'Access ended. '),
        h('span', {class: 'why'}, why),
        code ? h('span', {class: 'code'}, ` (${code})`) : null,
        h('span', {class: 'when'}, ` ${timeOf(new Date().toISOString())}`)));
    replace(meta, `${client} · ticket ${ticket} · data cleared`);
    if (ctx.onEnded) ctx.onEnded(code, why, grant && grant.jti);
  }

  function show(res) {
    const wm = `${session.user} · ${ticket} · ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`;
    const changed = JSON.stringify(res.body) !== lastBody;
    if (changed) {
      lastBody = JSON.stringify(res.body);
      const masked = countMasked(res.body);
      replace(stage,
          h('p', {class: 'viewer-legend'},
              h('span', {class: 'masked'}, h('span', {class: 'masked-tag'}, 'masked')),
              ` ${masked} value${masked === 1 ? '' : 's'} masked by Airlock`,
              grant.unmask && grant.unmask.length ? `; shown in clear under this grant: ${grant.unmask.join(', ')}` : '; nothing unmasked under this grant'),
          h('div', {class: 'viewer-data', id: 'viewer-data'}, renderValue(res.body), watermarkLayer(wm)),
          h('p', {class: 'watermark-header', id: 'viewer-watermark'}, 'Watermark: ', res.watermark || '(none sent)'));
      fillWatermark(stage.querySelector('#viewer-data'), wm);
    } else {
      fillWatermark(stage.querySelector('#viewer-data'), wm);
      const line = stage.querySelector('#viewer-watermark');
      if (line && res.watermark) line.textContent = `Watermark: ${res.watermark}`;
    }
    replace(meta, `${client} · ticket ${ticket} · grant `,
        h('span', {'data-expires-at': grant.expiresAt, 'data-prefix': 'expires in ', id: 'viewer-countdown'}, `expires in ${remaining(grant.expiresAt)}`));
  }

  async function read() {
    if (ended || closed) return;
    let res;
    try {
      res = await readThroughGrant(config.dataPlaneUrl, `/clients/${encodeURIComponent(client)}`, grant.token, controller.signal);
    } catch (e) {
      return; // aborted
    }
    if (ended || closed) return;
    if (res.ok) {
      show(res);
      pollTimer = setTimeout(read, POLL_MS);
    } else {
      const code = (res.body && res.body.error) || `http_${res.status}`;
      const msg = REASONS[code] ? `${REASONS[code]} ${res.body && res.body.message ? '— ' + res.body.message : ''}` : (res.body && res.body.message);
      end(code, msg);
    }
  }

  const unsubscribe = events.subscribe((e) => {
    if (!grant) return;
    if (e.type === 'grant.revoked' && e.attributes.jti === grant.jti) {
      const a = e.attributes;
      end('grant_revoked', `Your grant was revoked${a.by ? ` by ${a.by}` : ''}${a.reason ? `: ${a.reason}` : '.'}`);
    } else if (e.type === 'kill_all') {
      end('grant_revoked', 'Security killed every session.');
    } else if (e.type === 'agent_suspended' && e.attributes.agent === session.user) {
      end('agent_suspended');
    }
  });

  (async () => {
    try {
      const r = await get(`/api/requests/${encodeURIComponent(requestId)}`, {signal: controller.signal});
      if (closed) return;
      ticket = r.ticket;
      if (!r.grant || !r.grant.token) {
        end(r.status === 'approved' ? 'grant_missing' : `request_${r.status}`,
            r.status === 'approved' ? 'This request has no grant for you.' : `This request is ${r.status}; there is no grant to read with.`);
        return;
      }
      grant = {token: r.grant.token, jti: r.grant.jti, expiresAt: r.grant.expiresAt, unmask: r.unmask || []};
      const ms = Date.parse(grant.expiresAt) - Date.now();
      if (!(ms > 0)) {
        end('grant_expired');
        return;
      }
      expiryTimer = setTimeout(() => end('grant_expired'), Math.min(ms, 2 ** 31 - 1));
      read();
    } catch (e) {
      if (closed || e.name === 'AbortError') return;
      end(e.code, e.message);
    }
  })();

  function close() {
    if (closed) return;
    closed = true;
    clearTimeout(pollTimer);
    clearTimeout(expiryTimer);
    controller.abort();
    unsubscribe();
    grant = null;
    clear(root);
    if (ctx.onClosed) ctx.onClosed();
  }
  closeBtn.focus();
  return close;
}
