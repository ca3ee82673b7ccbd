"""Spark side of the lake: the session, reading the lake, and running the playbook as Spark SQL
(`make spark-hunt`). The SQL is rendered from the DuckDB macros (playbook_sql)."""
from __future__ import annotations

import os
import sys
import time

from . import lakelib, playbook_sql

#: Settings every session of ours needs, whatever the master: UTC instants (the hunts' windows and
#: the partition values are UTC), DuckDB's NULL-on-division-by-zero (Spark 4's ANSI mode raises),
#: Parquet timestamps as INT64 micros (what DuckDB writes and Athena reads; Spark's default INT96
#: is deprecated), partition values kept as the zero-padded text they are.
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.sql.parquet.compression.codec": "zstd",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    # cf_hunt is a large plan: the default 1 GB driver heap is too small for Catalyst.
    "spark.driver.memory": "3g",
}


def session(master: str = "local[2]", app: str = "cloudfront-lake", shuffle_partitions: int | None = None):
    """A SparkSession with SESSION_CONF. Local mode runs the workers with this Python."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    b = SparkSession.builder.master(master).appName(app)
    for k, v in SESSION_CONF.items():
        b = b.config(k, v)
    if shuffle_partitions:
        b = b.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def read_lake(spark, lake: str, view: str = "events"):
    """The lake's partitions as a temp view (the manifest and staging directories are not read)."""
    root = lake.rstrip("/")
    df = spark.read.option("basePath", root).parquet(f"{root}/year=*/month=*/day=*/hour=*")
    df.createOrReplaceTempView(view)
    return df


def hunt(lake: str, out: str, master: str = "local[2]", hunts: list[str] | None = None,
         params: dict[str, dict[str, str]] | None = None, spark=None, log=print) -> dict:
    """Runs cf_hunt (and, when asked, each hunt) as Spark SQL over the lake; writes
    OUT/findings.parquet (cf_hunt's columns) and OUT/<hunt>.parquet for each of `hunts`."""
    import pyarrow.parquet as pq

    con = lakelib.connect()
    pb = playbook_sql.Playbook(con)
    params = params or {}
    if params:
        _empty_events(con)
        for name, args in params.items():
            pb.check_parameters(name, args, "_cf_empty_events")
    own = spark is None
    spark = spark or session(master)
    try:
        read_lake(spark, lake)
        os.makedirs(out, exist_ok=True)
        timings = {}
        done: set[str] = set()
        for name in (hunts or []) + ["cf_hunt"]:
            start = time.perf_counter()
            steps = pb.render_steps(name, "spark", args=params.get(name))
            # Every CTE and every hunt cf_hunt reads is a temp view. Those read more than once,
            # and the hunts cf_hunt reads, are computed once and checkpointed (as DuckDB
            # materialises such CTEs): a cached view would still expand into every reader's plan,
            # and cf_hunt's plan over all the hunts then exhausts the driver's heap in Catalyst.
            for view, sql, readers in steps[:-1]:
                if view not in done:
                    df = spark.sql(sql)
                    if readers > 1 or "__" not in view:
                        df = df.localCheckpoint(eager=True)
                    df.createOrReplaceTempView(view)
                    done.add(view)
            table = spark.sql(steps[-1][1]).toArrow()
            timings[name] = time.perf_counter() - start
            target = os.path.join(out, "findings.parquet" if name == "cf_hunt" else f"{name}.parquet")
            pq.write_table(table, target)
            log(f"spark-hunt: {name}: {table.num_rows} row(s) in {timings[name]:.1f} s -> {target}")
        return timings
    finally:
        if own:
            spark.stop()


def _empty_events(con) -> None:
    cols = ", ".join(f"NULL::{ty} AS {name}" for name, ty in lakelib.standard_columns(con))
    con.execute(f"CREATE OR REPLACE TEMP TABLE _cf_empty_events AS SELECT {cols} LIMIT 0").fetchall()


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="make spark-hunt", description="cf_hunt as Spark SQL over the lake")
    ap.add_argument("--lake", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--master", default=os.environ.get("SPARK_MASTER", "local[2]"))
    ap.add_argument("--all", action="store_true", help="also write each hunt's own rows (OUT/<hunt>.parquet)")
    ap.add_argument("--param", action="append", default=[], metavar="HUNT.NAME=VALUE",
                    help="a hunt's parameter, as in SQL (e.g. cf_ddos.per_ip_limit=200); checked by DuckDB first")
    a = ap.parse_args(argv)
    params: dict[str, dict[str, str]] = {}
    for p in a.param:
        k, v = p.split("=", 1)
        h, n = k.split(".", 1)
        params.setdefault(h, {})[n] = v
    con = lakelib.connect()
    hunts = [h for h in playbook_sql.Playbook(con).hunts() if h != "cf_hunt"] if a.all else []
    hunt(a.lake, a.out, a.master, hunts, params)
    return 0


if __name__ == "__main__":
    sys.exit(main())
