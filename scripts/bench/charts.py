#!/usr/bin/env python3
"""Reference timings for `pairbook-bench charts`: the same charts with matplotlib / mplfinance.

Versions (pip): matplotlib 3.11.2, mplfinance 0.12.10b0, pandas 3.1.1, numpy 2.4.6.

Reads the bars and the correlation matrix that the Swift benchmark wrote and renders one --chart:
  * day:     a candlestick chart with a volume panel of the first 86,400 bars (one day of 1 s bars),
  * week:    the same for all bars (a week of 1 s bars, 604,800),
  * heatmap: a 20 x 20 correlation heatmap with values in cells and a colour bar,
to PNG at the same pixel size as the Swift run. Prints one JSON object on stdout: the best
process-CPU and wall-clock milliseconds over --repeat runs (the CSV load is not timed) and the
library versions. The Swift benchmark runs each chart in its own process, with a time limit.
"""
import argparse
import json
import os
import time
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import mplfinance as mpf  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def candles(df, path, width, height):
    mpf.plot(df, type="candle", volume=True, style="yahoo", figsize=(width / 100, height / 100),
             savefig=dict(fname=path, dpi=100), warn_too_much_data=len(df) + 1, title="BTCUSDT 1s")
    plt.close("all")


def heatmap(labels, values, path, width, height):
    fig, ax = plt.subplots(figsize=(width / 100, height / 100), dpi=100)
    im = ax.imshow(values, cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(len(labels)), labels=labels, rotation=90)
    ax.set_yticks(range(len(labels)), labels=labels)
    for r in range(len(labels)):
        for c in range(len(labels)):
            v = values[r][c]
            ax.text(c, r, f"{v:.2f}", ha="center", va="center", fontsize=7,
                    color="white" if abs(v) > 0.6 else "black")
    fig.colorbar(im, ax=ax, label="Correlation")
    ax.set_title("Correlation, 20 symbols")
    fig.savefig(path, dpi=100)
    plt.close(fig)


def best_ms(fn, repeat):
    cpu, wall = float("inf"), float("inf")
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu = min(cpu, (time.process_time() - c0) * 1000)
        wall = min(wall, (time.perf_counter() - w0) * 1000)
    return cpu, wall


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--chart", required=True, choices=["day", "week", "heatmap"])
    p.add_argument("--bars", required=True, help="CSV: open_time_ms,open,high,low,close,volume")
    p.add_argument("--matrix", required=True, help="CSV: header of labels, then one row of values per label")
    p.add_argument("--out", required=True, help="directory for the PNG")
    p.add_argument("--day", type=int, default=86_400)
    p.add_argument("--width", type=int, default=1200)
    p.add_argument("--height", type=int, default=700)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    warnings.simplefilter("ignore")

    png = os.path.join(args.out, f"py-{args.chart}.png")
    if args.chart == "heatmap":
        m = pd.read_csv(args.matrix)
        labels, values = list(m.columns), m.to_numpy()
        work = lambda: heatmap(labels, values, png, args.width, args.height)  # noqa: E731
    else:
        df = pd.read_csv(args.bars)
        df.index = pd.DatetimeIndex(pd.to_datetime(df["open_time_ms"], unit="ms", utc=True))
        df = df[["open", "high", "low", "close", "volume"]].rename(columns=str.capitalize)
        if args.chart == "day":
            df = df.iloc[: args.day]
        work = lambda: candles(df, png, args.width, args.height)  # noqa: E731
    cpu, wall = best_ms(work, args.repeat)
    print(json.dumps({"cpu_ms": cpu, "wall_ms": wall,
                      "versions": {"matplotlib": matplotlib.__version__, "mplfinance": mpf.__version__,
                                   "pandas": pd.__version__, "numpy": np.__version__}}))


if __name__ == "__main__":
    main()
