"""make spark-hunt: the playbook rendered as Spark SQL from the DuckDB macros finds what DuckDB's
cf_hunt finds on the same lake (a generated day with injected threats)."""
from __future__ import annotations

import datetime as dt
import re

import pyarrow.parquet as pq
import pytest

from cflake import playbook_sql, spark as cspark

KEY = ("hunt", "severity", "entity_type", "entity", "first_seen", "last_seen", "requests")
NUMBER = re.compile(r"-?\d+(?:,\d{3})*(?:\.\d+)?")


def number_free(text: str | None) -> str | None:
    """Evidence with each number rounded to 3 significant digits (the engines may format a
    number differently: 1.50 / 1.5, 2.0E-4 / 0.0002)."""
    if text is None:
        return None
    return NUMBER.sub(lambda m: f"{float(m.group().replace(',', '')):.3g}", text)


def utc(ts) -> dt.datetime | None:
    if ts is None:
        return None
    return ts.astimezone(dt.timezone.utc).replace(tzinfo=None) if ts.tzinfo else ts


def rows(table) -> list[dict]:
    out = []
    for r in table.to_pylist():
        r["first_seen"], r["last_seen"] = utc(r["first_seen"]), utc(r["last_seen"])
        out.append(r)
    return sorted(out, key=lambda r: tuple(str(r[k]) for k in KEY))


@pytest.fixture(scope="module")
def both(spark, duck_lake, con, tmp_path_factory):
    con.execute(f"CREATE OR REPLACE VIEW lake_events AS FROM cf_lake('{duck_lake}')").fetchall()
    duck = con.sql("FROM cf_hunt('lake_events')").to_arrow_table()
    out = tmp_path_factory.mktemp("spark-hunt")
    cspark.hunt(str(duck_lake), str(out), spark=spark, log=lambda *_: None)
    return duck, pq.read_table(out / "findings.parquet")


def test_same_columns(both):
    duck, sp = both
    assert sp.schema.names == duck.schema.names


def test_same_findings(both):
    duck, sp = both
    d, s = rows(duck), rows(sp)
    # The day has injected threats: several hunts find something.
    assert len({r["hunt"] for r in d}) >= 5
    assert [tuple(r[k] for k in KEY) for r in s] == [tuple(r[k] for k in KEY) for r in d]
    for a, b in zip(d, s):
        assert number_free(b["evidence"]) == number_free(a["evidence"]), (a["hunt"], a["entity"])
        for k in ("members", "member_count", "hunts", "benign"):
            assert b[k] == a[k], (a["hunt"], a["entity"], k)


def test_rendering_leaves_nothing_of_duckdb(con):
    """Every hunt renders to Spark SQL that calls none of DuckDB's or our functions
    (check_portable raises otherwise) and reads the lake table."""
    pb = playbook_sql.Playbook(con)
    for name in pb.hunts():
        sql = pb.render(name, "spark", table="lake")
        assert re.search(r"\bFROM lake\b", sql), name


def test_number_free():
    assert number_free("rate 1.50 (baseline 0.0002), 1,234 requests") == number_free("rate 1.5 (baseline 0.0002), 1234 requests")
    assert number_free("3 requests") != number_free("4 requests")
