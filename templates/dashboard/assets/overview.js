// Overview tab: candles and volume of both legs, the pair's spread and z-score, in six linked panes, and a
// card per symbol (last price, 24 h change, trade rate, freshness, connection).

import { getJSON, isAbort } from './api.js';
import { barRows, barVolumeRow, candleChart, digitsFor, PaneGroup, volumeChart } from './charts.js';
import { el, showError, throttle } from './dom.js';
import { fmtAgo, fmtNumber, fmtPercent, fmtStat, fmtTime } from './format.js';
import { showZ, spreadChart, spreadRows, thresholdText, zScoreChart } from './pairpanes.js';
import { barsRequest, overviewPairRequest, statusRequest } from './requests.js';

const CONNECTION_TEXT = { connected: 'connected', disconnected: 'disconnected', 'not collecting': 'not collecting' };

export class Overview {
  constructor(ctx) {
    this.ctx = ctx;
    this.panel = document.getElementById('panel-overview');
    this.error = document.getElementById('overview-error');
    this.cards = document.getElementById('symbol-cards');
    this.legs = ['base', 'quote'].map((role) => {
      const head = document.querySelector(`#chart-${role}`).previousElementSibling;
      const volumeReadout = el('span', { class: 'chart-meta readout-volume', dataset: { testid: `readout-${role}-volume` } });
      head.append(volumeReadout);
      return {
        role,
        symbol: null,
        bars: null, // the /api/bars answer shown (before live updates)
        bucket: 1,
        last: null, // the newest raw bar merged into the last row: {t, v}
        title: document.getElementById(`title-${role}`),
        candles: candleChart(document.getElementById(`chart-${role}`), document.getElementById(`meta-${role}`)),
        volume: volumeChart(document.getElementById(`chart-${role}-volume`), volumeReadout),
      };
    });
    const readout = (element) => {
      const node = el('span', { class: 'chart-meta readout', dataset: { testid: `readout-${element.id}` } });
      element.previousElementSibling.append(node);
      return node;
    };
    const spreadElement = document.getElementById('chart-ov-spread');
    const zElement = document.getElementById('chart-ov-z');
    this.spread = spreadChart(spreadElement, readout(spreadElement), { bands: false });
    this.z = zScoreChart(zElement, readout(zElement), () => this.view?.z);
    this.pairError = document.getElementById('overview-pair-error');
    this.pair = null; // the /api/spread answer shown
    this.pairKey = null;
    this.group = new PaneGroup([...this.legs.flatMap((leg) => [leg.candles, leg.volume]), this.spread, this.z]);
    // Live, the spread and z-score follow at most every 5 s: each refresh reads both legs' closes over the whole
    // range in the server (/api/spread: about 40 ms of CPU for a day of 1 s bars, not cached while trades arrive),
    // and 1 s bars close every second on every open Overview. The candles follow every trade.
    this.refreshPairSoon = throttle(() => {
      if (this.view) this.loadPair(this.view, this.ctx.latest.signal('overview-pair'), 'overview-pair').catch(() => {});
    }, 5000);
    this.drawnKey = null;
    this.view = null;
    this.stats = new Map(); // symbol → latest overview item
    this.pending = new Map(); // symbol → bars waiting for the next animation frame
    this.frame = null;
  }

  /** The view fields the candles depend on. */
  barsKey(view) {
    return JSON.stringify([view.base, view.quote, view.timeframe, view.lookback, view.from, view.to]);
  }

  /** The view fields that need new answers (the z threshold only redraws). */
  key(view) {
    return JSON.stringify([this.barsKey(view), view.window, view.hedge]);
  }

  /**
   * Loads and draws the selection; `reason` is 'initial', 'control', 'tab' or 'live'. The candles draw as soon
   * as their bars arrive; the spread and z-score panes when /api/spread answers (asked for at the same time); the
   * symbol cards last. A change of window or hedge method reloads only the spread and z-score.
   */
  async load(view, reason, { force = false } = {}) {
    const barsDrawn = !force && this.drawnBarsKey === this.barsKey(view);
    const swapped = !barsDrawn && this.swapLegs(view);
    this.view = view;
    const key = this.key(view);
    this.loadingKey = key;
    const signal = this.ctx.latest.signal('overview');
    this.ctx.latest.signal('overview-pair'); // a live refresh on its way is for an older selection
    const pair = this.loadPair(view, signal);
    pair.catch(() => {}); // awaited below; an abort meanwhile must not go unhandled
    try {
      if (!barsDrawn && !swapped) await this.loadBars(view, signal);
      await pair;
      if (signal.aborted) return;
      this.drawnKey = key;
      this.failedKey = null;
      this.panel.dataset.drawn = '1';
      this.ctx.drawn(reason);
    } catch (error) {
      if (isAbort(error)) return;
      this.failedKey = key;
      showError(this.error, `Could not load ${view.base}/${view.quote} ${view.timeframe}: ${error.message}`);
      this.ctx.failed(reason, error);
    } finally {
      this.ctx.latest.done('overview', signal);
      if (this.loadingKey === key && signal.aborted === false) this.loadingKey = null;
    }
  }

  /** Both legs' bars (and the cards' status, which does not hold the charts back). */
  async loadBars(view, signal) {
    const status = getJSON(...statusRequest(view), { signal });
    status.catch(() => {}); // awaited below, after the charts; a failure must not go unhandled meanwhile
    const [base, quote] = await Promise.all(this.legs.map((leg, i) =>
      getJSON(...barsRequest(view, i === 0 ? view.base : view.quote, leg.candles.element), { signal })));
    showError(this.error, null);
    this.draw([base, quote], this.drawnBarsKey !== this.barsKey(view));
    this.renderCards({ symbols: [] });
    this.ctx.setRange(base);
    this.drawnBarsKey = this.barsKey(view);
    status.then((answer) => this.renderCards(answer), (error) => {
      if (!isAbort(error)) showError(this.error, `Could not read the status of ${view.base} and ${view.quote}: ${error.message}`);
    });
  }

  /**
   * The spread (and mean) and z-score panes of the view's pair, window and hedge method. Never rejects but for an
   * abort: an analysis that fails (too few bars for the window, …) empties the two panes and says why in their
   * card; the candles stay. `done` names the Latest key to release afterwards (a live refresh's).
   */
  async loadPair(view, signal, done = null) {
    const key = this.key(view);
    try {
      const a = await getJSON(...overviewPairRequest(view), { signal });
      const resetZoom = this.pairKey !== key;
      this.pair = a;
      this.pairKey = key;
      this.spread.update(spreadRows(a.series, { bands: false }), { resetZoom });
      showZ(this.z, a, { resetZoom });
      this.group.link();
      document.getElementById('ov-spread-unit').textContent = `${a.base} − β·${a.quote}, USDT`;
      document.getElementById('meta-ov-spread').textContent =
        `${(a.options?.hedge || 'ols').toUpperCase()} β ${fmtStat(a.hedge?.slope, 5)} · rolling mean over ${a.options?.window} bars`;
      this.updateThresholdMeta();
      showError(this.pairError, null);
    } catch (error) {
      if (isAbort(error)) throw error;
      this.pair = null;
      this.pairKey = null;
      this.spread.update([]);
      this.z.update([]);
      showError(this.pairError, `No spread for ${view.base}/${view.quote} ${view.timeframe}, window ${view.window}: ${error.message}`);
    } finally {
      if (done) this.ctx.latest.done(done, signal);
    }
  }

  /** A new z threshold: redraw the z pane only (no request). */
  setThreshold(view) {
    this.view = view;
    this.z.graph?.updateOptions({});
    this.updateThresholdMeta();
  }

  updateThresholdMeta() {
    document.getElementById('meta-ov-z').textContent = thresholdText(this.z.data, this.view?.z, this.pair?.bucket);
  }

  draw(series, resetZoom) {
    series.forEach((bars, i) => {
      const { candles, volume } = barRows(bars);
      this.drawLeg(this.legs[i], { bars, bucket: bars.bucket || 1, last: null, candles, volume }, resetZoom);
    });
    this.group.link();
  }

  /** Shows one leg's rows: `bars` the /api/bars answer they came from, `last` the newest live bar merged in. */
  drawLeg(leg, { bars, bucket, last, candles, volume }, resetZoom) {
    leg.bars = bars;
    leg.symbol = bars.symbol;
    leg.bucket = bucket;
    leg.last = last;
    leg.title.textContent = `${bars.symbol} · ${bars.timeframe}`;
    leg.title.title = `${bars.count} stored bars, ${bucket} per candle`;
    leg.candles.update(candles, { resetZoom });
    leg.volume.update(volume, { resetZoom });
    const empty = bars.t.length === 0;
    const stored = this.ctx.storedText(bars.symbol, bars.timeframe);
    leg.candles.element.dataset.emptyText = empty ? `No ${bars.timeframe} bars of ${bars.symbol} in this range${stored ? ` (${stored})` : ''}` : '';
  }

  /**
   * Base and quote swapped and nothing else changed: the two legs trade places with the rows they show (live
   * updates included), without a request. Returns false when the view needs a load.
   */
  swapLegs(view) {
    const drawn = this.view;
    const [base, quote] = this.legs;
    if (!drawn || this.drawnBarsKey !== this.barsKey(drawn) || !base.bars || !quote.bars) return false;
    if (this.barsKey({ ...drawn, base: drawn.quote, quote: drawn.base }) !== this.barsKey(view)) return false;
    if (base.symbol !== view.quote || quote.symbol !== view.base) return false;
    const state = (leg) => ({ bars: leg.bars, bucket: leg.bucket, last: leg.last, candles: leg.candles.data, volume: leg.volume.data });
    const [was0, was1] = [state(base), state(quote)];
    this.drawLeg(base, was1, true);
    this.drawLeg(quote, was0, true);
    this.group.link();
    this.drawnBarsKey = this.barsKey(view);
    this.renderCards({ symbols: [] });
    this.ctx.setRange(base.bars);
    return true;
  }

  // MARK: - Live

  /** A bar event: forming bars update the last candle in place, a newer bar appends one. */
  onBar(bar) {
    const view = this.view;
    if (!view || bar.timeframe !== view.timeframe) return;
    if (view.to != null && bar.t >= view.to) return;
    if (bar.closed && view.to == null && (bar.symbol === view.base || bar.symbol === view.quote)) this.refreshPairSoon();
    this.pending.set(bar.symbol, bar);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  flush() {
    this.frame = null;
    for (const [symbol, bar] of this.pending) {
      for (const leg of this.legs) if (leg.symbol === symbol) this.merge(leg, bar);
    }
    this.pending.clear();
  }

  merge(leg, bar) {
    const rows = leg.candles.data;
    if (rows.length === 0) return;
    const last = rows[rows.length - 1];
    const frameMs = this.ctx.timeframeMs(bar.timeframe);
    const inBucket = leg.bucket > 1 && bar.t >= last[0] && bar.t < last[0] + leg.bucket * frameMs;
    if (inBucket) {
      // A decimated candle: widen it with the raw bar, replacing that bar's earlier (forming) contribution.
      const volumeRow = leg.volume.data[leg.volume.data.length - 1];
      let volume = (volumeRow[1] ?? volumeRow[2] ?? 0);
      if (leg.last && leg.last.t === bar.t) volume -= leg.last.v;
      volume += bar.v;
      const row = [last[0], last[1], Math.max(last[2], bar.h), Math.min(last[3], bar.l), bar.c];
      leg.candles.upsertLast(row);
      leg.volume.upsertLast(barVolumeRow(last[0], row[1], row[4], volume));
    } else if (bar.t >= last[0]) {
      const row = [bar.t, bar.o, bar.h, bar.l, bar.c];
      if (leg.bucket > 1 && bar.t > last[0]) leg.bucket = 1; // rows past the decimated range are raw bars
      leg.candles.upsertLast(row);
      leg.volume.upsertLast(barVolumeRow(bar.t, bar.o, bar.c, bar.v));
    } else {
      return;
    }
    leg.last = { t: bar.t, v: bar.v };
    const card = this.stats.get(bar.symbol);
    if (card) {
      card.last_price = bar.c;
      this.renderCard(card, this.view?.base === bar.symbol ? 'base (y)' : 'quote (x)');
    }
    performance.clearMarks('pairbook-bar-drawn');
    performance.mark('pairbook-bar-drawn', { detail: { symbol: bar.symbol, t: bar.t, c: bar.c, closed: !!bar.closed } });
  }

  /** A status event (every 2 s): refreshes the cards. */
  onStatus(status) {
    if (!this.view) return;
    this.renderCards(status);
  }

  // MARK: - Cards

  renderCards(overview) {
    const now = overview.now ?? Date.now();
    for (const item of overview.symbols || []) {
      item.now = now;
      this.stats.set(item.symbol, item);
    }
    const view = this.view;
    if (!view) return;
    const wanted = [[view.base, 'base (y)'], [view.quote, 'quote (x)']];
    const existing = new Map([...this.cards.children].map((c) => [c.dataset.symbol, c]));
    wanted.forEach(([symbol, role], i) => {
      const item = this.stats.get(symbol) || { symbol };
      const card = existing.get(symbol) || this.makeCard(symbol);
      if (this.cards.children[i] !== card) this.cards.insertBefore(card, this.cards.children[i] || null);
      this.fillCard(card, item, role);
    });
    for (const card of [...this.cards.children]) {
      if (!wanted.some(([s]) => s === card.dataset.symbol)) card.remove();
    }
  }

  renderCard(item, role) {
    const card = [...this.cards.children].find((c) => c.dataset.symbol === item.symbol);
    if (card) this.fillCard(card, item, role);
  }

  makeCard(symbol) {
    const field = (name, label) => el('div', { class: 'card-field' },
      el('span', { class: 'card-label', text: label }),
      el('span', { class: `card-value ${name}`, dataset: { testid: `card-${name}`, field: name } }));
    return el('article', { class: 'card', dataset: { symbol, testid: `card-${symbol}` } },
      el('header', { class: 'card-head' },
        el('h3', { text: symbol }),
        el('span', { class: 'card-role', dataset: { field: 'role' } })),
      el('div', { class: 'card-price', dataset: { field: 'price', testid: 'card-price' } }),
      el('div', { class: 'card-change', dataset: { field: 'change', testid: 'card-change' } }),
      el('div', { class: 'card-grid' },
        field('rate', 'Trades / s'),
        field('fresh', 'Last trade'),
        field('conn', 'Feed')));
  }

  fillCard(card, item, role) {
    const set = (name, text, title) => {
      const node = card.querySelector(`[data-field="${name}"]`);
      if (node.textContent !== text) node.textContent = text;
      if (title !== undefined) node.title = title;
      return node;
    };
    set('role', role);
    set('price', item.last_price == null ? '–' : fmtNumber(item.last_price, digitsFor(item.last_price)), 'Last trade price (USDT)');
    const change = set('change', item.change_24h == null ? '24 h –' : `24 h ${fmtPercent(item.change_24h)}`,
      'Close now against the close 24 h before');
    change.dataset.sign = item.change_24h > 0 ? 'up' : item.change_24h < 0 ? 'down' : 'flat';
    set('rate', item.trades_per_second == null ? '–' : fmtStat(item.trades_per_second, 3), 'Trades per second over the last 60 s');
    const fresh = item.freshness_ms != null ? fmtAgo((item.now ?? Date.now()) - item.freshness_ms, item.now ?? Date.now())
      : item.last_trade != null ? fmtAgo(item.last_trade, item.now) : '–';
    const freshNode = set('fresh', fresh, item.last_trade != null ? `${fmtTime(item.last_trade, { seconds: true })} UTC` : 'No trade stored');
    freshNode.dataset.stale = item.freshness_ms != null && item.freshness_ms > 60_000 ? '1' : '0';
    const conn = set('conn', CONNECTION_TEXT[item.connection] || item.connection || '–');
    conn.dataset.state = item.connection || 'unknown';
  }

  resize() { this.group.resize(); }
}
