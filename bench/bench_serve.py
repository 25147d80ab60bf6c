"""Workbench speed on a warm server (loopback only): `make bench-serve`.

Starts `medaid serve` on a free 127.0.0.1 port, warms it, then measures
  1. one client: POST /api/v1/evaluate of an example and POST /api/v1/why (claim:c1), p50/p95;
  2. N concurrent clients (default 20) for S seconds (default 60), evaluate and why mixed:
     requests, errors (any non-200 or transport error), throughput, p50/p95 under load.
Targets (issue #11): evaluate p50 <= 50 ms, p95 <= 150 ms; why p50 <= 150 ms; no error under load.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "taiyuan-dibao-returned-poor.json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000


def start_server(port: int) -> subprocess.Popen:
    medaid = Path(sys.executable).parent / "medaid"
    proc = subprocess.Popen([str(medaid), "serve", "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "MEDAID_TOKEN": ""})
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the workbench did not start")


def sequential(base: str, body: bytes, why_body: bytes, n: int) -> dict:
    out = {}
    with httpx.Client(base_url=base, timeout=30) as c:
        for name, path, data in (("evaluate", "/api/v1/evaluate", body), ("why", "/api/v1/why", why_body)):
            for _ in range(10):                       # warm: first calls build caches
                c.post(path, content=data)
            times = []
            for _ in range(n):
                t = time.perf_counter()
                r = c.post(path, content=data)
                times.append(time.perf_counter() - t)
                assert r.status_code == 200, r.text
            out[name] = {"n": n, "p50_ms": round(pct(times, 50), 1), "p95_ms": round(pct(times, 95), 1)}
    return out


async def load(base: str, body: bytes, why_body: bytes, clients: int, seconds: float) -> dict:
    stop = time.perf_counter() + seconds
    times: dict[str, list[float]] = {"evaluate": [], "why": []}
    errors: list[str] = []

    async def client(k: int):
        async with httpx.AsyncClient(base_url=base, timeout=60) as c:
            i = k
            while time.perf_counter() < stop:
                name = "why" if i % 4 == 0 else "evaluate"      # one why in four
                path, data = ("/api/v1/why", why_body) if name == "why" else ("/api/v1/evaluate", body)
                t = time.perf_counter()
                try:
                    r = await c.post(path, content=data)
                    if r.status_code != 200:
                        errors.append(f"{name}: HTTP {r.status_code}")
                except httpx.HTTPError as exc:
                    errors.append(f"{name}: {type(exc).__name__}")
                times[name].append(time.perf_counter() - t)
                i += 1
    t0 = time.perf_counter()
    await asyncio.gather(*(client(k) for k in range(clients)))
    wall = time.perf_counter() - t0
    total = sum(len(v) for v in times.values())
    return {"clients": clients, "seconds": round(wall, 1), "requests": total, "errors": len(errors),
            "error_kinds": sorted(set(errors))[:5], "per_second": round(total / wall, 1),
            **{name: {"n": len(v), "p50_ms": round(pct(v, 50), 1), "p95_ms": round(pct(v, 95), 1)}
               for name, v in times.items() if v}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("-n", type=int, default=200, help="sequential requests per endpoint")
    args = ap.parse_args()
    body = EXAMPLE.read_bytes()
    why_body = json.dumps({"case": json.loads(body), "target": "claim:c1"}).encode()
    port = free_port()
    proc = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        seq = sequential(base, body, why_body, args.n)
        under = asyncio.run(load(base, body, why_body, args.clients, args.seconds))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    report = {"example": EXAMPLE.name, "cores": os.cpu_count(), "one_client": seq, "under_load": under}
    print(json.dumps(report, indent=2))
    ok = (seq["evaluate"]["p50_ms"] <= 50 and seq["evaluate"]["p95_ms"] <= 150 and seq["why"]["p50_ms"] <= 150
          and under["errors"] == 0)
    print("targets (evaluate p50 <= 50 ms, p95 <= 150 ms; why p50 <= 150 ms; no error under load):",
          "met" if ok else "NOT met", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
