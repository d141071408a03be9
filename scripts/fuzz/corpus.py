#!/usr/bin/env python3
"""Writes the seed corpora of `make fuzz` from the real Binance sample and the repository's own files.

usage: corpus.py DATA_DIR REPO_DIR OUT_DIR   (OUT_DIR/<target>/ is created for frames, csv, script, cron, alerts)

Nothing here is committed: the seeds are cut fresh from ../shared/data (read in place) on every run.
- frames: single frames of every event type from the hftbacktest captures and cryptofeed's samples (trade, aggTrade,
  depth, bookTicker, kline; not the 180 kB REST snapshot line); runs of frames, one per line, come from crossing over;
- csv:    the first rows (with and without header) of the trades and kline dumps, and aggTrades dumps (futures layout
          and spot's, with is_best_match) made from the sample's aggTrade frames;
- script: the shipped report scripts (Reports/*.md);
- cron:   every cron string in the sources and tests, the report schedules, the macros;
- alerts: the shipped scripts' `alerts:` lists as alerts files (both accepted shapes), and the documented example rule.
"""
import glob
import gzip
import hashlib
import json
import os
import re
import sys

data, repo, out = sys.argv[1:4]
MAX_LEN = 16384  # run.sh's -max_len
counts = {}


def seed(target, content):
    """Writes one seed, named by its hash like libFuzzer's own corpus entries."""
    if isinstance(content, str):
        content = content.encode()
    folder = os.path.join(out, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, hashlib.sha1(content).hexdigest()), "wb") as f:
        f.write(content)
    counts[target] = counts.get(target, 0) + 1


def frames_of(path):
    """The JSON frames of a capture, without the capture's time prefix (`<ns> {…}` or `<s>: {…}`); frames longer
    than the fuzzers' -max_len (the 180 kB REST depth snapshot) are left out, a cut one would only be malformed."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        for line in f:
            brace = line.find("{")
            if brace >= 0 and len(line) - brace <= MAX_LEN:
                yield line[brace:].rstrip("\n")


# Frames: up to 6 of each event type per capture.
aggregate_frames = []
captures = sorted(glob.glob(f"{data}/binance-usdm-trades-2024-07-18/raw/*.gz") + glob.glob(f"{data}/ws-samples/*/*"))
for path in captures:
    if os.path.basename(path) in ("SOURCES.md", "SHA256SUMS"):
        continue
    per_kind = {}
    for i, frame in enumerate(frames_of(path)):
        if i >= 3000:
            break
        match = re.search(r'"e":"(\w+)"', frame)
        kind = match.group(1) if match else ("snapshot" if "lastUpdateId" in frame else "other")
        if kind == "aggTrade":
            aggregate_frames.append(frame)
        if per_kind.get(kind, 0) < 6:
            per_kind[kind] = per_kind.get(kind, 0) + 1
            seed("frames", frame)

# CSV: head with header, rows without header, for every dump of the sample.
for path in sorted(glob.glob(f"{data}/binance-usdm-trades-2024-07-18/derived/*.csv")
                   + glob.glob(f"{data}/binance-usdm-klines-1m-2023-01-01_03/*.csv")):
    with open(path) as f:
        lines = f.read().splitlines()
    seed("csv", "\n".join(lines[:12]) + "\n")
    seed("csv", "\r\n".join(lines[500:508]))
aggregate_rows = []
for frame in aggregate_frames:
    d = json.loads(frame)
    d = d.get("data", d)
    row = [d["a"], d["p"], d["q"], d["f"], d["l"], d["T"], str(d["m"]).lower()]
    aggregate_rows.append((",".join(map(str, row)), "M" in d and str(d["M"]).lower()))
futures = [row for row, best in aggregate_rows if best is False][:10]
spot = [f"{row},{best}" for row, best in aggregate_rows if best][:10]
header = "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker"
if futures:
    seed("csv", header + "\n" + "\n".join(futures) + "\n")
if spot:
    seed("csv", "\n".join(spot) + "\n")

# Report scripts and what they hold.
schedules, alert_blocks = [], []
for path in sorted(glob.glob(f"{repo}/Reports/*.md")):
    with open(path) as f:
        text = f.read()
    seed("script", text)
    schedules += re.findall(r'^schedule:\s*"([^"]*)"', text, re.M)
    front = text.split("\n---", 1)[0]
    block = re.search(r"^alerts:\n((?:[ \t].*\n)+)", front, re.M)
    if block:
        alert_blocks.append(block.group(1))

# Cron strings: report schedules, every literal given to CronExpression(parsing:) in sources and tests, the macros.
crons = set(schedules) | {"@yearly", "@monthly", "@weekly", "@daily", "@hourly", "0 0 29 2 *", "*/15 9-17 * * 1-5"}
for path in glob.glob(f"{repo}/Sources/**/*.swift", recursive=True) + glob.glob(f"{repo}/Tests/**/*.swift", recursive=True):
    with open(path) as f:
        crons |= set(re.findall(r'CronExpression\(parsing:\s*"([^"\\]*)"', f.read()))
for cron in sorted(crons):
    seed("cron", cron)

# Alerts files: each shipped list as a bare list and under `alerts:`, and the rule documented in AlertRule.swift.
for block in alert_blocks:
    seed("alerts", block)
    seed("alerts", "alerts:\n" + block)
with open(f"{repo}/Sources/Alerts/AlertRule.swift") as f:
    documented = re.search(r"/// ```yaml\n((?:/// .*\n)+?)/// ```", f.read())
if documented:
    seed("alerts", "".join(line[4:] + "\n" for line in documented.group(1).splitlines()))

print(", ".join(f"{target}: {n} seeds" for target, n in sorted(counts.items())))
