// Charts on canvas with Debian's dygraphs (a classic script, global `Dygraph`): candlesticks, volume
// bars, lines with bands and thresholds, panes that share one cursor and one zoom.
// Data arrives as columns and becomes dygraphs' native rows [t, v1, v2, …] with t in epoch ms (UTC).

import { fmtNumber, fmtTime, fmtCompact } from './format.js';

/* global Dygraph */

export const COLORS = Object.freeze({
  up: '#3fb97f', down: '#f2545b', upFill: 'rgba(63,185,127,0.55)', downFill: 'rgba(242,84,91,0.55)',
  line: '#5ea8ff', line2: '#f0b35a', mean: 'rgba(214,218,228,0.75)', band1: 'rgba(94,168,255,0.16)', band2: 'rgba(94,168,255,0.08)',
  bandEdge: 'rgba(94,168,255,0.45)', threshold: '#f0b35a', breach: 'rgba(242,84,91,0.6)', zone: 'rgba(242,84,91,0.07)', zero: 'rgba(204,204,220,0.35)',
  grid: 'rgba(204,204,220,0.08)', axis: 'rgba(204,204,220,0.25)',
});

// MARK: - Axis options shared by every pane

/** Digits that make the labels of an axis spanning `range` distinct. */
function axisDigits(range) {
  if (!Number.isFinite(range) || range <= 0) return 2;
  return Math.max(0, Math.min(8, Math.ceil(-Math.log10(range / 5)) + 1));
}

function yLabelFormatter(v, granularity, opts, g) {
  const [lo, hi] = g.yAxisRange();
  return fmtNumber(v, axisDigits(hi - lo));
}

function baseOptions({ axes = {}, ...extra }) {
  const options = {
    labelsUTC: true,
    legend: 'never',
    axisLineColor: COLORS.axis,
    gridLineColor: COLORS.grid,
    gridLinePattern: null,
    axisLabelFontSize: 11,
    rightGap: 8,
    xRangePad: 4,
    yRangePad: 8,
    highlightCircleSize: 3,
    resizable: 'passive',
    interactionModel: Dygraph.defaultInteractionModel,
    axes: {
      x: {
        ticker: Dygraph.dateTicker,
        axisLabelFormatter: Dygraph.dateAxisLabelFormatter,
        valueFormatter: (ms) => fmtTime(ms),
        pixelsPerLabel: 80,
      },
      y: { axisLabelFormatter: yLabelFormatter, axisLabelWidth: 64, pixelsPerLabel: 28 },
    },
    ...extra,
  };
  for (const axis of Object.keys(axes)) options.axes[axis] = { ...options.axes[axis], ...axes[axis] };
  return options;
}

// MARK: - Plotters

/** Smallest horizontal distance between neighbouring points, in canvas pixels. */
function minSpacing(points) {
  let min = Infinity;
  for (let i = 1; i < points.length; i++) {
    const d = points[i].canvasx - points[i - 1].canvasx;
    if (d > 0 && d < min) min = d;
  }
  return Number.isFinite(min) ? min : 8;
}

/** Draws all four series (open, high, low, close) as candles: green when close ≥ open, red otherwise. */
function candlePlotter(e) {
  if (e.seriesIndex !== 0) return;
  const sets = e.allSeriesPoints;
  if (sets.length < 4) return;
  const [open, high, low, close] = sets;
  const ctx = e.drawingContext;
  const width = Math.max(1, Math.min(15, Math.floor(minSpacing(open) * 0.7)));
  // One path per colour for the wicks and one fill per body: a few canvas calls per candle.
  const wicks = { up: new Path2D(), down: new Path2D() };
  const bodies = { up: [], down: [] };
  for (let i = 0; i < open.length; i++) {
    const o = open[i].canvasy; const h = high[i].canvasy; const l = low[i].canvasy; const c = close[i].canvasy;
    if (!(Number.isFinite(o) && Number.isFinite(h) && Number.isFinite(l) && Number.isFinite(c))) continue;
    const side = close[i].yval >= open[i].yval ? 'up' : 'down';
    const x = Math.round(open[i].canvasx) + 0.5;
    wicks[side].moveTo(x, h);
    wicks[side].lineTo(x, l);
    if (width >= 3) bodies[side].push(x - width / 2, Math.min(o, c), width, Math.max(1, Math.abs(o - c)));
  }
  ctx.save();
  ctx.lineWidth = 1;
  for (const side of ['up', 'down']) {
    const color = side === 'up' ? COLORS.up : COLORS.down;
    ctx.strokeStyle = color;
    ctx.stroke(wicks[side]);
    ctx.fillStyle = color;
    const b = bodies[side];
    for (let k = 0; k < b.length; k += 4) ctx.fillRect(b[k], b[k + 1], b[k + 2], b[k + 3]);
  }
  ctx.restore();
  lastPriceLine(ctx, e.plotArea, e.dygraph);
}

/** Draws one series as bars from zero, in the series' colour. */
function barPlotter(e) {
  const ctx = e.drawingContext;
  const points = e.points;
  const bottom = e.dygraph.toDomYCoord(0);
  const width = Math.max(1, Math.min(15, Math.floor(minSpacing(points) * 0.7)));
  ctx.save();
  ctx.fillStyle = e.color;
  for (const p of points) {
    if (!Number.isFinite(p.canvasy)) continue;
    ctx.fillRect(Math.round(p.canvasx - width / 2), p.canvasy, width, Math.max(0.5, bottom - p.canvasy));
  }
  ctx.restore();
}

/** dygraphs' crosshair extra (vertical line on the selected row), guarded against rows without values. */
function crosshair() {
  const plugin = new Dygraph.Plugins.Crosshair({ direction: 'vertical', strokeStyle: 'rgba(204,204,220,0.45)' });
  const select = plugin.select;
  plugin.select = function guardedSelect(e) {
    if (e.dygraph.selPoints_ && e.dygraph.selPoints_.length > 0) select.call(this, e);
  };
  return plugin;
}

// MARK: - Readout plugin: the values under the cursor, else the latest row, as plain text

class Readout {
  constructor(element, format) {
    this.element = element;
    this.format = format;
  }

  toString() { return 'pairbook readout'; }

  activate(g) {
    const showRow = (row) => {
      if (!this.element) return;
      const rows = g.numRows();
      if (rows === 0) { this.element.textContent = ''; return; }
      const r = row == null || row < 0 || row >= rows ? rows - 1 : row;
      this.element.textContent = this.format(g, r);
    };
    return {
      select: (e) => showRow(e.selectedRow),
      deselect: () => showRow(null),
      didDrawChart: () => showRow(g.getSelection()),
    };
  }
}

// MARK: - Chart: one dygraph that updates in place

/**
 * One pane. `update(rows)` swaps the data without re-creating the chart, so a user zoom (dateWindow),
 * hidden series and the crosshair survive.
 */
export class Chart {
  constructor(element, { labels, options = {}, readout = null, format = null }) {
    this.element = element;
    this.labels = labels;
    this.options = options;
    this.readout = readout;
    this.format = format;
    this.graph = null;
    this.data = [];
  }

  get drawn() { return this.graph !== null; }

  /** Draws or redraws with new rows; `resetZoom` for a new selection, not for a live update. */
  update(rows, { resetZoom = false } = {}) {
    this.data = rows;
    if (rows.length === 0) {
      this.clear();
      this.element.dataset.empty = '1';
      return;
    }
    delete this.element.dataset.empty;
    if (!this.graph) {
      const plugins = [crosshair()];
      if (this.readout && this.format) plugins.push(new Readout(this.readout, this.format));
      this.graph = new Dygraph(this.element, rows, baseOptions({ labels: this.labels, plugins, ...this.options }));
      return;
    }
    const g = this.graph;
    const selected = g.getSelection();
    const selectedX = selected >= 0 ? g.getValue(selected, 0) : null;
    const opts = { file: rows };
    if (resetZoom) { opts.dateWindow = null; opts.valueRange = null; }
    g.updateOptions(opts);
    if (selectedX !== null) {
      const row = g.getRowForX(selectedX);
      if (row !== null) g.setSelection(row);
    }
  }

  /** Replaces the last row (same time) or appends one (a newer time); older rows are ignored. */
  upsertLast(row) {
    const rows = this.data;
    if (!this.graph || rows.length === 0) return false;
    const last = rows[rows.length - 1];
    if (row[0] === last[0]) rows[rows.length - 1] = row;
    else if (row[0] > last[0]) rows.push(row);
    else return false;
    this.update(rows);
    return true;
  }

  /** Removes the dygraph (no data to show). */
  clear() {
    this.graph?.destroy();
    this.graph = null;
  }

  resize() { if (this.graph && this.element.clientWidth > 0) this.graph.resize(); }

  isZoomed() { return this.graph ? this.graph.isZoomed('x') : false; }
}

/**
 * Ties panes together: one cursor (dygraphs' synchronizer extra, selection only) and one zoom (x only; each
 * pane keeps its own y). Zoom is linked here rather than by the synchronizer because the synchronizer
 * re-draws every other pane on every draw of an unzoomed pane (it compares `null` windows as different),
 * which made each live update cost a redraw of all panes.
 */
export class PaneGroup {
  constructor(charts) {
    this.charts = charts;
    this.sync = null;
    this.graphs = null;
    this.linking = false;
  }

  /** Call after the panes have drawn; re-links when a pane was re-created. */
  link() {
    const graphs = this.charts.map((c) => c.graph).filter(Boolean);
    const same = this.graphs && this.graphs.length === graphs.length && this.graphs.every((g, i) => g === graphs[i]);
    if (same) return;
    // Start from clean callbacks rather than detaching the old link, which may hold a destroyed pane.
    this.sync = null;
    this.graphs = graphs;
    for (const g of graphs) g.updateOptions({ highlightCallback: null, unhighlightCallback: null, drawCallback: null }, true);
    if (graphs.length < 2) return;
    for (const g of graphs) g.updateOptions({ drawCallback: (me, initial) => this.followZoom(me, initial) }, true);
    this.sync = Dygraph.synchronize(graphs, { zoom: false, selection: true, range: false });
  }

  /** After a pane draws: give the others its x window when it differs (zoom, pan, reset). */
  followZoom(me, initial) {
    if (this.linking || initial || !this.graphs) return;
    const window = me.isZoomed('x') ? me.xAxisRange() : null;
    this.linking = true;
    try {
      for (const other of this.graphs) {
        if (other === me) continue;
        const current = other.isZoomed('x') ? other.xAxisRange() : null;
        if (sameWindow(current, window)) continue;
        other.updateOptions({ dateWindow: window });
      }
    } finally {
      this.linking = false;
    }
  }

  resize() { for (const c of this.charts) c.resize(); }
}

function sameWindow(a, b) {
  if (a === null || b === null) return a === b;
  return a[0] === b[0] && a[1] === b[1];
}

// MARK: - Chart kinds

/** A dashed line at the newest close with its price at the right edge, green or red as the last candle. */
function lastPriceLine(ctx, area, g) {
  const row = g.numRows() - 1;
  if (row < 0) return;
  const open = g.getValue(row, 1); const close = g.getValue(row, 4);
  if (!Number.isFinite(close)) return;
  const y = Math.round(g.toDomYCoord(close)) + 0.5;
  if (y < area.y || y > area.y + area.h) return;
  const color = close >= open ? COLORS.up : COLORS.down;
  const text = fmtNumber(close, digitsFor(close));
  ctx.save();
  ctx.strokeStyle = color;
  ctx.globalAlpha = 0.7;
  ctx.setLineDash([3, 3]);
  ctx.beginPath();
  ctx.moveTo(area.x, y);
  ctx.lineTo(area.x + area.w, y);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
  ctx.font = '11px system-ui, sans-serif';
  const width = ctx.measureText(text).width + 8;
  ctx.fillStyle = color;
  ctx.fillRect(area.x + area.w - width, y - 8, width, 16);
  ctx.fillStyle = '#0b0c0e';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, area.x + area.w - width + 4, y + 0.5);
  ctx.restore();
}

/** Candles of one symbol. Rows: [t, open, high, low, close]. */
export function candleChart(element, readout) {
  return new Chart(element, {
    labels: ['time', 'open', 'high', 'low', 'close'],
    readout,
    format: (g, r) => {
      const d = digitsFor(g.getValue(r, 4));
      return `${fmtTime(g.getValue(r, 0))}  O ${fmtNumber(g.getValue(r, 1), d)}  H ${fmtNumber(g.getValue(r, 2), d)}  ` +
        `L ${fmtNumber(g.getValue(r, 3), d)}  C ${fmtNumber(g.getValue(r, 4), d)}`;
    },
    options: {
      plotter: candlePlotter,
      colors: [COLORS.up, COLORS.up, COLORS.up, COLORS.up],
      axes: { x: { drawAxis: false } }, // the volume pane below carries the time axis
      xAxisHeight: 4,
    },
  });
}

/** Volume bars of one symbol, green on up bars and red on down bars. Rows: [t, upVolume|null, downVolume|null]. */
export function volumeChart(element, readout) {
  return new Chart(element, {
    labels: ['time', 'volume up', 'volume down'],
    readout,
    format: (g, r) => `Vol ${fmtCompact(g.getValue(r, 1) ?? g.getValue(r, 2))}`,
    options: {
      plotter: barPlotter,
      colors: [COLORS.upFill, COLORS.downFill],
      includeZero: true,
      axes: { y: { axisLabelFormatter: (v) => fmtCompact(v), pixelsPerLabel: 20 } },
    },
  });
}

/** Rows for candleChart and volumeChart from the API's columns. */
export function barRows(bars) {
  const n = bars.t.length;
  const candles = new Array(n);
  const volume = new Array(n);
  for (let i = 0; i < n; i++) {
    candles[i] = [bars.t[i], bars.o[i], bars.h[i], bars.l[i], bars.c[i]];
    volume[i] = barVolumeRow(bars.t[i], bars.o[i], bars.c[i], bars.v[i]);
  }
  return { candles, volume };
}

export function barVolumeRow(t, open, close, volume) {
  return close >= open ? [t, volume, null] : [t, null, volume];
}

/** Decimal places for prices around `v`. */
export function digitsFor(v) {
  const a = Math.abs(v ?? 0);
  if (a >= 1000) return 1;
  if (a >= 100) return 2;
  if (a >= 1) return 3;
  if (a >= 0.01) return 5;
  return 8;
}

/**
 * Lines with a fill between named band series, horizontal reference lines and shaded breaches.
 * @param {object} spec labels, colors, bands [{upper, lower, fill}], hlines() → [{y, color, dash}],
 *                      breach() → {series, threshold} or null, valueRange, readout format
 */
export function lineChart(element, readout, spec) {
  const chart = new Chart(element, {
    labels: spec.labels,
    readout,
    format: spec.format,
    options: {
      colors: spec.colors,
      // 1 px: Skia draws it as a hairline. Any wider and it strokes every join: a z-score of a day of 1 s bars
      // (1,300 zigzag rows) took 60 ms a draw at 1.4 px against 2 ms at 1 px.
      strokeWidth: 1,
      connectSeparatedPoints: false,
      series: spec.series || {},
      axes: spec.axes || {},
      valueRange: spec.valueRange,
      underlayCallback: (ctx, area, g) => drawUnderlay(ctx, area, g, spec, chart.data),
    },
  });
  return chart;
}

function seriesIndex(g, name) {
  return g.getLabels().indexOf(name); // column in the rows (0 is time)
}

function drawUnderlay(ctx, area, g, spec, rows) {
  if (!rows || rows.length === 0) return;
  const visibility = g.visibility();
  const [x0, x1] = g.xAxisRange();
  let first = lowerBound(rows, x0) - 1;
  let last = lowerBound(rows, x1) + 1;
  first = Math.max(0, first);
  last = Math.min(rows.length, last);
  ctx.save();
  ctx.beginPath();
  ctx.rect(area.x, area.y, area.w, area.h);
  ctx.clip();
  for (const band of spec.bands || []) {
    const up = seriesIndex(g, band.upper);
    const lo = seriesIndex(g, band.lower);
    if (up < 1 || lo < 1 || !visibility[up - 1]) continue;
    fillBetween(ctx, g, rows, first, last, (r) => r[up], (r) => r[lo], band.fill);
  }
  for (const line of spec.hlines ? spec.hlines() : []) {
    if (!Number.isFinite(line.y)) continue;
    const y = g.toDomYCoord(line.y);
    ctx.strokeStyle = line.color;
    ctx.lineWidth = 1;
    ctx.setLineDash(line.dash || []);
    ctx.beginPath();
    ctx.moveTo(area.x, Math.round(y) + 0.5);
    ctx.lineTo(area.x + area.w, Math.round(y) + 0.5);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  const breach = spec.breach ? spec.breach() : null;
  if (breach && Number.isFinite(breach.threshold)) {
    const col = seriesIndex(g, breach.series);
    const t = Math.abs(breach.threshold);
    // The zones beyond ±threshold are tinted; the parts of the curve inside them are filled.
    const above = g.toDomYCoord(t);
    const below = g.toDomYCoord(-t);
    ctx.fillStyle = COLORS.zone;
    if (above > area.y) ctx.fillRect(area.x, area.y, area.w, Math.min(above, area.y + area.h) - area.y);
    if (below < area.y + area.h) ctx.fillRect(area.x, Math.max(below, area.y), area.w, area.y + area.h - Math.max(below, area.y));
    if (col >= 1 && visibility[col - 1]) {
      fillBetween(ctx, g, rows, first, last, (r) => (r[col] == null ? null : Math.max(r[col], t)), () => t, COLORS.breach);
      fillBetween(ctx, g, rows, first, last, () => -t, (r) => (r[col] == null ? null : Math.min(r[col], -t)), COLORS.breach);
    }
  }
  ctx.restore();
}

/** First index whose time is ≥ x (rows sorted by time). */
function lowerBound(rows, x) {
  let lo = 0; let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid][0] < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * Fills the area between two curves over rows [first, last), breaking at nulls. Where the curves meet (a
 * breach's clamped z at its threshold, most of the time) the fill has nothing to add: the polygons break
 * there too, so a z-score's breaches are a few small polygons instead of one of every row.
 */
function fillBetween(ctx, g, rows, first, last, upper, lower, fill) {
  ctx.fillStyle = fill;
  let run = [];
  let meeting = null; // the last point where the curves met, where the next polygon starts
  const flush = () => {
    if (run.length > 1) {
      ctx.beginPath();
      run.forEach(([x, yu], i) => (i === 0 ? ctx.moveTo(x, yu) : ctx.lineTo(x, yu)));
      for (let i = run.length - 1; i >= 0; i--) ctx.lineTo(run[i][0], run[i][2]);
      ctx.closePath();
      ctx.fill();
    }
    run = [];
  };
  for (let i = first; i < last; i++) {
    const r = rows[i];
    const u = upper(r); const l = lower(r);
    if (u == null || l == null || !Number.isFinite(u) || !Number.isFinite(l)) { flush(); meeting = null; continue; }
    const point = [g.toDomXCoord(r[0]), g.toDomYCoord(u), g.toDomYCoord(l)];
    if (u === l) {
      if (run.length) { run.push(point); flush(); }
      meeting = point;
      continue;
    }
    if (!run.length && meeting) run.push(meeting);
    run.push(point);
  }
  flush();
}
