// GET /api/events over fetch(): EventSource cannot send the Authorization header, so the frames
// are parsed here. Reconnects with backoff; after a reconnect listeners get a synthetic
// "resync" event, because events sent while the stream was down are not replayed.

import {currentSession, sessionExpired} from './api.js';

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 15000;

/** Splits an SSE byte stream (already decoded to text) into {type, data} events. */
export class FrameParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buffer = '';
  }

  push(text) {
    this.buffer += text;
    // frames end with a blank line; accept \n, \r\n and \r line ends
    for (;;) {
      const m = /\r\n\r\n|\n\n|\r\r/.exec(this.buffer);
      if (!m) break;
      const frame = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      this.frame(frame);
    }
  }

  frame(frame) {
    let type = 'message';
    const data = [];
    for (const line of frame.split(/\r\n|\n|\r/)) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (name === 'event') type = value;
      else if (name === 'data') data.push(value);
    }
    if (data.length === 0) return;
    let payload;
    try {
      payload = JSON.parse(data.join('\n'));
    } catch (e) {
      payload = {raw: data.join('\n')};
    }
    this.onEvent({type: payload.type || type, attributes: payload.attributes || {}, payload});
  }
}

/**
 * One stream per signed-in tab. subscribe(fn) gets every event; onState(fn) gets
 * 'connecting' | 'live' | 'reconnecting' | 'stopped'.
 */
export class EventStream {
  constructor() {
    this.listeners = new Set();
    this.stateListeners = new Set();
    this.controller = null;
    this.backoff = MIN_BACKOFF_MS;
    this.retryTimer = null;
    this.running = false;
    this.state = 'stopped';
    this.connectedOnce = false;
  }

  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  onState(fn) {
    this.stateListeners.add(fn);
    fn(this.state);
    return () => this.stateListeners.delete(fn);
  }

  setState(s) {
    this.state = s;
    for (const fn of this.stateListeners) fn(s);
  }

  emit(e) {
    for (const fn of [...this.listeners]) {
      try {
        fn(e);
      } catch (err) {
        console.error('event listener failed', err);
      }
    }
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.connectedOnce = false;
    this.connect();
  }

  stop() {
    this.running = false;
    clearTimeout(this.retryTimer);
    if (this.controller) this.controller.abort();
    this.controller = null;
    this.setState('stopped');
  }

  async connect() {
    const session = currentSession();
    if (!this.running || !session) return;
    this.setState(this.connectedOnce ? 'reconnecting' : 'connecting');
    const controller = new AbortController();
    this.controller = controller;
    try {
      const res = await fetch('/api/events', {
        headers: {'Authorization': `Bearer ${session.token}`, 'Accept': 'text/event-stream'},
        cache: 'no-store',
        credentials: 'omit',
        signal: controller.signal,
      });
      if (res.status === 401) {
        let message = 'Your session ended. Sign in again.';
        try {
          const b = await res.json();
          if (b && b.message) message = `Your session ended: ${b.message}`;
        } catch (e) { /* keep the default */ }
        this.running = false;
        this.setState('stopped');
        sessionExpired(message);
        return;
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      const wasReconnect = this.connectedOnce;
      this.connectedOnce = true;
      this.backoff = MIN_BACKOFF_MS;
      this.setState('live');
      if (wasReconnect) this.emit({type: 'resync', attributes: {}});
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new FrameParser((e) => this.emit(e));
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        parser.push(value);
      }
    } catch (e) {
      if (controller.signal.aborted) return;
    }
    if (!this.running || controller.signal.aborted) return;
    this.setState('reconnecting');
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    this.retryTimer = setTimeout(() => this.connect(), wait);
  }
}
