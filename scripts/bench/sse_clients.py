#!/usr/bin/env python3
"""Holds N dashboard pages' event streams open (GET /api/events, as the page's EventSource asks) and counts what
arrives, for the dashboard bench's fan-out part. Runs as its own process so that reading the streams does not
compete for the GIL with the bench's replay server.

    sse_clients.py --port P --clients 50 --query 'symbols=BTCUSDT,ETHUSDT&timeframe=1s' --out result.json

Connects every client, writes {"connected": n} to --out, then reads until SIGTERM and writes per-client event
and byte counts (and the connection errors) to --out.
"""
import argparse
import asyncio
import json
import signal
import sys


async def client(port, query, stats, connected):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET /api/events?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    status = await reader.readline()
    if b" 200 " not in status:
        raise RuntimeError(f"events answered {status!r}")
    connected.release()
    try:
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                break
            stats["bytes"] += len(chunk)
            stats["events"] += chunk.count(b"\nevent: ") + chunk.startswith(b"event: ")
    finally:
        writer.close()


async def main(args):
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    stats = [{"events": 0, "bytes": 0} for _ in range(args.clients)]
    connected = asyncio.Semaphore(0)
    tasks = [asyncio.create_task(client(args.port, args.query, s, connected)) for s in stats]
    for _ in range(args.clients):
        await asyncio.wait_for(connected.acquire(), 60)
    with open(args.out, "w") as f:
        json.dump({"connected": args.clients}, f)
    await stop.wait()
    for task in tasks:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    errors = [repr(r) for r in results if isinstance(r, Exception) and not isinstance(r, asyncio.CancelledError)]
    with open(args.out, "w") as f:
        json.dump({"connected": args.clients, "clients": stats, "errors": errors}, f)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--query", default="")
    parser.add_argument("--out", required=True)
    asyncio.run(main(parser.parse_args()))
    sys.exit(0)
