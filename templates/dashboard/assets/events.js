// The live event stream (Server-Sent Events) and the badge that shows its health.
// This is the one place that reconnects: after an error it waits 1 s, 2 s, 4 s … up to 30 s, and
// resumes from the last event id it saw.

import { url } from './api.js';

const STALE_AFTER_MS = 10_000;   // status events come every 2 s; 10 s of silence is stale
const RESTART_AFTER_MS = 35_000; // past a missed 15 s ping twice, give up on the connection
const MAX_BACKOFF_MS = 30_000;

const BADGE_TEXT = { connecting: 'connecting', live: 'live', reconnecting: 'reconnecting', stale: 'stale' };
const BADGE_TITLE = {
  connecting: 'Connecting to the live event stream',
  live: 'Live: bars, analytics, alerts and status are pushed as they happen',
  reconnecting: 'The live event stream dropped; reconnecting with backoff',
  stale: 'Connected, but no event for more than 10 s',
};

export class LiveStream {
  #source = null;
  #params = null;
  #lastEventId = null;
  #lastMessageAt = 0;
  #backoff = 1000;
  #retryTimer = null;
  #watchdog = null;
  #state = 'connecting';

  /**
   * @param {HTMLElement} badge element showing live / reconnecting / stale
   * @param {Object<string, function(object, MessageEvent)>} handlers per event name (bar, analytics, alert, status)
   */
  constructor(badge, handlers) {
    this.badge = badge;
    this.handlers = handlers;
    this.#watchdog = setInterval(() => this.#checkStale(), 1000);
  }

  get state() { return this.#state; }

  /** Connects for `symbols` and `timeframe`; does nothing when already connected for exactly those. */
  watch(symbols, timeframe) {
    const params = { symbols: symbols.join(','), timeframe };
    if (this.#params && this.#params.symbols === params.symbols && this.#params.timeframe === timeframe && this.#source) return;
    const changed = this.#params !== null;
    this.#params = params;
    if (changed) this.#lastEventId = null; // another selection: nothing to resume
    this.#backoff = 1000;
    this.#connect();
  }

  #connect() {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#source?.close();
    // A new EventSource cannot set the Last-Event-ID header, so the id also travels in the query.
    const params = { ...this.#params, last_event_id: this.#lastEventId };
    const source = new EventSource(url('/api/events', params));
    this.#source = source;
    this.#lastMessageAt = Date.now();
    if (this.#state !== 'reconnecting') this.#setState('connecting');
    source.onopen = () => {
      this.#lastMessageAt = Date.now();
      this.#setState('live');
    };
    source.onerror = () => {
      if (this.#source !== source) return;
      source.close();
      this.#source = null;
      this.#scheduleReconnect();
    };
    for (const name of Object.keys(this.handlers)) {
      source.addEventListener(name, (event) => this.#dispatch(name, event));
    }
    source.onmessage = () => this.#seen(null);
  }

  #scheduleReconnect() {
    this.#setState('reconnecting');
    const wait = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
    this.#retryTimer = setTimeout(() => this.#connect(), wait);
  }

  #dispatch(name, event) {
    this.#seen(event);
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return; // a malformed event is dropped, the stream goes on
    }
    try {
      this.handlers[name](data, event);
    } catch (error) {
      console.error(`live ${name} handler failed`, error);
    }
  }

  #seen(event) {
    if (event?.lastEventId) this.#lastEventId = event.lastEventId;
    this.#lastMessageAt = Date.now();
    this.#backoff = 1000;
    if (this.#state !== 'live') this.#setState('live');
  }

  #checkStale() {
    if (!this.#source || this.#source.readyState !== EventSource.OPEN) return;
    const silent = Date.now() - this.#lastMessageAt;
    if (silent > RESTART_AFTER_MS) {
      this.#source.close();
      this.#source = null;
      this.#scheduleReconnect();
    } else if (silent > STALE_AFTER_MS && this.#state !== 'stale') {
      this.#setState('stale');
    }
  }

  #setState(state) {
    this.#state = state;
    this.badge.dataset.state = state;
    this.badge.textContent = BADGE_TEXT[state];
    this.badge.title = BADGE_TITLE[state];
  }
}
