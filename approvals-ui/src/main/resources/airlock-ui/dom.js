// Every piece of text reaches the page through textContent or an attribute set by name, so
// nothing a user typed or a server returned is ever parsed as HTML.

/**
 * h('button', {type: 'button', onclick: fn, class: 'primary'}, 'Approve')
 * Children may be strings, numbers, nodes, arrays of those, or null/false (skipped).
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v);
    } else if (k === 'class') {
      el.className = v;
    } else if (k === 'dataset') {
      Object.assign(el.dataset, v);
    } else if (v === true) {
      el.setAttribute(k, '');
    } else {
      el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

let idSeq = 0;
/** A unique element id, for label/for and aria-describedby pairs. */
export function uid(prefix) {
  idSeq += 1;
  return `${prefix}-${idSeq}`;
}

/** A labelled form control: returns {row, input}. */
export function field(label, control, hint) {
  const id = control.id || uid('f');
  control.id = id;
  const parts = [h('label', {for: id}, label), control];
  if (hint) {
    const hid = uid('hint');
    control.setAttribute('aria-describedby', hid);
    parts.push(h('p', {class: 'hint', id: hid}, hint));
  }
  return {row: h('div', {class: 'field'}, parts), input: control};
}

/** State blocks shared by every view: loading, empty, error. */
export function loading(what) {
  return h('p', {class: 'state loading', role: 'status'}, `Loading ${what}…`);
}

export function empty(text) {
  return h('p', {class: 'state empty'}, text);
}

export function errorBox(err, what) {
  const msg = err && err.message ? err.message : String(err);
  return h('div', {class: 'state error', role: 'alert'},
      h('strong', {}, what ? `Could not ${what}: ` : 'Error: '),
      msg,
      err && err.code ? h('span', {class: 'code'}, ` (${err.code}${err.status ? ', HTTP ' + err.status : ''})`) : null,
      err && err.requestId ? h('span', {class: 'reqid'}, ` request id ${err.requestId}`) : null);
}

/** "14:05" / "1:02:03" until the instant, or "expired". */
export function remaining(untilIso, now = Date.now()) {
  const ms = Date.parse(untilIso) - now;
  if (!(ms > 0)) return 'expired';
  const s = Math.floor(ms / 1000);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/**
 * Updates every [data-expires-at] element under root once a second with the time left; returns
 * the stop function. Elements may carry data-prefix ("expires in ").
 */
export function startCountdowns(root, onExpire) {
  const tick = () => {
    for (const el of root.querySelectorAll('[data-expires-at]')) {
      const left = remaining(el.dataset.expiresAt);
      const text = left === 'expired' ? (el.dataset.expiredText || 'expired') : (el.dataset.prefix || '') + left;
      if (el.textContent !== text) el.textContent = text;
      if (left !== 'expired') el.dataset.alive = '1';
      // fires on the transition only, so a redraw of something already expired cannot loop
      if (left === 'expired' && el.dataset.alive && !el.dataset.fired) {
        el.dataset.fired = '1';
        if (onExpire) onExpire(el);
      }
      el.classList.toggle('is-expired', left === 'expired');
    }
  };
  tick();
  const timer = setInterval(tick, 1000);
  return () => clearInterval(timer);
}

export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

export function timeOf(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleTimeString();
}

/** Announces text to screen readers through the page's polite live region. */
export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // a fresh text node after clearing makes repeated messages announce again
  setTimeout(() => { region.textContent = text; }, 50);
}

export function badge(status) {
  return h('span', {class: `badge status-${status}`}, status);
}
