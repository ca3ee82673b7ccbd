#!/usr/bin/env python3
"""`make bench` (memory): peak RSS of read_cloudfront scans must stay flat as input grows.

Generates (once, skipped when present) cfgen data sets of 24 hourly gzip files:
  bench-data/mem-small-3000000   3,000,000 lines  (~1.5 GB uncompressed)
  bench-data/mem-large-6000000   6,000,000 lines  (~3 GB uncompressed)
  bench-data/mem-xl-11000000    11,000,000 lines  (~5.5 GB uncompressed; only with --sizes ...,xl)
and runs, each in a fresh child process with `SET memory_limit = '512MB'`, a full-width
aggregate (every column read and converted) and a `count(*)`, the same full-width aggregate
through DuckDB's read_csv (configured as in bench.py) for comparison, plus a baseline child that
only loads the extension. The parent reads each child's peak RSS with os.wait4 (ru_maxrss) and
prints one table. Peak RSS is the scan's working set (per-thread line buffers, decompressors,
DuckDB's vectors and aggregate state), which must not grow with the input.

    python3 scripts/bench_memory.py [--sizes small,large] [--threads N] [--plain]

--plain generates uncompressed files instead (bench-data/mem-*-plain), which read_cloudfront
splits into 32 MiB ranges read by several threads.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXT = os.environ.get("CLOUDFRONT_EXTENSION", str(ROOT / "build/release/cloudfront.duckdb_extension"))
CFGEN = ROOT / "target/release/cfgen"
PY = sys.executable
SIZES = {"small": 3_000_000, "large": 6_000_000, "xl": 11_000_000}
MEMORY_LIMIT = "512MB"

sys.path.insert(0, str(ROOT / "scripts"))
from bench import duckdb_source, full_width_select  # noqa: E402  the same queries and read_csv set-up as make bench


def full_width(src: str) -> str:
    return f"{full_width_select('timestamp')} FROM {src}"


CHILD = r"""
import json, sys, time
import duckdb
ext, sql, threads, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
con.execute("SET enable_progress_bar = false")  # its bar shares stdout with the JSON line
con.execute(f"SET memory_limit = '{limit}'")
if threads:
    con.execute(f"SET threads = {threads}")
con.execute(f"LOAD '{ext}'")
t = time.perf_counter()
row = con.execute(sql).fetchone()
print(json.dumps({"seconds": time.perf_counter() - t, "first": row[0]}))
"""


def generate(name: str, lines: int, plain: bool) -> Path:
    out = ROOT / "bench-data" / f"mem-{name}-{lines}{'-plain' if plain else ''}"
    if (out / "truth.json").exists():
        return out
    if not CFGEN.exists():
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "cfgen"], cwd=ROOT, check=True)
    print(f"generating {lines:,} lines into {out.relative_to(ROOT)} ...", flush=True)
    tmp = out.with_name(out.name + ".tmp")
    subprocess.run(["rm", "-rf", str(tmp)], check=True)
    cmd = [str(CFGEN), "--out", str(tmp), "--lines", str(lines), "--seed", "42"] + (["--plain"] if plain else [])
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["rm", "-rf", str(out)], check=True)
    tmp.rename(out)
    return out


def run_child(sql: str, threads: int) -> dict:
    """Runs one query in a fresh interpreter; returns its timing and peak RSS (MB)."""
    proc = subprocess.Popen([PY, "-c", CHILD, EXT, sql, str(threads), MEMORY_LIMIT],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall0 = time.perf_counter()
    # wait4 reaps the child and gives its own rusage (not the sum over all children).
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - wall0
    proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = proc.stdout.read(), proc.stderr.read()
    if proc.returncode != 0:
        raise SystemExit(f"child failed ({proc.returncode}): {err.strip()[-2000:]}")
    info = json.loads(out.strip().splitlines()[-1])
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    rss = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / (1 << 20)
    info.update(rss_mb=rss, wall=wall, cpu=usage.ru_utime + usage.ru_stime)
    return info


def uncompressed_bytes(d: Path) -> int:
    files = sorted(d.glob("*.gz"))
    if not files:
        return sum(p.stat().st_size for p in d.glob("*.log"))
    # gzip's ISIZE trailer (size mod 2^32) per member; cfgen writes one member per file < 4 GiB.
    total = 0
    for f in files:
        with open(f, "rb") as fh:
            fh.seek(-4, os.SEEK_END)
            total += int.from_bytes(fh.read(4), "little")
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="small,large", help="comma list of: small, large")
    ap.add_argument("--threads", type=int, default=0, help="DuckDB threads (default: DuckDB's default)")
    ap.add_argument("--plain", action="store_true", help="uncompressed files instead of gzip")
    args = ap.parse_args()
    if not Path(EXT).exists():
        raise SystemExit(f"{EXT} not found: run `make release` first")

    rows = []
    print(f"load before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    base = run_child("SELECT 42", args.threads)
    rows.append(("baseline", "-", "-", "LOAD + SELECT 42", base))
    for name in args.sizes.split(","):
        d = generate(name, SIZES[name], args.plain)
        pattern = str(d / ("*.log" if args.plain else "*.gz"))
        src = f"read_cloudfront('{pattern}')"
        size_gb = uncompressed_bytes(d) / 1e9
        on_disk_gb = sum(p.stat().st_size for p in d.iterdir() if p.suffix in (".gz", ".log")) / 1e9
        queries = [("full-width aggregate", full_width(src)), ("count(*)", f"SELECT count(*) FROM {src}")]
        if not args.plain:
            queries.append(("read_csv full-width", full_width(duckdb_source("read_csv", pattern))))
        for label, sql in queries:
            info = run_child(sql, args.threads)
            assert info["first"] == SIZES[name], (label, info)
            rows.append((name, f"{SIZES[name]:,}", f"{size_gb:.2f} GB ({on_disk_gb:.2f} on disk)", label, info))

    print(f"\npeak RSS, memory_limit = {MEMORY_LIMIT}, threads = {args.threads or 'default'}, "
          f"{'plain' if args.plain else 'gzip'} input\n")
    head = f"{'input':9} {'lines':>11} {'uncompressed':>24}  {'query':22} {'wall s':>7} {'cpu s':>7} {'peak RSS MB':>12}"
    print(head)
    print("-" * len(head))
    for name, lines, size, label, info in rows:
        print(f"{name:9} {lines:>11} {size:>24}  {label:22} {info['wall']:7.1f} {info['cpu']:7.1f} {info['rss_mb']:12.0f}")
    names = [n for n in args.sizes.split(",")]
    print(f"load after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if len(names) >= 2:
        first, last = names[0], names[-1]
        for who, pick in (("read_cloudfront", lambda label: not label.startswith("read_csv")),
                          ("read_csv", lambda label: label.startswith("read_csv"))):
            a = [r[4]["rss_mb"] for r in rows if r[0] == first and pick(r[3])]
            b = [r[4]["rss_mb"] for r in rows if r[0] == last and pick(r[3])]
            if a and b:
                print(f"{who}: {last} / {first} peak RSS {max(b) / max(a):.2f} "
                      f"(input {SIZES[last] / SIZES[first]:.1f}x): {max(a):.0f} MB -> {max(b):.0f} MB")


if __name__ == "__main__":
    main()
