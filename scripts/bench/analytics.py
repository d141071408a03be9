#!/usr/bin/env python3
"""The pair pipeline of `pairbook-bench analytics` in pandas + statsmodels, timed on the same data.

Versions: python 3.11.7, numpy 2.4.6, pandas 3.1.1, statsmodels 0.15.0.

Input: two CSVs `ts,close` (base = y, quote = x) written by the Swift bench. Steps, as in PairAnalysis:
alignment (inner join on ts), static OLS with intercept, spread y - beta*x, rolling OLS beta/alpha
(pandas rolling cov/var/mean), rolling mean/std/z of the spread, rolling price correlation, rolling
log-return correlation, adfuller(spread, regression="c", autolag="AIC"), half-life (OLS of diff on lag).
Reading the CSVs is not timed; times are process CPU time (all threads), since the machine is shared. Prints one JSON line: pipeline_ms, adf_ms and a few results to cross-check.

Usage: analytics.py BASE.csv QUOTE.csv WINDOW [--skip-adf]
"""
import json
import sys
import time
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tsa.stattools import adfuller

warnings.simplefilter("ignore")


def main():
    base_path, quote_path, window = sys.argv[1], sys.argv[2], int(sys.argv[3])
    skip_adf = "--skip-adf" in sys.argv
    b = pd.read_csv(base_path)
    q = pd.read_csv(quote_path)
    w = window
    t0 = time.process_time()
    m = b.merge(q, on="ts", how="inner", suffixes=("_y", "_x"))
    y = m["close_y"]
    x = m["close_x"]
    res = sm.OLS(y.to_numpy(), sm.add_constant(x.to_numpy())).fit()
    alpha, beta = res.params
    spread = y - beta * x
    rbeta = y.rolling(w).cov(x) / x.rolling(w).var()
    ralpha = y.rolling(w).mean() - rbeta * x.rolling(w).mean()
    smean = spread.rolling(w).mean()
    sstd = spread.rolling(w).std()
    z = (spread - smean) / sstd
    corr = y.rolling(w).corr(x)
    rcorr = np.log(y).diff().rolling(w).corr(np.log(x).diff())
    t_adf = time.process_time()
    adf = None if skip_adf else adfuller(spread.to_numpy(), regression="c", autolag="AIC", result_object=False)
    adf_ms = (time.process_time() - t_adf) * 1000
    s = spread.to_numpy()
    hl = sm.OLS(np.diff(s), sm.add_constant(s[:-1])).fit()
    lam = hl.params[1]
    half_life = -np.log(2) / lam if lam < 0 else None
    total_ms = (time.process_time() - t0) * 1000
    print(json.dumps({
        "rows": int(len(m)), "pipeline_ms": total_ms, "adf_ms": None if skip_adf else adf_ms,
        "pipeline_without_adf_ms": total_ms - (0 if skip_adf else adf_ms),
        "beta": float(beta), "adf_statistic": None if adf is None else float(adf[0]),
        "adf_usedlag": None if adf is None else int(adf[2]), "half_life": half_life,
        "last_z": float(z.iloc[-1]), "last_corr": float(corr.iloc[-1]), "last_return_corr": float(rcorr.iloc[-1]),
        "last_beta": float(rbeta.iloc[-1]), "last_alpha": float(ralpha.iloc[-1]),
    }))


if __name__ == "__main__":
    main()
