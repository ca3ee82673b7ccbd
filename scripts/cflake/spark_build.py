"""`make lake ENGINE=spark`: the lake written by Spark. The driver lists the source files and the
manifest (as the DuckDB builder does), spreads the new files over tasks, and each task converts
its files with DuckDB and this extension (shipped to the executors with SparkContext.addFile),
running the same lakelib.lake_select and handing Arrow batches to Spark (mapInArrow), which
writes the partitioned zstd Parquet.

On a cluster the executors need Python with `duckdb` (the version of test/requirements.txt) and
read access to the log files (s3:// through DuckDB's httpfs and the executor's AWS credentials).
"""
from __future__ import annotations

import os
import time

from . import lakelib
from .build import Result, prepare
from .sqltext import sql_list

#: Input per task when files_per_task is not given: enough to amortise a task's start (a DuckDB
#: connection and LOAD, about 50 ms) and small enough to spread a day over many executors.
TARGET_TASK_BYTES = 128 * 1024 * 1024
BATCH_ROWS = 65_536


def group_files(files: list[lakelib.Source], files_per_task: int) -> list[list[str]]:
    """Consecutive files (sorted by name, so an hour's files stay together) in groups of
    `files_per_task`, or of about TARGET_TASK_BYTES of input when 0."""
    groups: list[list[str]] = []
    cur: list[str] = []
    size = 0
    for f in files:
        if cur and ((files_per_task and len(cur) >= files_per_task) or (not files_per_task and size + f.size > TARGET_TASK_BYTES)):
            groups.append(cur)
            cur, size = [], 0
        cur.append(f.path)
        size += f.size
    if cur:
        groups.append(cur)
    return groups


def _convert(ext_name: str, remote: bool):
    """The mapInArrow function: each input row names a group of files; yields their lake rows."""

    def run(batches):
        import pyarrow as pa
        from pyspark import SparkFiles

        from cflake import lakelib as ll  # shipped with the job (addPyFile)

        con = ll.connect(SparkFiles.get(ext_name), remote=remote, threads="1")
        for batch in batches:
            for files in batch.column("files").to_pylist():
                reader = con.sql(ll.lake_select(con, files)).to_arrow_reader(BATCH_ROWS)
                for rb in reader:
                    yield pa.RecordBatch.from_arrays(rb.columns, schema=rb.schema)
        con.close()

    return run


def build_spark(lake: str, patterns: list[str], master: str = "local[2]", files_per_task: int = 0,
                spark=None, log=print) -> Result:
    from pyspark.sql.pandas.types import from_arrow_schema

    from . import spark as cspark

    remote = lakelib.is_remote(lake) or any(lakelib.is_remote(p) for p in patterns)
    con = lakelib.connect(remote=remote)
    new, _ = prepare(con, lake, patterns, log)
    if not new:
        return Result(0, 0, 0.0, 0, None)
    batch = lakelib.new_batch_id()
    # The schema of the rows, as DuckDB gives them in Arrow (the executors produce exactly this).
    schema = con.sql(lakelib.lake_select(con, [new[0].path]) + " LIMIT 0").to_arrow_table().schema
    own = spark is None
    spark = spark or cspark.session(master, app="cloudfront-lake-build")
    start = time.perf_counter()
    try:
        sc = spark.sparkContext
        sc.addFile(lakelib.EXT)
        pkg = os.path.dirname(os.path.abspath(__file__))
        sc.addPyFile(_zip_package(pkg))
        groups = group_files(new, files_per_task)
        files_df = spark.createDataFrame([(g,) for g in groups], "files array<string>").repartition(len(groups))
        rows = files_df.mapInArrow(_convert(os.path.basename(lakelib.EXT), remote), from_arrow_schema(schema))
        rows.write.mode("append").partitionBy(*lakelib.PARTITIONS).option("compression", "zstd").parquet(lake)
        seconds = time.perf_counter() - start
    finally:
        if own:
            spark.stop()
    lakelib.write_manifest(con, lake, batch, "spark", new)
    n = con.execute(f"SELECT count(*) FROM read_cloudfront({sql_list([s.path for s in new])})").fetchall()[0][0]
    return Result(len(new), int(n), seconds, sum(s.size for s in new), batch)


def _zip_package(pkg: str) -> str:
    """The cflake package as a zip for the executors' Python path."""
    import tempfile
    import zipfile

    path = os.path.join(tempfile.mkdtemp(prefix="cflake-"), "cflake.zip")
    with zipfile.ZipFile(path, "w") as z:
        for name in os.listdir(pkg):
            if name.endswith(".py"):
                z.write(os.path.join(pkg, name), f"cflake/{name}")
    return path
