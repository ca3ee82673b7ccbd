#!/usr/bin/env python3
"""`make bench` (lake section): how the lake's cost grows with input (docs/scale.md).

For each size (cfgen lines, default 3 M and 10 M; 24 hourly gzip files, generated once under
bench-data/lake-<lines>/):
  - the lake build with DuckDB (all cores): rows/s and MB/s of gzip in;
  - the lake build with Spark local[2] (the smallest size only unless --spark-all): same figures;
  - cf_hunt on the DuckDB-built lake (CREATE VIEW events AS FROM cf_lake(dir)) under
    SET memory_limit = '2GB': wall time, peak RSS of the process running it and the peak size of
    what it spilled to its temp_directory (sampled every 0.2 s).
Each measurement is its own process, one after another; peak RSS comes from wait4. The machine's
load average is printed with each figure (other work on the machine slows everything here).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXT = os.path.abspath(os.environ.get("CLOUDFRONT_EXTENSION", str(ROOT / "build/release/cloudfront.duckdb_extension")))
CFGEN = ROOT / "target/release/cfgen"
PY = sys.executable


def load() -> str:
    return "load %.2f %.2f %.2f" % os.getloadavg()


def run(args: list[str], env: dict | None = None) -> str:
    """The child's stdout (its stderr is shown when it fails)."""
    p = subprocess.run(args, capture_output=True, text=True,
                       env={**os.environ, "CLOUDFRONT_EXTENSION": EXT, **(env or {})})
    if p.returncode:
        sys.stderr.write(p.stderr[-4000:])
        raise SystemExit(f"bench-lake: {' '.join(args[:6])} ... failed")
    return p.stdout


def child_hunt(lake: str, memory_limit: str) -> None:
    """Runs in the child: cf_hunt over the lake; prints seconds and peak RSS (MB) as JSON."""
    import resource

    import duckdb

    import threading

    # Spill goes to a directory of its own next to the lake; a thread samples its size.
    spill = Path(lake).parent / f"{Path(lake).name}-spill"
    shutil.rmtree(spill, ignore_errors=True)
    spill.mkdir(parents=True)
    peak_spill, done = [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            size = sum(f.stat().st_size for f in spill.rglob("*") if f.is_file())
            peak_spill[0] = max(peak_spill[0], size)

    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    con.execute(f"LOAD '{EXT}'").fetchall()
    con.execute(f"SET memory_limit = '{memory_limit}'").fetchall()
    con.execute(f"SET temp_directory = '{spill}'").fetchall()
    con.execute(f"CREATE VIEW events AS FROM cf_lake('{lake}')").fetchall()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t = time.perf_counter()
    n = con.execute("SELECT count(*) FROM cf_hunt('events')").fetchall()[0][0]
    secs = time.perf_counter() - t
    done.set()
    sampler.join()
    shutil.rmtree(spill, ignore_errors=True)
    rows = con.execute("SELECT count(*) FROM events").fetchall()[0][0]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": secs, "findings": n, "rows": rows, "peak_rss_mb": rss, "peak_spill_mb": peak_spill[0] / 1e6}))


def generate(lines: int, data: Path) -> Path:
    d = data / f"lake-{lines}"
    if not (d / "truth.json").exists():
        shutil.rmtree(d, ignore_errors=True)
        subprocess.run([str(CFGEN), "--out", str(d), "--lines", str(lines)], check=True, capture_output=True)
    return d


def build(engine: str, logs: Path, lake: Path) -> str:
    shutil.rmtree(lake, ignore_errors=True)
    args = [PY, "-m", "cflake.build", "--logs", str(logs / "*.gz"), "--lake", str(lake), "--engine", engine]
    if engine == "spark":
        args += ["--master", "local[2]"]
    out = run(args, env={"PYTHONPATH": str(ROOT / "scripts")})
    return [line for line in out.splitlines() if line.startswith("lake (")][-1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT / "bench-data")
    ap.add_argument("--sizes", default="3000000,10000000", help="comma list of cfgen line counts")
    ap.add_argument("--memory-limit", default="2GB")
    ap.add_argument("--spark-all", action="store_true", help="also build the larger sizes with Spark")
    ap.add_argument("--no-spark", action="store_true")
    ap.add_argument("--child-hunt", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child_hunt:
        child_hunt(a.child_hunt, a.memory_limit)
        return 0
    sizes = [int(s) for s in a.sizes.split(",") if s]
    print(f"== lake: build rate and cf_hunt on the lake ({os.cpu_count()} cores)")
    for i, lines in enumerate(sizes):
        logs = generate(lines, a.data)
        gz = sum(f.stat().st_size for f in logs.glob("*.gz"))
        print(f"-- {lines:,} lines, {len(list(logs.glob('*.gz')))} gzip files, {gz / 1e6:.0f} MB")
        lake = a.data / f"lake-{lines}-duckdb"
        print(f"   {build('duckdb', logs, lake)}   [{load()}]", flush=True)
        if not a.no_spark and (i == 0 or a.spark_all) and shutil.which("java"):
            print(f"   {build('spark', logs, a.data / f'lake-{lines}-spark')}   [{load()}]", flush=True)
            shutil.rmtree(a.data / f"lake-{lines}-spark", ignore_errors=True)
        size = sum(f.stat().st_size for f in lake.rglob("*.parquet"))
        out = run([PY, __file__, "--child-hunt", str(lake), "--memory-limit", a.memory_limit])
        r = json.loads(out.strip().splitlines()[-1])
        print(f"   cf_hunt on the lake ({r['rows']:,} rows, {size / 1e6:.0f} MB of Parquet, memory_limit {a.memory_limit}): "
              f"{r['seconds']:.1f} s, {r['findings']} findings, peak RSS {r['peak_rss_mb']:.0f} MB, "
              f"peak spill {r['peak_spill_mb']:.0f} MB   [{load()}]", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
