"""`make lake`: CloudFront logs -> the enriched, partitioned Parquet lake, with DuckDB (one
process) or Spark (scripts/cflake/spark_build.py). Both run lakelib.lake_select on each file, so
they write the same rows and columns."""
from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass

from . import lakelib
from .lakelib import Source
from .sqltext import sql_str

#: Rows per Parquet row group (DuckDB's default); with one file per partition and writer thread,
#: an hour of a busy distribution is a few files of 10-200 MB (docs/scale.md).
ROW_GROUP_SIZE = 122_880


@dataclass
class Result:
    files: int
    rows: int
    seconds: float
    gzip_bytes: int
    batch: str | None

    def line(self, engine: str) -> str:
        rate = self.rows / self.seconds if self.seconds else 0.0
        mb = self.gzip_bytes / 1e6 / self.seconds if self.seconds else 0.0
        return (f"lake ({engine}): {self.files} new file(s), {self.rows:,} rows in {self.seconds:.1f} s "
                f"({rate:,.0f} rows/s, {mb:.1f} MB/s of log files in)")


def prepare(con, lake: str, patterns: list[str], log=print) -> tuple[list[Source], dict]:
    """Lists the sources, reads the manifest, refuses orphans, and returns the files to ingest."""
    sources = lakelib.list_sources(con, patterns)
    known = lakelib.manifest(con, lake)
    left = lakelib.orphans(con, lake, known)
    if left:
        listing = "\n  ".join(left[:20])
        raise SystemExit(
            f"lake: {len(left)} data file(s) in {lake} belong to no batch of the manifest (a build that "
            f"failed before finishing); remove them and run again:\n  {listing}")
    new, changed = lakelib.plan(sources, known)
    for s in changed:
        log(f"lake: warning: {s.path} was ingested before with another size or time; left alone "
            "(CloudFront does not rewrite delivered logs; remove it from the manifest to ingest it again)")
    log(f"lake: {len(sources)} source file(s), {len(sources) - len(new) - len(changed)} already in the lake, {len(new)} new")
    return new, known


def build_duckdb(lake: str, patterns: list[str], threads: int | None = None, log=print) -> Result:
    remote = lakelib.is_remote(lake) or any(lakelib.is_remote(p) for p in patterns)
    if remote:
        con = lakelib.shell_connect(threads)
    else:
        con = lakelib.connect(**({"threads": str(threads)} if threads else {}))
    new, _ = prepare(con, lake, patterns, log)
    if not new:
        return Result(0, 0, 0.0, 0, None)
    batch = lakelib.new_batch_id()
    start = time.perf_counter()
    # Local lakes are written to a staging directory and moved into place, so a failed run
    # leaves nothing in the partitions; remote ones are written in place (object stores have no
    # rename) and a failure's files are found as orphans by the next run.
    target = lake if lakelib.is_remote(lake) else os.path.join(lake, "_staging", batch)
    if not lakelib.is_remote(lake):
        os.makedirs(target, exist_ok=True)
    select = lakelib.lake_select(con, [s.path for s in new])
    con.execute(
        f"COPY ({select}) TO {sql_str(target)} (FORMAT parquet, COMPRESSION zstd, "
        f"PARTITION_BY ({', '.join(lakelib.PARTITIONS)}), ROW_GROUP_SIZE {ROW_GROUP_SIZE}, "
        f"FILENAME_PATTERN {sql_str('b' + batch + '_{uuid}')}, APPEND)"
    ).fetchall()
    # The rows written, from the batch's Parquet footers (the shell prints no COPY count).
    written = f"{target.rstrip('/')}/year=*/month=*/day=*/hour=*/b{batch}_*.parquet"
    rows = 0
    if con.execute(f"SELECT count(*) FROM glob({sql_str(written)})").fetchall()[0][0]:  # none: the files had no requests
        rows = con.execute(f"SELECT sum(num_rows) FROM parquet_file_metadata({sql_str(written)})").fetchall()[0][0]
    if not lakelib.is_remote(lake):
        for dirpath, _, names in os.walk(target):
            rel = os.path.relpath(dirpath, target)
            for name in names:
                os.makedirs(os.path.join(lake, rel), exist_ok=True)
                os.replace(os.path.join(dirpath, name), os.path.join(lake, rel, name))
        shutil.rmtree(os.path.join(lake, "_staging"), ignore_errors=True)
    lakelib.write_manifest(con, lake, batch, "duckdb", new)
    return Result(len(new), int(rows), time.perf_counter() - start, sum(s.size for s in new), batch)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="make lake", description=__doc__.splitlines()[0])
    ap.add_argument("--logs", required=True, help="path, glob or comma-separated list of CloudFront logs (local or s3://)")
    ap.add_argument("--lake", required=True, help="the lake's root directory or s3:// prefix")
    ap.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    ap.add_argument("--master", default=os.environ.get("SPARK_MASTER", "local[2]"), help="Spark master (engine spark)")
    ap.add_argument("--files-per-task", type=int, default=0, help="Spark: source files per task (0: about 128 MB of input each)")
    ap.add_argument("--threads", type=int, default=0, help="DuckDB threads (0: all cores)")
    a = ap.parse_args(argv)
    patterns = [p.strip() for p in a.logs.split(",") if p.strip()]
    if a.engine == "duckdb":
        r = build_duckdb(a.lake, patterns, threads=a.threads or None)
    else:
        from . import spark_build

        r = spark_build.build_spark(a.lake, patterns, master=a.master, files_per_task=a.files_per_task)
    print(r.line(a.engine) if r.files else f"lake ({a.engine}): nothing new to ingest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
