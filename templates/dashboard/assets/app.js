// The dashboard's entry point: composes the controls, the four tabs and the live stream, keeps the
// view in the URL, and sets the performance marks that tests and benchmarks read:
//   pairbook-early-requests when boot.js has started the first view's requests
//   pairbook-charts-drawn   once per navigation, when the first tab has drawn (also body[data-drawn="1"])
//   pairbook-control-changed / pairbook-redrawn   around every redraw caused by a control
//                           (also the measure pairbook-redraw and body[data-redraws] counting them)

import { getJSON, isAbort, Latest } from './api.js';
import { Analytics } from './analytics.js';
import { debounce, el, showError, showPanel } from './dom.js';
import { LiveStream } from './events.js';
import { fmtNumber, fmtTime } from './format.js';
import { hasDrawn, markDrawn } from './marks.js';
import { Overview } from './overview.js';
import { parseTime, saveView, spanMs, TABS, viewFromQuery } from './state.js';

const $ = (id) => document.getElementById(id);

let view = viewFromQuery(location.search);
let catalog = null; // the /api/symbols answer
let lastRange = null; // {from, to} of the newest bars answer
const latest = new Latest();

const ctx = {
  latest,
  view: () => view,
  timeframeMs: (tf) => spanMs(tf) ?? 60_000,
  timeframes: () => timeframesOf(view.base, view.quote),
  symbols: () => (catalog?.symbols || []).map((s) => s.symbol),
  /** "stored 2023-01-01 00:00 → 2023-01-03 23:59 UTC" for a symbol's timeframe, or ''. */
  storedText(symbol, timeframe) {
    const t = (catalog?.symbols.find((s) => s.symbol === symbol)?.timeframes || []).find((x) => x.timeframe === timeframe);
    return t ? `stored: ${fmtTime(t.first)} → ${fmtTime(t.last)} UTC` : '';
  },
  heatmapSymbols(v) {
    const others = (catalog?.symbols || [])
      .filter((s) => s.symbol !== v.base && s.symbol !== v.quote && (s.timeframes || []).some((t) => t.timeframe === v.timeframe))
      .map((s) => s.symbol);
    return [v.base, v.quote, ...others].slice(0, 12);
  },
  setRange(bars, unit = 'candle') {
    lastRange = { from: bars.from, to: bars.to };
    const bucket = bars.bucket > 1 ? ` · ${bars.bucket} bars per ${unit}` : '';
    $('footer-range').textContent = `${view.base}/${view.quote} · ${bars.timeframe} · ${fmtTime(bars.from)} → ${fmtTime(bars.to)} UTC · ` +
      `${fmtNumber(bars.count, 0)} bars${bucket}`;
  },
  drawn(reason) {
    markDrawn(reason);
    tabModule('alerts'); // for its notices and count of firing rules, once the first charts are up
  },
  failed(reason) {
    // 'link' is the early load of a linked pair: before the symbol list is in, the tab's next load reports.
    if (reason === 'live' || (reason === 'link' && !catalog)) return;
    document.body.dataset.failed = '1';
    tabModule('alerts');
  },
  showTab: (tab) => showTab(tab),
};

/**
 * The tabs. Alerts and Export load their modules later (not among the files the first charts wait for): Alerts
 * once the first tab has drawn, Export when it is opened.
 */
const tabs = { overview: new Overview(ctx), analytics: new Analytics(ctx), alerts: null, export: null };
const LATER = {
  alerts: () => import('./alerts.js').then((m) => new m.Alerts(ctx)),
  export: () => import('./export.js').then((m) => new m.Exports(ctx)),
};
const loadingTabs = new Map();
const earlyAlerts = []; // alert events that came before the Alerts module

/** The tab's module, loaded first when it is one of the later ones; null when it could not be loaded (said on its tab). */
function tabModule(name) {
  if (tabs[name]) return Promise.resolve(tabs[name]);
  if (!loadingTabs.has(name)) {
    loadingTabs.set(name, LATER[name]().then((module) => {
      tabs[name] = module;
      if (name === 'alerts') for (const event of earlyAlerts.splice(0)) module.onAlert(event);
      return module;
    }, (error) => {
      loadingTabs.delete(name); // the next visit tries again
      showError($(`${name}-error`), `Could not load this tab (${error.message}); reload the page.`);
      return null;
    }));
  }
  return loadingTabs.get(name);
}
const ALWAYS_RELOAD = new Set(['alerts', 'export']);

const stream = new LiveStream($('live-badge'), {
  bar: (bar) => {
    const overview = tabs.overview;
    if (!overview.panel.hidden) overview.onBar(bar);
    else if (bar.closed) overview.dirty = true;
    if (bar.closed) {
      if (!tabs.analytics.panel.hidden) tabs.analytics.onClosedBar(bar);
      else if (bar.symbol === view.base || bar.symbol === view.quote) tabs.analytics.dirty = true;
      tabs.alerts?.onClosedBar(bar);
    }
  },
  analytics: (event) => tabs.analytics.onAnalytics(event),
  alert: (event) => (tabs.alerts ? tabs.alerts.onAlert(event) : earlyAlerts.push(event)),
  status: (status) => tabs.overview.onStatus(status),
});

// MARK: - Tabs

function showTab(tab) {
  if (!TABS.includes(tab)) return;
  view = { ...view, tab };
  saveView(view);
  document.body.dataset.tab = tab;
  if (catalog) syncControls();
  for (const name of TABS) {
    const on = name === tab;
    $(`tab-${name}`).setAttribute('aria-selected', String(on));
    $(`tab-${name}`).tabIndex = on ? 0 : -1;
    $(`panel-${name}`).hidden = !on;
  }
  ensureShown(tab, hasDrawn() ? 'tab' : 'initial');
}

/** Loads the tab when what it shows is out of date, else only fits its charts to the panel. */
function ensureShown(tab, reason) {
  if (!view.base || !view.quote) return;
  const module = tabs[tab];
  if (!module) { // a later tab: load its module, then show it if it is still the tab shown
    tabModule(tab).then((loaded) => { if (loaded && view.tab === tab) ensureShown(tab, reason); });
    return;
  }
  if (module.loadingKey && module.loadingKey === module.key(view)) return; // already on its way
  if (reason === 'initial' && module.failedKey === module.key(view)) { // the linked load failed: say so once
    document.body.dataset.failed = '1';
    return;
  }
  if (module.drawnKey !== module.key(view) || module.dirty || ALWAYS_RELOAD.has(tab)) {
    const force = module.dirty === true;
    module.dirty = false;
    module.load(view, reason, { force });
  } else {
    if (module.setThreshold && module.view && module.view.z !== view.z) module.setThreshold(view); // changed on another tab
    module.resize?.();
    if (!hasDrawn()) ctx.drawn(reason);
  }
}

for (const name of TABS) {
  $(`tab-${name}`).addEventListener('click', () => showTab(name));
  $(`tab-${name}`).addEventListener('keydown', (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    const next = TABS[(TABS.indexOf(name) + step + TABS.length) % TABS.length];
    showTab(next);
    $(`tab-${next}`).focus();
  });
}

// MARK: - Controls

function timeframesOf(base, quote) {
  const of = (symbol) => new Set((catalog?.symbols.find((s) => s.symbol === symbol)?.timeframes || []).map((t) => t.timeframe));
  const a = of(base); const b = of(quote);
  const both = [...a].filter((t) => b.has(t));
  const list = both.length ? both : [...new Set([...a, ...b])];
  return list.sort((x, y) => (spanMs(x) ?? 0) - (spanMs(y) ?? 0));
}

function fillSelect(select, values, current, label = (v) => v) {
  select.replaceChildren(...values.map((v) => el('option', { value: v, text: label(v) })));
  if (values.includes(current)) select.value = current;
}

/** Puts the view into the controls (after a load from the URL, or a correction). */
function syncControls() {
  const symbols = (catalog?.symbols || []).map((s) => s.symbol);
  fillSelect($('ctl-base'), symbols, view.base);
  fillSelect($('ctl-quote'), symbols, view.quote);
  fillSelect($('ctl-timeframe'), timeframesOf(view.base, view.quote), view.timeframe);
  const fixed = view.from != null;
  $('ctl-range-mode').value = fixed ? 'fixed' : 'lookback';
  document.body.dataset.range = fixed ? 'fixed' : 'lookback';
  const lookback = $('ctl-lookback');
  if (view.lookback && ![...lookback.options].some((o) => o.value === view.lookback)) {
    lookback.append(el('option', { value: view.lookback, text: view.lookback }));
  }
  if (view.lookback) lookback.value = view.lookback;
  if (fixed) {
    $('ctl-from').value = fmtTime(view.from);
    $('ctl-to').value = fmtTime(view.to);
  }
  const range = fixed ? `${fmtTime(view.from)} → ${fmtTime(view.to)}` : `last ${view.lookback}`;
  const analytics = view.tab !== 'alerts' ? ` · w ${view.window} · ±${view.z}σ · ${view.hedge.toUpperCase()}` : '';
  $('controls-summary').textContent = `${view.base}/${view.quote} · ${view.timeframe} · ${range}${analytics}`;
  document.title = `${view.base}/${view.quote} ${view.timeframe} · ${view.tab} · pairbook`;
  $('ctl-window').value = String(view.window);
  $('ctl-z').value = String(view.z);
  $('ctl-hedge').value = view.hedge;
}

/** Makes the view valid against the stored symbols: a pair of two stored symbols and a timeframe both have. */
function correctView() {
  const symbols = (catalog?.symbols || []).map((s) => s.symbol);
  if (symbols.length < 2) return false;
  const pick = (wanted, avoid) => (symbols.includes(wanted) && wanted !== avoid ? wanted
    : ['BTCUSDT', 'ETHUSDT', ...symbols].find((s) => symbols.includes(s) && s !== avoid));
  const base = pick(view.base, null);
  const quote = pick(view.quote, base);
  const tfs = timeframesOf(base, quote);
  const timeframe = tfs.includes(view.timeframe) ? view.timeframe : tfs.includes('1m') ? '1m' : tfs[0];
  view = { ...view, base, quote, timeframe };
  return true;
}

/** A control changed the view: save it, redraw the shown tab, follow with the live stream. */
function changeView(patch, { redrawOnly = false } = {}) {
  performance.clearMarks('pairbook-control-changed');
  performance.mark('pairbook-control-changed');
  view = { ...view, ...patch };
  saveView(view);
  syncControls();
  stream.watch([view.base, view.quote], view.timeframe);
  const module = tabs[view.tab];
  if (!module) return; // a later tab on its way: it loads with this view
  if (redrawOnly && module.setThreshold && module.drawnKey === module.key(view)) {
    module.setThreshold(view);
    ctx.drawn('control');
    return;
  }
  if (module.drawnKey !== module.key(view) || ALWAYS_RELOAD.has(view.tab)) module.load(view, 'control');
  else ctx.drawn('control');
}

function controlProblem(message) {
  showError($(`${view.tab}-error`), message);
}

$('ctl-base').addEventListener('change', (e) => {
  const base = e.target.value;
  changeView(base === view.quote ? { base, quote: view.base } : { base });
});
$('ctl-quote').addEventListener('change', (e) => {
  const quote = e.target.value;
  changeView(quote === view.base ? { quote, base: view.quote } : { quote });
});
$('ctl-swap').addEventListener('click', () => changeView({ base: view.quote, quote: view.base }));
$('ctl-timeframe').addEventListener('change', (e) => changeView({ timeframe: e.target.value }));
$('ctl-range-mode').addEventListener('change', (e) => {
  if (e.target.value === 'lookback') {
    changeView({ from: null, to: null, lookback: $('ctl-lookback').value || '24h' });
    return;
  }
  // From/to starts as the window shown now, so switching mode changes nothing until edited.
  let range = lastRange;
  if (!range) {
    const newest = (catalog?.symbols.find((s) => s.symbol === view.base)?.timeframes || []).find((t) => t.timeframe === view.timeframe)?.last;
    const to = newest != null ? newest + ctx.timeframeMs(view.timeframe) : Date.now();
    range = { from: to - (spanMs(view.lookback) ?? 864e5), to };
  }
  changeView({ from: range.from, to: range.to, lookback: null });
});
$('ctl-lookback').addEventListener('change', (e) => changeView({ lookback: e.target.value, from: null, to: null }));
/** "2023-01-02 00:00" (UTC, as shown) or any ISO-8601 / epoch ms text → epoch ms. */
const readTime = (input) => {
  const ms = parseTime(input.value.trim().replace(' ', 'T'));
  if (ms == null) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
  return ms;
};
const changeFixedRange = debounce(() => {
  const from = readTime($('ctl-from'));
  const to = readTime($('ctl-to'));
  if (from == null || to == null) { controlProblem('Times are UTC, written like 2023-01-02 00:00.'); return; }
  if (to <= from) { controlProblem('The range ends before it starts: “To” must be after “From”.'); return; }
  controlProblem(null);
  changeView({ from, to, lookback: null });
}, 300);
$('ctl-from').addEventListener('change', changeFixedRange);
$('ctl-to').addEventListener('change', changeFixedRange);
/**
 * A number box: a committed value (`change`: Enter, the spinner, leaving the box) applies at once; typing applies
 * after `ms` without a keystroke, so a half-typed "1" of "120" does not start a load.
 */
function numberControl(input, ms, apply) {
  const applyNow = () => {
    later.cancel();
    apply(input);
  };
  const later = debounce(() => apply(input), ms);
  input.addEventListener('input', later);
  input.addEventListener('change', applyNow);
}
numberControl($('ctl-window'), 400, (input) => {
  const w = Number(input.value);
  if (!Number.isInteger(w) || w < 2 || w > 10000) {
    input.setAttribute('aria-invalid', 'true');
    return;
  }
  input.removeAttribute('aria-invalid');
  if (w !== view.window) changeView({ window: w });
});
numberControl($('ctl-z'), 250, (input) => {
  const z = Number(input.value);
  if (!Number.isFinite(z) || z <= 0 || z > 20) {
    input.setAttribute('aria-invalid', 'true');
    return;
  }
  input.removeAttribute('aria-invalid');
  if (z !== view.z) changeView({ z }, { redrawOnly: true });
});
$('ctl-hedge').addEventListener('change', (e) => changeView({ hedge: e.target.value }));
$('controls').addEventListener('submit', (e) => e.preventDefault());
$('controls-toggle').addEventListener('click', () => {
  const open = document.body.dataset.controls !== 'open';
  document.body.dataset.controls = open ? 'open' : 'closed';
  $('controls-toggle').setAttribute('aria-expanded', String(open));
});

window.addEventListener('resize', debounce(() => tabs[view.tab]?.resize?.(), 150));

// A handle for the browser console and the browser tests (read-only use; the page never reads it).
window.pairbook = Object.freeze({ tabs, stream, view: () => view });

// MARK: - Start

async function start() {
  showPanel(view.tab);
  // A link names the pair: draw it while the symbol list loads (one round trip less before the charts).
  if (view.base && view.quote && (view.tab === 'overview' || view.tab === 'analytics')) tabs[view.tab].load(view, 'link');
  try {
    catalog = await getJSON('/api/symbols');
  } catch (error) {
    if (isAbort(error)) return;
    showError($(`${view.tab}-error`), `Could not list the stored symbols: ${error.message}`);
    document.body.dataset.failed = '1';
    return;
  }
  if (!correctView()) {
    showError($(`${view.tab}-error`), 'Fewer than two symbols are stored: import trades or klines, or start a collector, then reload.');
    document.body.dataset.failed = '1';
    return;
  }
  saveView(view);
  syncControls();
  stream.watch([view.base, view.quote], view.timeframe);
  showTab(view.tab);
}

start();
