"""make lake: the DuckDB builder's layout and manifest, and the Spark builder writing the same
rows and columns."""
from __future__ import annotations

import datetime as dt
import shutil

import pyarrow.parquet as pq
import pytest

from cflake import build, lakelib, spark_build


def parts(path) -> dict[str, str]:
    return dict(p.split("=", 1) for p in str(path).split("/") if "=" in p)


def test_partitions_are_the_utc_hour_of_each_row(duck_lake, con):
    files = sorted(duck_lake.glob("year=*/month=*/day=*/hour=*/*.parquet"))
    assert files, "no data files"
    for f in files:
        p = parts(f.relative_to(duck_lake))
        assert [len(p[k]) for k in ("year", "month", "day", "hour")] == [4, 2, 2, 2]
        hours = con.execute(
            f"SELECT DISTINCT strftime(timezone('UTC', timestamp), '%Y/%m/%d/%H') FROM read_parquet('{f}')").fetchall()
        assert hours == [(f"{p['year']}/{p['month']}/{p['day']}/{p['hour']}",)], f
        meta = pq.ParquetFile(f).metadata
        codecs = {meta.row_group(g).column(c).compression for g in range(meta.num_row_groups) for c in range(meta.num_columns)}
        assert codecs == {"ZSTD"}, f


def test_lake_holds_every_row_with_its_enrichment(duck_lake, day, con):
    """The lake, read back by cf_lake, is read_cloudfront(enrich := true) of the logs: same rows,
    same types (time comes back as TIME)."""
    src = f"read_cloudfront('{day}/*.gz', enrich := true, filename := true)"
    lake = f"cf_lake('{duck_lake}')"
    got = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE FROM {lake})").fetchall())
    want = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE FROM {src})").fetchall())
    for p in lakelib.PARTITIONS:
        assert got.pop(p) == "VARCHAR"
    assert got == want
    cols = ", ".join(want)
    diff = con.execute(
        f"SELECT (SELECT count(*) FROM (SELECT {cols} FROM {src} EXCEPT ALL SELECT {cols} FROM {lake})), "
        f"(SELECT count(*) FROM (SELECT {cols} FROM {lake} EXCEPT ALL SELECT {cols} FROM {src}))").fetchall()[0]
    assert diff == (0, 0)


def test_rerun_ingests_only_new_files(day, tmp_path, con):
    """Half the day, then the whole day: the second run adds the other half only; a third adds
    nothing. The manifest lists each file once with its size."""
    lake = tmp_path / "lake"
    logs = sorted(day.glob("*.gz"))
    half = tmp_path / "half"
    half.mkdir()
    for f in logs[:24]:
        shutil.copy2(f, half / f.name)
    quiet = dict(log=lambda *_: None)
    first = build.build_duckdb(str(lake), [str(half / "*.gz")], **quiet)
    second = build.build_duckdb(str(lake), [str(half / "*.gz"), str(day / "*.gz")], **quiet)
    third = build.build_duckdb(str(lake), [str(day / "*.gz")], **quiet)
    assert (first.files, second.files, third.files) == (24, 48, 0)
    total = con.execute(f"SELECT count(*) FROM read_cloudfront('{day}/*.gz')").fetchall()[0][0]
    half_rows = con.execute(f"SELECT count(*) FROM read_cloudfront('{half}/*.gz')").fetchall()[0][0]
    assert first.rows == half_rows
    # The same 24 logs under another directory are other files: 24 + 48 ingested, 2 x half_rows + the rest.
    n = con.execute(f"SELECT count(*) FROM cf_lake('{lake}')").fetchall()[0][0]
    assert n == half_rows + total
    known = lakelib.manifest(con, str(lake))
    assert len(known) == 72
    assert all(size == (day / p.rsplit("/", 1)[-1]).stat().st_size for p, (size, _, _) in known.items())


def test_failed_run_leaves_orphans_that_block_the_next(day, tmp_path, con):
    lake = tmp_path / "lake"
    build.build_duckdb(str(lake), [str(day / "*-00.*.gz")], log=lambda *_: None)
    stray = lake / "year=2026/month=11/day=20/hour=00/b20990101T000000Z-abcdef_x.parquet"
    stray.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(next(lake.glob("year=*/month=*/day=*/hour=*/*.parquet")), stray)
    with pytest.raises(SystemExit, match="belong to no batch"):
        build.build_duckdb(str(lake), [str(day / "*.gz")], log=lambda *_: None)


def test_group_files_by_count_and_size():
    S = lakelib.Source
    files = [S(f"f{i}", 100, "") for i in range(5)]
    assert spark_build.group_files(files, 2) == [["f0", "f1"], ["f2", "f3"], ["f4"]]
    big = [S("a", spark_build.TARGET_TASK_BYTES - 10, ""), S("b", 20, ""), S("c", 5, "")]
    assert spark_build.group_files(big, 0) == [["a"], ["b", "c"]]


def test_spark_builds_the_same_lake(spark, day, duck_lake, tmp_path, con):
    """ENGINE=spark: the same columns with the same types in the Parquet files, the same rows in
    the same partitions, and a manifest of the same files."""
    lake = tmp_path / "spark"
    r = spark_build.build_spark(str(lake), [str(day / "*.gz")], files_per_task=5, spark=spark, log=lambda *_: None)
    assert (r.files, r.rows) == (48, 30_000)

    def schema(root):
        files = sorted(root.glob("year=*/month=*/day=*/hour=*/*.parquet"))
        return con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet({lakelib.sql_list([str(f) for f in files])}, hive_partitioning := false))").fetchall()

    assert schema(lake) == schema(duck_lake)
    cols = "*"
    a, b = f"cf_lake('{duck_lake}')", f"cf_lake('{lake}')"
    diff = con.execute(
        f"SELECT (SELECT count(*) FROM (SELECT {cols} FROM {a} EXCEPT ALL SELECT {cols} FROM {b})), "
        f"(SELECT count(*) FROM (SELECT {cols} FROM {b} EXCEPT ALL SELECT {cols} FROM {a})), "
        f"(SELECT count(*) FROM {b})").fetchall()[0]
    assert diff == (0, 0, 30_000)
    # Each partition directory holds only its hour's rows (checked per file, as for DuckDB's).
    for f in lake.glob("year=*/month=*/day=*/hour=*/*.parquet"):
        p = parts(f.relative_to(lake))
        hours = con.execute(f"SELECT DISTINCT strftime(timezone('UTC', timestamp), '%Y/%m/%d/%H') FROM read_parquet('{f}')").fetchall()
        assert hours == [(f"{p['year']}/{p['month']}/{p['day']}/{p['hour']}",)]
    assert set(lakelib.manifest(con, str(lake))) == set(lakelib.manifest(con, str(duck_lake)))
    # A second run finds nothing new.
    again = spark_build.build_spark(str(lake), [str(day / "*.gz")], spark=spark, log=lambda *_: None)
    assert again.files == 0
