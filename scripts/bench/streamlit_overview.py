"""The peer of the dashboard benchmark: the original design's stack, a Streamlit + Plotly page.

It reads the same SQLite database as `pairbook serve` (table `resampled_data`) and draws the same Overview
the way such a page does: both legs' candlesticks with every stored bar (no decimation), the spread with its
rolling mean, and the z-score, with a selectbox for the rolling window. Static OLS hedge ratio (numpy), rolling
mean and standard deviation of the spread (pandas). Versions in requirements-dashboard.txt.

Started by scripts/bench/dashboard.py:

    streamlit run scripts/bench/streamlit_overview.py --server.headless true --server.port P -- \
        --db DB --timeframe 1s --lookback-ms 86400000 [--base BTCUSDT --quote ETHUSDT]

The z-score figure's title names the window ("z-score, window 60"), so a benchmark can tell when a redraw
after a window change has reached the browser.
"""
import argparse
import sqlite3

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

WINDOWS = [30, 60, 120, 300, 600]


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--timeframe", default="1m")
    parser.add_argument("--lookback-ms", type=int, default=86_400_000,
                        help="range shown: this long, ending at the end of the newest stored bar")
    parser.add_argument("--base", default="BTCUSDT")
    parser.add_argument("--quote", default="ETHUSDT")
    return parser.parse_args()


@st.cache_data(show_spinner=False)
def load_bars(db, symbol, timeframe, lookback_ms):
    """Bars of one symbol in the last `lookback_ms` before the end of its newest bar, every bar."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        newest = conn.execute("SELECT MAX(ts) FROM resampled_data WHERE symbol = ? AND timeframe = ?",
                              (symbol, timeframe)).fetchone()[0]
        if newest is None:
            return pd.DataFrame(columns=["ts", "open", "high", "low", "close", "volume"])
        step = pd.Timedelta(timeframe).value // 1_000_000
        start = newest + step - lookback_ms
        frame = pd.read_sql_query(
            "SELECT ts, open, high, low, close, volume FROM resampled_data "
            "WHERE symbol = ? AND timeframe = ? AND ts >= ? ORDER BY ts",
            conn, params=(symbol, timeframe, start))
    frame["time"] = pd.to_datetime(frame["ts"], unit="ms", utc=True)
    return frame


def candles(frame, symbol, timeframe):
    fig = go.Figure(go.Candlestick(x=frame["time"], open=frame["open"], high=frame["high"],
                                   low=frame["low"], close=frame["close"], name=symbol))
    fig.update_layout(title=f"{symbol} · {timeframe} · {len(frame):,} bars", height=380,
                      xaxis_rangeslider_visible=False, margin=dict(l=50, r=20, t=40, b=30))
    return fig


def main():
    args = arguments()
    st.set_page_config(page_title="Pair overview (Streamlit peer)", layout="wide")
    st.title(f"{args.base}/{args.quote} · {args.timeframe}")
    window = st.selectbox("Window (bars)", WINDOWS, index=WINDOWS.index(60), key="window")

    base = load_bars(args.db, args.base, args.timeframe, args.lookback_ms)
    quote = load_bars(args.db, args.quote, args.timeframe, args.lookback_ms)

    st.plotly_chart(candles(base, args.base, args.timeframe), width="stretch")
    st.plotly_chart(candles(quote, args.quote, args.timeframe), width="stretch")

    # Spread and z-score: bars aligned on time, static OLS β (numpy), rolling mean/std over `window` bars (pandas).
    pair = base[["time", "close"]].merge(quote[["time", "close"]], on="time", suffixes=("_base", "_quote"))
    y = pair["close_base"].to_numpy()
    x = pair["close_quote"].to_numpy()
    beta, alpha = np.polyfit(x, y, 1) if len(pair) > 1 else (np.nan, np.nan)
    spread = pd.Series(y - beta * x - alpha, index=pair["time"])
    mean = spread.rolling(window).mean()
    std = spread.rolling(window).std()
    z = (spread - mean) / std

    fig = go.Figure()
    fig.add_trace(go.Scatter(x=spread.index, y=spread.to_numpy(), name="spread", mode="lines"))
    fig.add_trace(go.Scatter(x=mean.index, y=mean.to_numpy(), name=f"rolling mean ({window})", mode="lines"))
    fig.update_layout(title=f"Spread (β {beta:.4f})", height=300, margin=dict(l=50, r=20, t=40, b=30))
    st.plotly_chart(fig, width="stretch")

    fig = go.Figure(go.Scatter(x=z.index, y=z.to_numpy(), name="z-score", mode="lines"))
    for level in (-2, 2):
        fig.add_hline(y=level, line_dash="dash", line_color="grey")
    fig.update_layout(title=f"z-score, window {window}", height=300, margin=dict(l=50, r=20, t=40, b=30))
    st.plotly_chart(fig, width="stretch")


main()
