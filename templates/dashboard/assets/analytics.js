// Analytics tab: spread with rolling bands, z-score with thresholds and shaded breaches, rolling
// correlation, hedge ratio, the statistics table and the correlation heatmap.

import { getJSON, isAbort, url } from './api.js';
import { COLORS, lineChart, PaneGroup } from './charts.js';
import { debounce, el, showError } from './dom.js';
import { fmtDuration, fmtNumber, fmtStat, fmtTime } from './format.js';
import { showZ, spreadChart, spreadRows, thresholdText, zScoreChart } from './pairpanes.js';
import { analyticsRequest } from './requests.js';
import { rangeParams } from './state.js';

/** Sets a statistic's text; `raw` (full precision) goes to data-value for tests and copy-paste. */
const text = (id, value, title, raw) => {
  const node = document.getElementById(id);
  node.textContent = value;
  if (title !== undefined) node.title = title;
  if (raw !== undefined) {
    if (raw === null || !Number.isFinite(raw)) delete node.dataset.value;
    else node.dataset.value = String(raw);
  }
  return node;
};

export class Analytics {
  constructor(ctx) {
    this.ctx = ctx;
    this.panel = document.getElementById('panel-analytics');
    this.error = document.getElementById('analytics-error');
    this.heatmap = document.getElementById('heatmap');
    this.view = null;
    this.analysis = null;
    this.drawnKey = null;

    const readout = (id) => {
      const head = document.getElementById(id).previousElementSibling;
      const node = el('span', { class: 'chart-meta readout', dataset: { testid: `readout-${id}` } });
      head.append(node);
      return node;
    };
    const value = (g, r, c, digits) => fmtStat(g.getValue(r, c), digits);

    this.spread = spreadChart(document.getElementById('chart-spread'), readout('chart-spread'), { bands: true });
    this.z = zScoreChart(document.getElementById('chart-z'), readout('chart-z'), () => this.view?.z);
    this.corr = lineChart(document.getElementById('chart-corr'), readout('chart-corr'), {
      labels: ['time', 'prices', 'log returns'],
      colors: [COLORS.line, COLORS.line2],
      hlines: () => [{ y: 0, color: COLORS.zero }],
      format: (g, r) => `${fmtTime(g.getValue(r, 0))}  prices ${fmtNumber(g.getValue(r, 1), 3)}  returns ${fmtNumber(g.getValue(r, 2), 3)}`,
    });
    this.beta = lineChart(document.getElementById('chart-beta'), readout('chart-beta'), {
      labels: ['time', 'rolling β', 'static β'],
      colors: [COLORS.line, COLORS.mean],
      series: { 'static β': { strokeWidth: 1 } },
      format: (g, r) => `${fmtTime(g.getValue(r, 0))}  rolling β ${value(g, r, 1, 5)}  static β ${value(g, r, 2, 5)}`,
    });
    this.charts = [this.spread, this.z, this.corr, this.beta];
    this.group = new PaneGroup(this.charts);
    this.addToggles(this.spread, [['spread', [0]], ['mean', [1]], ['±1σ', [2, 3]], ['±2σ', [4, 5]]]);
    this.addToggles(this.corr, [['prices', [0]], ['log returns', [1]]]);
    this.addToggles(this.beta, [['rolling', [0]], ['static', [1]]]);
    this.refreshSoon = debounce(() => { if (this.view) this.load(this.view, 'live'); }, 400);
  }

  /** The view fields that need a new /api/pair answer (the z threshold only redraws). */
  key(view) {
    return JSON.stringify([view.base, view.quote, view.timeframe, view.lookback, view.from, view.to, view.window, view.hedge]);
  }

  /** Series switches in the chart's head: a legend that also hides and shows series. */
  addToggles(chart, items) {
    const head = chart.element.previousElementSibling;
    const box = el('span', { class: 'toggles', role: 'group', 'aria-label': 'Series' });
    items.forEach(([label, columns], i) => {
      const color = chart.options.colors[columns[0]];
      const button = el('button', {
        type: 'button', class: 'toggle', 'aria-pressed': 'true', title: `Show or hide ${label}`,
        dataset: { testid: `toggle-${chart.element.id}-${i}` },
      }, el('span', { class: 'swatch', style: `background:${color}` }), label);
      button.addEventListener('click', () => {
        const on = button.getAttribute('aria-pressed') !== 'true';
        button.setAttribute('aria-pressed', String(on));
        for (const c of columns) chart.graph?.setVisibility(c, on);
      });
      box.append(button);
    });
    head.append(box);
  }

  async load(view, reason) {
    this.view = view;
    const key = this.key(view);
    this.loadingKey = key;
    const signal = this.ctx.latest.signal('analytics');
    const range = rangeParams(view);
    try {
      const a = await getJSON(...analyticsRequest(view), { signal });
      showError(this.error, null);
      this.analysis = a;
      this.draw(a, this.drawnKey !== key);
      this.renderStats(a);
      const ts = a.series.timestamps;
      if (ts.length) {
        this.ctx.setRange({ from: ts[0], to: ts[ts.length - 1] + this.ctx.timeframeMs(a.timeframe), count: a.observations,
          timeframe: a.timeframe, bucket: a.bucket }, 'point');
      }
      this.drawnKey = key;
      this.failedKey = null;
      this.panel.dataset.drawn = '1';
      this.ctx.drawn(reason);
      // Asked for after the charts: both are computed on the server's small blocking pool, the charts come first.
      this.updateHeatmap(view, range);
    } catch (error) {
      if (isAbort(error)) return;
      this.updateHeatmap(view, range);
      this.failedKey = key;
      showError(this.error, `Could not analyse ${view.base}/${view.quote} ${view.timeframe}, window ${view.window}: ${error.message}`);
      if (reason !== 'live') this.clear(); // the charts must not keep showing another selection
      this.ctx.failed(reason, error);
    } finally {
      this.ctx.latest.done('analytics', signal);
      if (this.loadingKey === key && signal.aborted === false) this.loadingKey = null;
    }
  }

  draw(a, resetZoom) {
    const s = a.series;
    const n = s.timestamps.length;
    const staticBeta = a.hedge?.slope ?? null;
    const corr = new Array(n); const beta = new Array(n);
    for (let i = 0; i < n; i++) {
      const t = s.timestamps[i];
      corr[i] = [t, s.priceCorrelation[i], s.returnCorrelation[i]];
      beta[i] = [t, s.hedgeRatio[i], staticBeta];
    }
    this.spread.update(spreadRows(s, { bands: true }), { resetZoom });
    showZ(this.z, a, { resetZoom });
    this.corr.update(corr, { resetZoom });
    this.beta.update(beta, { resetZoom });
    this.group.link();
    document.getElementById('spread-unit').textContent = `${a.base} − β·${a.quote}, USDT`;
    document.getElementById('meta-beta').textContent = `rolling OLS over ${a.options?.window ?? '?'} bars · static ${(a.options?.hedge || 'ols').toUpperCase()}`;
    this.updateThresholdMeta();
  }

  /** Empties charts and statistics (the selection could not be analysed). */
  clear() {
    for (const chart of this.charts) chart.update([]);
    for (const cell of document.querySelectorAll('#stats-table td')) {
      cell.textContent = '–';
      delete cell.dataset.value;
    }
    this.analysis = null;
    this.drawnKey = null;
  }

  /** A new z threshold: redraw the z pane only (no request). */
  setThreshold(view) {
    this.view = view;
    this.z.graph?.updateOptions({});
    this.updateThresholdMeta();
  }

  updateThresholdMeta() {
    document.getElementById('meta-z').textContent = thresholdText(this.z.data, this.view?.z, this.analysis?.bucket);
  }

  renderStats(a) {
    const adf = a.adf; const eg = a.cointegration;
    text('stat-beta', fmtStat(a.hedge?.slope, 6), `${(a.options?.hedge || 'ols').toUpperCase()} slope of ${a.base} on ${a.quote}`, a.hedge?.slope ?? null);
    text('stat-alpha', fmtStat(a.hedge?.intercept, 6), undefined, a.hedge?.intercept ?? null);
    text('stat-r2', fmtStat(a.hedge?.rSquared, 4), undefined, a.hedge?.rSquared ?? null);
    text('stat-beta-both', `${fmtStat(a.ols?.slope, 5)} / ${fmtStat(a.tlsHedgeRatio, 5)}`);
    // The newest z: the server's undecimated `latest` when it sends one (requested), else the last row, which
    // is exact while a point holds at most two bars (min and max of a bucket, in time order).
    const zs = a.series.zScore;
    let latestZ = a.latest?.zScore ?? null;
    if (latestZ == null) for (let i = zs.length - 1; i >= 0; i--) if (zs[i] != null) { latestZ = zs[i]; break; }
    const approximate = a.latest?.zScore == null && (a.bucket || 1) > 2;
    const zNode = text('stat-z', latestZ == null ? '–' : `${approximate ? '≈ ' : ''}${fmtNumber(latestZ, 2)} σ`,
      approximate ? 'From the decimated series: the extreme of the last bucket that came later' : '', latestZ);
    zNode.dataset.breach = latestZ != null && Math.abs(latestZ) > this.view.z ? '1' : '0';
    text('stat-corr', fmtStat(a.priceCorrelation, 4), undefined, a.priceCorrelation ?? null);
    text('stat-rcorr', fmtStat(a.returnCorrelation, 4), undefined, a.returnCorrelation ?? null);
    text('stat-adf', adf ? fmtStat(adf.statistic, 4) : '–', adf ? '' : a.adfError ? describeError(a.adfError) : 'not computed', adf?.statistic ?? null);
    const p = text('stat-adf-p', adf ? fmtStat(adf.pValue, 3) : '–', undefined, adf?.pValue ?? null);
    p.dataset.good = adf && adf.pValue < 0.05 ? '1' : '0';
    text('stat-adf-lag', adf ? `${adf.usedLag} (nobs ${adf.nobs})` : '–');
    const cv = adf?.criticalValues;
    text('stat-adf-crit', cv ? `${fmtNumber(cv.onePercent, 2)} / ${fmtNumber(cv.fivePercent, 2)} / ${fmtNumber(cv.tenPercent, 2)}` : '–');
    text('stat-eg-p', eg ? fmtStat(eg.pValue, 3) : '–', eg ? '' : a.cointegrationError ? describeError(a.cointegrationError) : 'not computed', eg?.pValue ?? null);
    const frameMs = this.ctx.timeframeMs(a.timeframe);
    text('stat-half-life', a.halfLife == null ? 'no mean reversion'
      : `${fmtNumber(a.halfLife, 1)} bars (${fmtDuration(a.halfLife * frameMs)})`, undefined, a.halfLife ?? null);
    text('stat-hurst', fmtStat(a.hurst, 3), undefined, a.hurst ?? null);
    text('stat-n', `${fmtNumber(a.observations, 0)} ${a.timeframe} bars`, undefined, a.observations);
    const bucket = a.bucket || 1;
    text('stats-meta', `window ${a.options?.window} bars · ${(a.options?.hedge || 'ols').toUpperCase()}${bucket > 1 ? ` · charts: ${bucket} bars per point` : ''}`);
  }

  /** Loads the heatmap PNG through fetch, so a refusal shows its reason instead of a broken image. */
  async updateHeatmap(view, range) {
    const symbols = this.ctx.heatmapSymbols(view);
    if (symbols.length < 2) return;
    const cardWidth = this.heatmap.parentElement.clientWidth - 24;
    const width = Math.max(200, Math.min(2000, Math.round((cardWidth > 0 ? cardWidth : 520) * (window.devicePixelRatio || 1))));
    const src = url('/api/heatmap.png', { symbols: symbols.join(','), timeframe: view.timeframe, ...range, width });
    if (this.heatmapSrc === src) return;
    this.heatmapSrc = src;
    const signal = this.ctx.latest.signal('heatmap');
    const note = this.heatmapNote || (this.heatmapNote = this.heatmap.insertAdjacentElement('afterend',
      el('p', { class: 'heatmap-note', dataset: { testid: 'heatmap-note' } })));
    try {
      const response = await fetch(src, { signal });
      if (!response.ok) {
        let reason = `${response.status}`;
        try { reason = (await response.json()).error || reason; } catch { /* not JSON */ }
        throw new Error(reason);
      }
      const blob = await response.blob();
      if (this.heatmap.src.startsWith('blob:')) URL.revokeObjectURL(this.heatmap.src);
      this.heatmap.src = URL.createObjectURL(blob);
      this.heatmap.hidden = false;
      note.hidden = true;
    } catch (error) {
      if (isAbort(error)) return;
      this.heatmap.hidden = true;
      note.textContent = `No heatmap: ${error.message}`;
      note.hidden = false;
    } finally {
      this.ctx.latest.done('heatmap', signal);
    }
  }

  /** A closed bar of a shown symbol: refetch (debounced); the zoom stays. */
  onClosedBar(bar) {
    const view = this.view;
    if (!view || bar.timeframe !== view.timeframe) return;
    if (bar.symbol !== view.base && bar.symbol !== view.quote) return;
    if (view.to != null) return; // a fixed past window does not move
    this.refreshSoon();
  }

  /** An analytics event: the latest z shows at once, the charts follow with the refetch. */
  onAnalytics(event) {
    const view = this.view;
    if (!view || event.pair !== `${view.base}/${view.quote}` || event.timeframe !== view.timeframe) return;
    if (Number.isFinite(event.z) && view.window === this.analysis?.options?.window) {
      const node = text('stat-z', `${fmtNumber(event.z, 2)} σ`);
      node.dataset.breach = Math.abs(event.z) > view.z ? '1' : '0';
    }
  }

  resize() { this.group.resize(); }
}

function describeError(error) {
  if (typeof error === 'string') return error;
  try {
    const [kind, detail] = Object.entries(error)[0];
    return `${kind}: ${JSON.stringify(detail)}`;
  } catch {
    return 'undefined';
  }
}
