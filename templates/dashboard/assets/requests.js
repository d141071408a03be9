// What the Overview and the Analytics tab ask the API for, in one place: their loads build their requests
// here, and boot.js starts the first view's requests with the same URLs while the rest of the page loads.

import { rangeParams } from './state.js';

/**
 * The `points` to ask for: one per CSS pixel of the chart. That is two values per pixel either way: a
 * decimated candle keeps its bucket's high and low, and /api/pair and /api/spread send two rows (min and max) per
 * point.
 */
export function pointsFor(element) {
  const width = element.clientWidth || document.querySelector('main').clientWidth || window.innerWidth;
  return Math.max(100, Math.min(4000, Math.round(width)));
}

/** `/api/bars` of one leg for the candles in `element`. */
export function barsRequest(view, symbol, element) {
  return ['/api/bars', { symbol, timeframe: view.timeframe, ...rangeParams(view), points: pointsFor(element) }];
}

/** `/api/overview`: the symbol cards. */
export function statusRequest(view) {
  return ['/api/overview', { symbols: `${view.base},${view.quote}` }];
}

/**
 * `route` (`/api/pair` or `/api/spread`) of the view's pair for line panes as wide as `element`. The Overview's
 * full-width panes take one min/max pair per two pixels (`perPixel` ½), as dense as a line shows.
 */
function pairRequest(route, view, element, perPixel = 1) {
  return [route, {
    pair: `${view.base}/${view.quote}`, timeframe: view.timeframe, window: view.window, hedge: view.hedge,
    ...rangeParams(view), points: Math.max(100, Math.round(pointsFor(element) * perPixel)),
  }];
}

/**
 * The Overview's spread and z-score: /api/spread, the part of the pair analysis these panes draw (it reads only
 * the closes and skips the rolling regressions and the whole-sample tests).
 */
export function overviewPairRequest(view) {
  return pairRequest('/api/spread', view, document.getElementById('chart-ov-spread'), 0.5);
}

/** The Analytics tab's request: the whole analysis. */
export function analyticsRequest(view) {
  return pairRequest('/api/pair', view, document.getElementById('chart-spread'));
}

/** The requests a tab makes first when it opens on `view` (what boot.js starts early). */
export function firstRequests(view) {
  if (view.tab === 'overview') {
    return [barsRequest(view, view.base, document.getElementById('chart-base')),
      barsRequest(view, view.quote, document.getElementById('chart-quote')), overviewPairRequest(view), statusRequest(view)];
  }
  if (view.tab === 'analytics') return [analyticsRequest(view)];
  return [];
}
