// The view (tab, pair, timeframe, range, window, z threshold, hedge) and its URL form.
// The query string is the only place the view is kept: a copied link reopens the same view.

export const TABS = ['overview', 'analytics', 'alerts', 'export'];
export const LOOKBACKS = ['15m', '1h', '6h', '12h', '24h', '3d', '7d', '30d'];

const SPAN_RE = /^[0-9]+[smhd]$/;
const TF_RE = /^[0-9]+[smhd]$/;
const SYMBOL_RE = /^[A-Z0-9]{2,30}$/;

export const DEFAULTS = Object.freeze({
  tab: 'overview', base: '', quote: '', timeframe: '1m',
  lookback: '24h', from: null, to: null, window: 60, z: 2, hedge: 'ols',
});

/** Parses ISO-8601 or epoch ms into epoch ms; null when neither. */
export function parseTime(text) {
  if (text == null || text === '') return null;
  if (/^[0-9]{9,}$/.test(text)) return Number(text);
  const iso = /[zZ]|[+-][0-9]{2}:?[0-9]{2}$/.test(text) ? text : text + 'Z';
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

/** Reads the view from a query string, falling back to defaults field by field. */
export function viewFromQuery(search) {
  const q = new URLSearchParams(search);
  const view = { ...DEFAULTS };
  if (TABS.includes(q.get('tab'))) view.tab = q.get('tab');
  const pair = (q.get('pair') || '').toUpperCase().split('/');
  if (pair.length === 2 && SYMBOL_RE.test(pair[0]) && SYMBOL_RE.test(pair[1])) [view.base, view.quote] = pair;
  if (TF_RE.test(q.get('tf') || '')) view.timeframe = q.get('tf');
  const from = parseTime(q.get('from'));
  const to = parseTime(q.get('to'));
  if (from != null && to != null && to > from) {
    view.from = from; view.to = to; view.lookback = null;
  } else if (SPAN_RE.test(q.get('lookback') || '')) {
    view.lookback = q.get('lookback');
  }
  const w = Number.parseInt(q.get('window'), 10);
  if (Number.isInteger(w) && w >= 2 && w <= 100000) view.window = w;
  const z = Number.parseFloat(q.get('z'));
  if (Number.isFinite(z) && z > 0 && z <= 20) view.z = z;
  if (['ols', 'tls'].includes(q.get('hedge'))) view.hedge = q.get('hedge');
  return view;
}

/** The query string of a view (defaults left out where that keeps links short). */
export function queryFromView(view) {
  const q = new URLSearchParams();
  q.set('tab', view.tab);
  if (view.base && view.quote) q.set('pair', `${view.base}/${view.quote}`);
  q.set('tf', view.timeframe);
  if (view.from != null && view.to != null) {
    q.set('from', isoMinute(view.from));
    q.set('to', isoMinute(view.to));
  } else {
    q.set('lookback', view.lookback || DEFAULTS.lookback);
  }
  q.set('window', String(view.window));
  q.set('z', String(view.z));
  q.set('hedge', view.hedge);
  return q.toString().replaceAll('%2F', '/').replaceAll('%3A', ':');
}

/** Writes the view into the address bar without adding a history entry. */
export function saveView(view) {
  const url = `${location.pathname}?${queryFromView(view)}`;
  if (url !== location.pathname + location.search) history.replaceState(null, '', url);
}

/** The API's range parameters of a view: from/to, or lookback. */
export function rangeParams(view) {
  if (view.from != null && view.to != null) return { from: view.from, to: view.to };
  return { lookback: view.lookback || DEFAULTS.lookback };
}

/** ISO-8601 UTC, seconds dropped when zero: 2023-01-02T00:00Z. */
export function isoMinute(ms) {
  const s = new Date(ms).toISOString();
  return s.endsWith(':00.000Z') ? s.slice(0, 16) + 'Z' : s.replace('.000Z', 'Z');
}

/** Span text (90s, 15m, 24h, 7d) in milliseconds; null when malformed. */
export function spanMs(text) {
  const m = /^([0-9]+)([smhd])$/.exec(text || '');
  if (!m) return null;
  return Number(m[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[m[2]];
}
