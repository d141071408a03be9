// A report script as a live page (/reports/<name>): its params as form controls kept in the URL, its cells as
// interactive charts and tables from /api/reports/<name>/page, refreshed in place when a bar of its symbols closes.
// The dashboard's marks for tests and benchmarks (marks.js), and body[data-failed="1"] when the first load failed.

import { getJSON, isAbort, Latest } from './api.js';
import { barRows, candleChart, COLORS, lineChart, PaneGroup, volumeChart } from './charts.js';
import { debounce, el, safeFragment, showError } from './dom.js';
import { LiveStream } from './events.js';
import { fmtNumber, fmtStat, fmtTime } from './format.js';
import { hasDrawn, markControlChanged, markDrawn } from './marks.js';
import { paramControl, paramText, paramValid } from './params.js';

const $ = (id) => document.getElementById(id);
const scriptName = document.querySelector('meta[name="pairbook-script"]')?.content || '';
const PAGE_PARAMS = new Set(['points']);
const LINE_COLORS = [COLORS.line, COLORS.line2, '#b48cff', '#4fd1c5', '#f78fb3', '#c0ca33'];
const noLine = () => {};

const latest = new Latest();
let catalog = null;     // the /api/symbols answer
let declared = [];      // the script's params as the last answer described them
let shape = null;       // the structure of the drawn sections; the same structure is updated in place
let cells = [];         // one {update(item, resetZoom)} per drawn item
let watched = [];       // the symbols of the page: their closing bars and alerts refresh it
// Every time chart of the page shares one cursor and one zoom (each keeps its own y axis).
const panes = new PaneGroup([]);
// For tests: the drawn charts (dygraph, rows) in page order.
window.pairbook = { charts: () => panes.charts };

const ctx = {
  symbols: () => (catalog?.symbols || []).map((s) => s.symbol),
  timeframes: () => [...new Set((catalog?.symbols || []).flatMap((s) => (s.timeframes || []).map((t) => t.timeframe)))],
};

// MARK: - Params in the URL

/** The params of the URL (without the page's own keys). */
function urlParams() {
  const params = {};
  for (const [key, value] of new URLSearchParams(location.search)) if (!PAGE_PARAMS.has(key)) params[key] = value;
  return params;
}

/** Reads the form into the URL: only values that differ from the script's defaults. */
function saveParams(form) {
  const query = new URLSearchParams();
  for (const param of declared) {
    const input = form.elements[`param-${param.name}`];
    if (!input) continue;
    const text = paramText(param, input);
    if (text !== '' && text !== param.default) query.set(param.name, text);
  }
  const search = query.toString().replaceAll('%2F', '/').replaceAll('%2C', ',');
  history.replaceState(null, '', search ? `?${search}` : location.pathname);
}

function renderParams(params) {
  const form = $('script-params');
  const fields = $('script-param-fields');
  const names = params.map((p) => p.name).join(',');
  if (fields.dataset.names === names) {
    // Same params: show the values used, but never under the user's cursor.
    for (const param of params) {
      const input = form.elements[`param-${param.name}`];
      if (input && input !== document.activeElement && input.type !== 'checkbox' && paramText(param, input) !== param.value) {
        if (input.tagName !== 'SELECT' || [...input.options].some((o) => o.value === param.value)) input.value = param.value;
      }
    }
    return;
  }
  fields.dataset.names = names;
  fields.replaceChildren(...params.map((param) => paramControl(param, param.value, ctx)));
}

// MARK: - Loading

function pointsFor() {
  const width = $('script-sections').clientWidth || window.innerWidth;
  return Math.max(200, Math.min(4000, Math.round(width)));
}

async function load(reason) {
  const signal = latest.signal('page');
  if (reason === 'control') markControlChanged();
  try {
    const answer = await getJSON(`/api/reports/${encodeURIComponent(scriptName)}/page`, { ...urlParams(), points: pointsFor() }, { signal });
    declared = answer.params;
    renderParams(answer.params);
    render(answer, reason === 'control');
    showError($('script-error'), null);
    watched = answer.symbols;
    if (watched.length > 0) stream.watch(watched, answer.timeframe);
    markDrawn(reason);
  } catch (error) {
    if (isAbort(error)) return;
    showError($('script-error'), reason === 'live' ? `Live update failed: ${error.message}` : error);
    if (!hasDrawn() && reason !== 'live') document.body.dataset.failed = '1';
  } finally {
    latest.done('page', signal);
  }
}

// MARK: - Rendering

function render(page, resetZoom) {
  document.title = `${page.title} · pairbook`;
  $('script-title').textContent = page.title;
  $('script-subtitle').textContent = page.subtitle || '';
  $('script-subtitle').hidden = !page.subtitle;
  $('script-window').textContent = `${fmtTime(page.from)} → ${fmtTime(page.to)} UTC · ${page.timeframe} bars`;
  $('script-notices').replaceChildren(...page.notices.map((text) => el('li', { text })));
  const findings = $('script-findings');
  findings.textContent = page.findingsSummary;
  findings.dataset.firing = page.firing > 0 ? '1' : '0';

  const key = JSON.stringify(page.sections.map((s) => [s.id, s.title, s.items.map(itemShape)]));
  if (key === shape) {
    let i = 0;
    for (const section of page.sections) for (const item of section.items) cells[i++].update(item, resetZoom);
    linkPanes();
    return;
  }
  shape = key;
  for (const cell of cells) cell.destroy?.();
  cells = [];
  $('script-nav').replaceChildren(...page.sections.filter((s) => s.title)
    .map((s) => el('a', { href: `#${s.id}`, text: s.title })));
  const sections = page.sections.map((section) => {
    const grid = el('div', { class: 'script-cells' });
    for (const item of section.items) {
      const cell = makeCell(item, cells.length);
      cells.push(cell);
      grid.append(cell.node);
    }
    balanceRows(grid);
    return el('section', { class: 'script-section', id: section.id, dataset: { testid: `section-${section.id}` } },
      section.title ? el('h2', { text: section.title }) : null, grid);
  });
  $('script-sections').replaceChildren(...sections);
  for (const cell of cells) cell.afterInsert?.();
  linkPanes();
}

function linkPanes() {
  panes.charts = cells.flatMap((cell) => cell.charts || []);
  panes.link();
}

/** On two columns, a half-width card alone on its row (between full-width items) takes the whole row. */
function balanceRows(grid) {
  let run = [];
  const flush = () => {
    if (run.length % 2 === 1) run[run.length - 1].classList.add('wide');
    run = [];
  };
  for (const node of grid.children) {
    if (node.classList.contains('script-cell') && !node.classList.contains('wide')) run.push(node);
    else flush();
  }
  flush();
}

function itemShape(item) {
  if (item.kind !== 'chart') return item.kind;
  const c = item.chart;
  return `chart:${c.kind}:${(c.series || []).map((s) => s.name).join('|')}:${c.bands ? c.bands.multiples.join('|') : ''}`;
}

function makeCell(item, index) {
  switch (item.kind) {
    case 'prose': return proseCell(item);
    case 'chart':
      if (item.chart.kind === 'candlestick') return candleCell(item, index);
      if (item.chart.kind === 'heatmap') return heatmapCell(item, index);
      return lineCell(item, index);
    case 'table': return tableCell(item, index);
    case 'findings': return findingsCell(item, index);
    default: return textCell(item);
  }
}

/** Calls `apply(value)` only when the value differs from the one shown (no flicker on a live refresh). */
function changes(apply) {
  let last = null;
  return (value) => {
    const json = JSON.stringify(value);
    if (json === last) return;
    last = json;
    apply(value);
  };
}

function proseCell(item) {
  const node = el('div', { class: 'prose' });
  const show = changes((html) => node.replaceChildren(safeFragment(html)));
  show(item.html);
  return { node, update: (next) => show(next.html) };
}

function textCell(item) {
  const node = el('p', { class: item.kind === 'notice' ? 'script-notice' : 'muted' });
  const show = changes((text) => { node.textContent = text; });
  show(item.text);
  return { node, update: (next) => show(next.text) };
}

/**
 * A cell's card: a head (title, subtitle, readout), the content the cell appends, then a caption. `label(x)` shows
 * `x.title`, `x.subtitle` and `x.caption` (again on every refresh: a window or a symbol in them changes); `close()`
 * puts the caption after the content.
 */
function card(testid, wide) {
  const title = el('h3');
  const meta = el('span', { class: 'chart-meta' });
  const readout = el('span', { class: 'chart-meta readout' });
  const note = el('p', { class: 'caption muted' });
  const node = el('div', { class: `chart-card script-cell${wide ? ' wide' : ''}`, dataset: { testid } },
    el('div', { class: 'chart-head' }, title, meta, readout));
  const label = (x) => {
    title.textContent = x.title || '';
    meta.textContent = x.subtitle || '';
    meta.hidden = !x.subtitle;
    note.textContent = x.caption || '';
    note.hidden = !x.caption;
  };
  return { node, readout, label, close: () => node.append(note) };
}

// MARK: - Charts

function candleCell(item, index) {
  const c = item.chart;
  const { node, readout, label, close } = card(`cell-${index}`, true);
  node.dataset.kind = 'candlestick';
  const priceBox = el('div', { class: 'chart chart-candle', dataset: { testid: `chart-${index}` } });
  const volumeBox = el('div', { class: 'chart chart-volume' });
  node.append(priceBox, volumeBox);
  close();
  const price = candleChart(priceBox, readout);
  const volume = volumeChart(volumeBox, null);
  let pending = c;
  const draw = (chart, resetZoom) => {
    label(chart);
    const rows = barRows(chart.bars);
    price.update(rows.candles, { resetZoom });
    volume.update(rows.volume, { resetZoom });
    priceBox.dataset.points = String(rows.candles.length);
    priceBox.dataset.last = rows.candles.length ? String(rows.candles[rows.candles.length - 1][4]) : '';
    priceBox.dataset.symbol = chart.bars.symbol;
  };
  return {
    node,
    charts: [price, volume],
    afterInsert: () => { draw(pending, true); pending = null; },
    update: (next, resetZoom) => draw(next.chart, resetZoom),
    destroy: () => { price.clear(); volume.clear(); },
  };
}

/** dygraphs rows [t, line values…, band edges…] and the labels and options of a line chart. */
function lineData(c) {
  const bandNames = [];
  for (const k of [...(c.bands?.multiples || [])].reverse()) bandNames.push(`+${k}σ`, `−${k}σ`);
  const labels = ['time', ...c.series.map((s) => s.name), ...bandNames];
  const rows = new Array(c.t.length);
  for (let i = 0; i < c.t.length; i++) {
    const row = [c.t[i]];
    for (const s of c.series) row.push(s.values[i]);
    if (c.bands) {
      const center = c.bands.center[i]; const width = c.bands.width[i];
      for (const k of [...c.bands.multiples].reverse()) {
        const ok = center != null && width != null;
        row.push(ok ? center + k * width : null, ok ? center - k * width : null);
      }
    }
    rows[i] = row;
  }
  return { labels, rows, bandNames };
}

function lineCell(item, index) {
  let c = item.chart;
  const { node, readout, label, close } = card(`cell-${index}`, false);
  node.dataset.kind = 'line';
  const legend = el('div', { class: 'legend' });
  const box = el('div', { class: 'chart chart-line', dataset: { testid: `chart-${index}` } });
  node.append(legend, box);
  close();
  label(c);
  const first = lineData(c);
  const colors = c.series.map((s, i) => (s.dashed ? COLORS.mean : LINE_COLORS[i % LINE_COLORS.length]));
  for (const [i, s] of c.series.entries()) {
    const swatch = el('span', { class: 'swatch' });
    swatch.style.background = colors[i];
    legend.append(el('span', { class: 'legend-item' }, swatch, s.name));
  }
  const series = {};
  for (const s of c.series) if (s.dashed) series[s.name] = { strokeWidth: 1 };
  for (const name of first.bandNames) series[name] = { plotter: noLine };
  const fills = [COLORS.band1, COLORS.band2];
  const multiples = [...(c.bands?.multiples || [])].sort((a, b) => b - a);
  const chart = lineChart(box, readout, {
    labels: first.labels,
    colors: [...colors, ...first.bandNames.map(() => COLORS.bandEdge)],
    series,
    valueRange: c.valueRange || undefined,
    bands: multiples.map((k, i) => ({ upper: `+${k}σ`, lower: `−${k}σ`, fill: fills[Math.min(fills.length - 1, multiples.length - 1 - i)] })),
    hlines: () => (c.references || []).map((r) => ({ y: r.value, color: r.label ? COLORS.threshold : COLORS.zero, dash: r.dashed ? [6, 4] : [] })),
    breach: () => (c.breaches ? { series: c.breaches.series, threshold: c.breaches.upper ?? c.breaches.lower } : null),
    format: (g, r) => `${fmtTime(g.getValue(r, 0))}  ` + c.series.map((s, i) => `${s.name} ${fmtStat(g.getValue(r, i + 1), 5)}`).join('  '),
  });
  let pending = first.rows;
  const draw = (rows, resetZoom) => {
    chart.update(rows, { resetZoom });
    box.dataset.points = String(rows.length);
    const lastDefined = [...rows].reverse().find((row) => row[1] != null);
    box.dataset.last = lastDefined ? String(lastDefined[1]) : '';
  };
  return {
    node,
    charts: [chart],
    afterInsert: () => { draw(pending, true); pending = null; },
    update: (next, resetZoom) => {
      c = next.chart;
      label(c);
      draw(lineData(c).rows, resetZoom);
    },
    destroy: () => chart.clear(),
  };
}

function heatmapCell(item, index) {
  const c = item.chart;
  const { node, label, close } = card(`cell-${index}`, false);
  node.dataset.kind = 'heatmap';
  const holder = el('div', { class: 'table-scroll' });
  node.append(holder);
  close();
  const show = changes((chart) => {
    label(chart);
    const head = el('tr', {}, el('th', {}), ...chart.labels.map((label) => el('th', { scope: 'col', text: label })));
    const body = chart.labels.map((label, i) => el('tr', {}, el('th', { scope: 'row', text: label }),
      ...chart.values[i].map((v, j) => {
        const td = el('td', { class: 'num', text: fmtNumber(v, chart.decimals ?? 2), title: `${label} × ${chart.labels[j]}` });
        td.style.background = chart.colors[i][j];
        td.style.color = darkText(chart.colors[i][j]) ? '#0b0c0e' : '#f5f6f8';
        return td;
      })));
    holder.replaceChildren(el('table', { class: 'heatmap-table', dataset: { testid: `chart-${index}` } },
      el('thead', {}, head), el('tbody', {}, ...body)));
  });
  show(c);
  return { node, update: (next) => show(next.chart) };
}

/** Whether text on `#rrggbb` should be dark (a light background). */
function darkText(hex) {
  const n = Number.parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  return 0.299 * r + 0.587 * g + 0.114 * b > 140;
}

// MARK: - Tables

function tableCell(item, index) {
  const t = item.table;
  const { node, label, close } = card(`cell-${index}`, t.columns.length > 5); // wide tables take the row
  node.dataset.kind = 'table';
  const holder = el('div', { class: 'table-scroll' });
  node.append(holder);
  close();
  const show = changes((table) => {
    label({ title: table.title || 'Table', caption: table.caption });
    const numeric = new Set(table.numeric);
    const keyValue = table.columns.length === 2;
    holder.replaceChildren(el('table', { class: keyValue ? 'stats' : 'data', dataset: { testid: `table-${index}` } },
      keyValue ? null : el('thead', {}, el('tr', {}, ...table.columns.map((col, i) => el('th', { class: numeric.has(i) ? 'num' : null, text: col })))),
      el('tbody', {}, ...table.rows.map((row) => el('tr', {}, ...row.map((cell, i) =>
        (keyValue && i === 0 ? el('th', { scope: 'row', text: cell })
          : el('td', { class: numeric.has(i) ? 'num' : null, text: cell, dataset: { label: table.columns[i] } }))))))));
  });
  show(t);
  return { node, update: (next) => show(next.table) };
}

function findingsCell(item, index) {
  const f = item.findings;
  const { node, label } = card(`cell-${index}`, true);
  node.dataset.kind = 'findings';
  const holder = el('div', { class: 'table-scroll' });
  node.append(holder);
  const show = changes((findings) => {
    label(findings);
    if (findings.rows.length === 0) {
      holder.replaceChildren(el('p', { class: 'muted', text: findings.emptyText }));
      return;
    }
    holder.replaceChildren(el('table', { class: 'data', dataset: { testid: `findings-${index}` } },
      el('thead', {}, el('tr', {}, ...['State', 'Rule', 'Target', 'Value', 'Condition', 'Since', 'Summary']
        .map((h) => el('th', { class: h === 'Value' ? 'num' : null, text: h })))),
      el('tbody', {}, ...findings.rows.map((r) => el('tr', {},
        el('td', { class: 'cell-state' }, el('span', { class: 'pill', dataset: { state: r.state }, text: r.state })),
        el('td', { class: 'cell-name', text: r.rule }),
        el('td', { class: 'mono', text: r.subject, dataset: { label: 'Target' } }),
        el('td', { class: 'num', text: r.value, dataset: { label: 'Value' } }),
        el('td', { class: 'mono', text: r.condition, dataset: { label: 'Condition' } }),
        el('td', { text: [r.since, r.duration].filter(Boolean).join(' · ') || '–', dataset: { label: 'Since' } }),
        el('td', { class: 'muted', text: r.summary, dataset: { label: 'Summary' } }))))));
  });
  show(f);
  return { node, update: (next) => show(next.findings) };
}

// MARK: - Start

const refreshSoon = debounce(() => load('live'), 500);
const stream = new LiveStream($('live-badge'), {
  bar: (bar) => { if (bar.closed) refreshSoon(); },
  alert: (event) => { if (String(event.pair).split('/').some((s) => watched.includes(s))) refreshSoon(); },
});

const form = $('script-params');
const changed = debounce(() => {
  const invalid = [...form.elements].filter((input) => input.name?.startsWith('param-') && !paramValid(input));
  if (invalid.length > 0) {
    showError($('script-error'), `${invalid.map((i) => i.name.slice(6)).join(', ')}: ${invalid[0].validationMessage}`);
    return;
  }
  saveParams(form);
  load('control');
}, 300);
form.addEventListener('input', (event) => { if (event.target.type !== 'checkbox' && event.target.tagName !== 'SELECT') changed(); });
form.addEventListener('change', (event) => {
  swapIfSame(event.target);
  changed();
});

/**
 * Picking for one symbol param the symbol another one holds (base := quote) swaps the two, as a trader means it,
 * instead of asking for a pair of one symbol.
 */
function swapIfSame(input) {
  const param = declared.find((p) => `param-${p.name}` === input.name);
  if (!param || param.type !== 'symbol') return;
  for (const other of declared) {
    const otherInput = form.elements[`param-${other.name}`];
    if (other === param || other.type !== 'symbol' || !otherInput || otherInput.value !== input.value) continue;
    if ([...(otherInput.options || [])].some((o) => o.value === param.value)) otherInput.value = param.value;
  }
}
form.addEventListener('submit', (event) => { event.preventDefault(); changed(); });

(async () => {
  try {
    catalog = await getJSON('/api/symbols');
  } catch (error) {
    showError($('script-error'), `Could not list the stored symbols: ${error.message}`);
  }
  await load('initial');
})();
