#!/usr/bin/env python3
"""The pair-overview report made with pandas + statsmodels + matplotlib/mplfinance, for `pairbook-bench report`.

Versions as used: pandas 3.1.1, statsmodels 0.15.0, numpy 2.4.6, matplotlib 3.11.2, mplfinance 0.12.10b0.

Reads the bars of two symbols from the pairbook SQLite database (table resampled_data), then does what
`pairbook report Reports/pair-overview.md` does: static OLS hedge ratio, spread, rolling mean/std/z-score,
rolling OLS beta, rolling correlation, ADF (autolag AIC) and half-life; candlestick charts of both legs
(mplfinance, every candle), prices, spread with bands, z-score, correlation and beta charts; an HTML page
with the charts as base64 PNGs, a PDF of the same figures, and the bars/analytics CSVs.
Prints one JSON line: {"wall_s": ..., "adf_pvalue": ..., "hedge_ratio": ...}.
"""
import base64
import io
import json
import sqlite3
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import mplfinance as mpf  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import statsmodels.api as sm  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from statsmodels.tsa.stattools import adfuller  # noqa: E402


def main() -> None:
    db, base, quote, timeframe, start_ms, end_ms, window, out = sys.argv[1:9]
    window = int(window)
    t0 = time.perf_counter()
    con = sqlite3.connect(db)

    def bars(symbol):
        df = pd.read_sql_query(
            "SELECT ts, open, high, low, close, volume FROM resampled_data "
            "WHERE symbol = ? AND timeframe = ? AND ts >= ? AND ts < ? ORDER BY ts",
            con, params=(symbol, timeframe, int(start_ms), int(end_ms)))
        df.index = pd.to_datetime(df["ts"], unit="ms", utc=True)
        return df.drop(columns=["ts"])

    a, b = bars(base), bars(quote)
    joined = pd.concat([a["close"].rename("y"), b["close"].rename("x")], axis=1, join="inner")
    y, x = joined["y"], joined["x"]
    fit = sm.OLS(y, sm.add_constant(x)).fit()
    beta = fit.params["x"]
    spread = y - beta * x
    mean = spread.rolling(window).mean()
    std = spread.rolling(window).std()
    z = (spread - mean) / std
    cov = y.rolling(window).cov(x)
    roll_beta = cov / x.rolling(window).var()
    corr = y.rolling(window).corr(x)
    adf = adfuller(spread.values, regression="c", autolag="AIC")
    lagged = spread.shift(1).dropna()
    delta = spread.diff().dropna()
    hl_fit = sm.OLS(delta, sm.add_constant(lagged)).fit()
    lam = hl_fit.params.iloc[1]
    half_life = -np.log(2) / lam if lam < 0 else float("nan")

    figures = []
    for df, name in ((a, base), (b, quote)):
        fig, _ = mpf.plot(df.rename(columns=str.capitalize), type="candle", volume=True, returnfig=True,
                          figsize=(10, 4.2), warn_too_much_data=len(df) + 1)
        figures.append(fig)
    fig, ax = plt.subplots(figsize=(10, 3.2))
    ax.plot(y / y.iloc[0] * 100, label=base)
    ax.plot(x / x.iloc[0] * 100, label=quote)
    ax.legend()
    figures.append(fig)
    fig, ax = plt.subplots(figsize=(10, 3))
    ax.plot(spread, lw=0.8)
    ax.plot(mean, ls="--")
    for k in (1, 2):
        ax.fill_between(spread.index, mean - k * std, mean + k * std, alpha=0.1)
    figures.append(fig)
    for series in (z, corr, roll_beta):
        fig, ax = plt.subplots(figsize=(10, 3))
        ax.plot(series, lw=0.8)
        figures.append(fig)

    images = []
    for fig in figures:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=150)
        images.append(base64.b64encode(buf.getvalue()).decode())
    html = "<html><body><h1>%s vs %s</h1><p>beta %.4f, ADF p %.4f, half-life %.1f</p>%s</body></html>" % (
        base, quote, beta, adf[1], half_life, "".join('<img src="data:image/png;base64,%s">' % i for i in images))
    with open(f"{out}/report.html", "w") as f:
        f.write(html)
    with PdfPages(f"{out}/report.pdf") as pdf:
        for fig in figures:
            pdf.savefig(fig)
    for fig in figures:
        plt.close(fig)
    pd.concat([a.assign(symbol=base), b.assign(symbol=quote)]).to_csv(f"{out}/bars.csv")
    pd.DataFrame({"spread": spread, "mean": mean, "std": std, "z": z, "beta": roll_beta, "corr": corr}).to_csv(
        f"{out}/analytics.csv")
    wall = time.perf_counter() - t0
    print(json.dumps({"wall_s": wall, "adf_pvalue": float(adf[1]), "hedge_ratio": float(beta), "bars": len(joined)}))


if __name__ == "__main__":
    main()
