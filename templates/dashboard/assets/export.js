// Export tab: CSV downloads for the current selection, report scripts run now with the selection as
// their params, and the latest scheduled reports.

import { getJSON, isAbort, send, url } from './api.js';
import { el, showError } from './dom.js';
import { fmtTime } from './format.js';
import { paramControl, readParam } from './params.js';
import { isoMinute, rangeParams } from './state.js';

export class Exports {
  constructor(ctx) {
    this.ctx = ctx;
    this.panel = document.getElementById('panel-export');
    this.error = document.getElementById('export-error');
    this.downloads = document.getElementById('downloads');
    this.windowText = document.getElementById('export-window');
    this.reports = document.getElementById('reports');
    this.view = null;
    this.drawnKey = null;
    this.scripts = [];
    this.results = new Map(); // script name → last run answer (kept across re-renders)
  }

  key(view) {
    return JSON.stringify([view.base, view.quote, view.timeframe, view.lookback, view.from, view.to, view.window, view.z, view.hedge]);
  }

  async load(view, reason) {
    this.view = view;
    this.renderDownloads(view);
    const signal = this.ctx.latest.signal('reports');
    try {
      const answer = await getJSON('/api/reports', {}, { signal });
      showError(this.error, null);
      this.scripts = answer.scripts || [];
      this.renderReports(view);
      this.drawnKey = this.key(view);
      this.panel.dataset.drawn = '1';
      this.ctx.drawn(reason);
    } catch (error) {
      if (isAbort(error)) return;
      showError(this.error, `Could not list the report scripts: ${error.message}`);
      this.ctx.failed(reason, error);
    } finally {
      this.ctx.latest.done('reports', signal);
    }
  }

  // MARK: - CSV downloads

  renderDownloads(view) {
    const range = rangeParams(view);
    const pair = `${view.base}/${view.quote}`;
    const items = [
      ['bars-base', `${view.base} bars`, `${view.timeframe} OHLCV, as pairbook export bars`,
        url('/api/export/bars.csv', { symbol: view.base, timeframe: view.timeframe, ...range })],
      ['bars-quote', `${view.quote} bars`, `${view.timeframe} OHLCV, as pairbook export bars`,
        url('/api/export/bars.csv', { symbol: view.quote, timeframe: view.timeframe, ...range })],
      ['ticks-base', `${view.base} ticks`, 'every stored trade, as pairbook export ticks',
        url('/api/export/ticks.csv', { symbol: view.base, ...range })],
      ['ticks-quote', `${view.quote} ticks`, 'every stored trade, as pairbook export ticks',
        url('/api/export/ticks.csv', { symbol: view.quote, ...range })],
      ['analytics', `${pair} analytics`, `spread, z, rolling β and correlation per bar (window ${view.window}, ${view.hedge.toUpperCase()})`,
        url('/api/export/analytics.csv', { pair, timeframe: view.timeframe, window: view.window, hedge: view.hedge, ...range })],
      ['findings', `${pair} findings`, 'alert transitions in the range',
        url('/api/export/findings.csv', { pair, timeframe: view.timeframe, ...range })],
    ];
    this.downloads.replaceChildren(...items.map(([id, label, detail, href]) => el('li', { class: 'download' },
      el('a', { class: 'btn', href, download: '', dataset: { testid: `download-${id}` } }, el('span', { class: 'download-icon', 'aria-hidden': 'true', text: '↓' }), `${label}.csv`),
      el('span', { class: 'muted', text: detail }))));
    this.windowText.textContent = view.from != null
      ? `${fmtTime(view.from)} → ${fmtTime(view.to)} UTC`
      : `last ${view.lookback} up to the newest stored bar`;
  }

  // MARK: - Reports

  renderReports(view) {
    if (this.scripts.length === 0) {
      this.reports.replaceChildren(el('p', { class: 'muted', text: 'No report scripts in the reports folder (serve --reports DIR).' }));
      return;
    }
    this.reports.replaceChildren(...this.scripts.map((script) => this.scriptCard(script, view)));
  }

  scriptCard(script, view) {
    const form = el('form', { class: 'report-params', dataset: { testid: `report-form-${script.name}` } });
    for (const param of script.params || []) form.append(paramControl(param, paramValue(param, view), this.ctx));
    const run = el('button', { type: 'submit', class: 'btn btn-primary', text: 'Run now', dataset: { testid: `report-run-${script.name}` } });
    const status = el('div', { class: 'report-result', dataset: { testid: `report-result-${script.name}` } });
    form.append(el('div', { class: 'form-actions' }, run));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.run(script, form, run, status);
    });
    const previous = this.results.get(script.name);
    if (previous) showResult(status, previous);

    const latest = script.latest
      ? el('p', { class: 'report-latest' }, `Latest scheduled: ${fmtTime(script.latest.time)} UTC · `,
        linkTo(script.latest.pdf, 'PDF', `report-latest-pdf-${script.name}`), ' · ',
        linkTo(script.latest.html, 'HTML', `report-latest-html-${script.name}`))
      : el('p', { class: 'report-latest muted', text: script.schedule ? 'No scheduled run yet.' : 'Not scheduled.' });

    return el('article', { class: 'report', dataset: { testid: `report-${script.name}`, name: script.name } },
      el('header', { class: 'report-head' },
        el('h3', { text: scriptTitle(script, view) }),
        el('span', { class: 'mono muted', text: script.name }),
        el('span', { class: 'muted', text: script.schedule ? `schedule ${script.schedule}` : 'manual' }),
        el('a', { href: `/reports/${encodeURIComponent(script.name)}`, text: 'Live page', dataset: { testid: `report-live-${script.name}` } })),
      latest, form, status);
  }

  async run(script, form, button, status) {
    const params = {};
    for (const param of script.params || []) {
      const input = form.elements[`param-${param.name}`];
      if (!input) continue;
      params[param.name] = readParam(param, input);
    }
    button.disabled = true;
    button.textContent = 'Running…';
    status.replaceChildren(el('span', { class: 'muted', text: `Running ${script.name} …` }));
    status.dataset.state = 'running';
    try {
      const answer = await send('POST', `/api/reports/${encodeURIComponent(script.name)}/run`, { params });
      this.results.set(script.name, answer);
      showResult(status, answer);
    } catch (error) {
      status.dataset.state = 'failed';
      status.replaceChildren(el('span', { class: 'form-error', text: `Run failed: ${error.message}` }));
    } finally {
      button.disabled = false;
      button.textContent = 'Run now';
    }
  }
}

/** The script's title with its params filled from the selection ("{{base}} vs {{quote}}" → "BTCUSDT vs ETHUSDT"). */
function scriptTitle(script, view) {
  const values = Object.fromEntries((script.params || []).map((p) => [p.name, paramValue(p, view)]));
  const title = (script.title || script.name)
    .replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, name) => (values[name] == null ? whole : String(values[name])))
    .replace(/\s*[—–-]?\s*\{\{[^}]*\}\}/g, '')
    .trim();
  return title || script.name;
}

function linkTo(href, label, testid) {
  if (!href) return el('span', { class: 'muted', text: `no ${label}` });
  return el('a', { href, target: '_blank', rel: 'noopener', text: label, dataset: { testid } });
}

function showResult(status, answer) {
  status.dataset.state = 'done';
  status.replaceChildren(
    el('span', { class: 'ok', text: '✓ Report ready: ' }),
    linkTo(answer.pdf, 'PDF', 'report-pdf-link'), ' · ', linkTo(answer.html, 'HTML', 'report-html-link'),
    answer.summary ? el('span', { class: 'muted report-summary', text: answer.summary }) : null);
}

/** The value of a script param from the current selection, else its default. */
function paramValue(param, view) {
  const name = param.name.toLowerCase();
  switch (param.type) {
    case 'pair': return `${view.base}/${view.quote}`;
    case 'symbol':
      if (name.includes('quote') || name === 'x') return view.quote;
      if (name.includes('base') || name === 'y' || name === 'symbol') return view.base;
      return param.default ?? view.base;
    case 'timeframe': return view.timeframe;
    case 'span':
    case 'duration':
      if (name.includes('lookback') || name === 'span' || name === 'range') return lookbackOf(view) ?? param.default;
      return param.default;
    case 'list':
      if (param.element === 'pair') return [`${view.base}/${view.quote}`];
      if (param.element === 'symbol') return [view.base, view.quote];
      return param.default;
    default: break;
  }
  if (name === 'window') return view.window;
  if (name === 'z_threshold' || name === 'z' || name === 'threshold') return view.z;
  if (name === 'hedge' || name === 'hedge_method') return view.hedge;
  if (name === 'from' && view.from != null) return isoMinute(view.from);
  if (name === 'to' && view.to != null) return isoMinute(view.to);
  return param.default;
}

/** The selection as a span: its lookback, or the length of its from/to window. */
function lookbackOf(view) {
  if (view.from == null) return view.lookback;
  const ms = view.to - view.from;
  for (const [unit, size] of [['d', 864e5], ['h', 36e5], ['m', 6e4]]) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${Math.round(ms / 1000)}s`;
}
