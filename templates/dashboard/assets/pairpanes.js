// The pair's spread and z-score panes, shared by the Overview (spread, mean, z) and the Analytics tab (with
// the ±1σ/±2σ bands): the charts, their rows from an /api/pair answer, and the z threshold's readout.

import { COLORS, lineChart } from './charts.js';
import { fmtNumber, fmtStat, fmtTime } from './format.js';

/** A plotter that draws nothing. */
const noLine = () => {};

const value = (g, r, c, digits) => fmtStat(g.getValue(r, c), digits);

/**
 * The spread pane: spread and its rolling mean, and with `bands` the ±1σ and ±2σ bands around the mean.
 * Rows come from spreadRows with the same `bands`.
 */
export function spreadChart(element, readout, { bands }) {
  const format = (g, r) => `${fmtTime(g.getValue(r, 0))}  spread ${value(g, r, 1, 6)}  mean ${value(g, r, 2, 6)}`;
  if (!bands) {
    return lineChart(element, readout, {
      labels: ['time', 'spread', 'mean'], colors: [COLORS.line, COLORS.mean], series: { mean: { strokeWidth: 1 } }, format,
    });
  }
  return lineChart(element, readout, {
    labels: ['time', 'spread', 'mean', '+1σ', '−1σ', '+2σ', '−2σ'],
    colors: [COLORS.line, COLORS.mean, COLORS.bandEdge, COLORS.bandEdge, COLORS.bandEdge, COLORS.bandEdge],
    // Solid lines only (dashes cost ~20 ms a draw here); the band edges are not stroked: the fills show them,
    // and as series they still count for the y range and the readout.
    series: {
      mean: { strokeWidth: 1 },
      '+1σ': { plotter: noLine }, '−1σ': { plotter: noLine },
      '+2σ': { plotter: noLine }, '−2σ': { plotter: noLine },
    },
    bands: [{ upper: '+2σ', lower: '−2σ', fill: COLORS.band2 }, { upper: '+1σ', lower: '−1σ', fill: COLORS.band1 }],
    format,
  });
}

/** The z-score pane: z with a zero line, dashed ±threshold lines and the breaches beyond them shaded. */
export function zScoreChart(element, readout, threshold) {
  return lineChart(element, readout, {
    labels: ['time', 'z'],
    colors: [COLORS.line2],
    hlines: () => [
      { y: 0, color: COLORS.zero },
      { y: threshold(), color: COLORS.threshold, dash: [6, 4] },
      { y: -(threshold() ?? NaN), color: COLORS.threshold, dash: [6, 4] },
    ],
    breach: () => ({ series: 'z', threshold: threshold() }),
    // Labels 20 px apart at least: at the usual 28, z of ±4.6 on a 150 px pane gets steps of 5, so a single
    // label (0); now steps of 2.
    axes: { y: { pixelsPerLabel: 20 } },
    format: (g, r) => `${fmtTime(g.getValue(r, 0))}  z ${fmtNumber(g.getValue(r, 1), 2)} σ`,
  });
}

/** Rows of spreadChart (with or without `bands`) from an /api/pair answer's series. */
export function spreadRows(s, { bands }) {
  const n = s.timestamps.length;
  const rows = new Array(n);
  for (let i = 0; i < n; i++) {
    const m = s.spreadMean[i];
    if (!bands) {
      rows[i] = [s.timestamps[i], s.spread[i], m];
      continue;
    }
    const sd = s.spreadStandardDeviation[i];
    const ok = m != null && sd != null;
    rows[i] = [s.timestamps[i], s.spread[i], m, ok ? m + sd : null, ok ? m - sd : null, ok ? m + 2 * sd : null, ok ? m - 2 * sd : null];
  }
  return rows;
}

/** Rows of zScoreChart from an /api/pair answer's series. */
function zRows(s) {
  const n = s.timestamps.length;
  const rows = new Array(n);
  for (let i = 0; i < n; i++) rows[i] = [s.timestamps[i], s.zScore[i]];
  return rows;
}

/**
 * Shows an /api/pair answer's z-score in `chart`; when it has none (a window longer than the bars in range),
 * an empty pane that says so instead of an empty axis.
 */
export function showZ(chart, a, options) {
  const rows = zRows(a.series);
  const any = rows.some((r) => r[1] != null);
  chart.element.dataset.emptyText = any ? ''
    : `No z-score: the window of ${a.options?.window} bars is longer than the ${a.observations} bars in range`;
  chart.update(any ? rows : [], options);
}

/** "thresholds ±2.0σ · 12 bars beyond" for a z pane's rows; `bucket` is the answer's bars per point. */
export function thresholdText(rows, z, bucket) {
  const breaches = rows.filter((r) => r[1] != null && Math.abs(r[1]) > z).length;
  const what = (bucket || 1) > 2 ? 'points' : 'bars'; // up to two bars a point, the rows are the bars themselves
  return `thresholds ±${fmtNumber(z, 1)}σ · ${breaches} ${what} beyond`;
}
