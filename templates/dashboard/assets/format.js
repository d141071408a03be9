// Number and time formatting for labels, cards and tables: tabular, UTC, units spelled out.

const formatters = new Map();

function numberFormat(digits) {
  let f = formatters.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    formatters.set(digits, f);
  }
  return f;
}

/** 16,538.0 — fixed decimals with grouping; '–' for null, NaN or infinities. */
export function fmtNumber(v, digits = 2) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const s = numberFormat(digits).format(v);
  return s === '-0' || /^-0\.0*$/.test(s) ? s.slice(1) : s;
}

/** Significant digits for statistics: 0.8123, 1.2e-7. */
export function fmtStat(v, significant = 4) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) return v.toExponential(significant - 1);
  const digits = a === 0 ? significant - 1 : Math.max(0, significant - 1 - Math.floor(Math.log10(a)));
  return fmtNumber(v, Math.min(digits, 10));
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** 1.2K, 3.4M. */
export function fmtCompact(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return compact.format(v);
}

/** +1.23 % from a fraction. */
export function fmtPercent(fraction, digits = 2) {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '–';
  const sign = fraction > 0 ? '+' : '';
  return `${sign}${fmtNumber(fraction * 100, digits)} %`;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** 2023-01-02 13:45:07 UTC (seconds left out when zero). */
export function fmtTime(ms, { seconds = 'auto' } = {}) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const d = new Date(ms);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  let time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  if (seconds === true || (seconds === 'auto' && d.getUTCSeconds() !== 0)) time += `:${pad(d.getUTCSeconds())}`;
  return `${date} ${time}`;
}

/** 950 ms, 12 s, 4 min, 3.5 h, 2 d. */
export function fmtDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const a = Math.abs(ms);
  if (a < 1000) return `${Math.round(a)} ms`;
  if (a < 60e3) return `${Math.round(a / 1e3)} s`;
  if (a < 3600e3) return `${Math.round(a / 60e3)} min`;
  if (a < 86400e3) return `${fmtNumber(a / 3600e3, a < 36000e3 ? 1 : 0)} h`;
  return `${fmtNumber(a / 86400e3, a < 864000e3 ? 1 : 0)} d`;
}

/** "12 s ago" style age of a time, from `now`. */
export function fmtAgo(ms, now = Date.now()) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  return `${fmtDuration(now - ms)} ago`;
}
