"""cloudfront.read(): remote globs expanded by DuckDB's glob() on the user's connection, the
window passed on as TIMESTAMPTZ. Run on DuckDB 2.0.x from the source tree (python/); the
`file://` scheme goes through the same remote-glob path as s3:// (DuckDB's glob() lists it)
without needing httpfs. test/s3 covers s3:// itself. Expected rows: test/data/make_window_fixtures.py."""
import datetime as dt
import os
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXT = os.environ.get("CLOUDFRONT_EXTENSION", str(ROOT / "build/release/cloudfront.duckdb_extension"))
sys.path.insert(0, str(ROOT / "python"))
import cloudfront  # noqa: E402

WINDOW = ROOT / "test/data/window"


@pytest.fixture
def con():
    c = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    c.execute(f"LOAD '{EXT}'")
    yield c
    c.close()


def test_remote_style_glob_with_a_window(con):
    # Hours 10 and 11 match; [10:30, 11:30) keeps 10:30:00, 10:59:59 and 11:00:00 (not 11:45, nor
    # the bad line of hour 11, which ignore_errors skips).
    rel = cloudfront.read(con, f"file://{WINDOW}/E2EXAMPLE.2026-11-20-1[01].*", since="2026-11-20T10:30",
                          until=dt.datetime(2026, 11, 20, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
                          ignore_errors=True, filename=True)
    rows = rel.order("timestamp").select("c_ip, filename").fetchall()
    assert [r[0] for r in rows] == ["192.0.2.4", "192.0.2.5", "192.0.2.6"]
    # glob() returned the files, which read_cloudfront read as a list.
    assert {Path(r[1]).name for r in rows} == {"E2EXAMPLE.2026-11-20-10.aaaa0010", "E2EXAMPLE.2026-11-20-11.aaaa0011"}


def test_local_paths_and_dates(con):
    # A date is midnight UTC; local globs are passed on to read_cloudfront as they are.
    rel = cloudfront.read(con, [str(WINDOW / "E2EXAMPLE.2026-11-20-09.*"), str(WINDOW / "renamed.log")],
                          since=dt.date(2026, 11, 20), until="2026-11-20T09:45:00+00:00")
    assert sorted(r[0] for r in rel.select("c_ip").fetchall()) == ["192.0.2.1", "192.0.2.8"]


def test_remote_glob_matching_nothing(con):
    with pytest.raises(FileNotFoundError, match="no files match"):
        cloudfront.read(con, f"file://{WINDOW}/nothing-*.gz")


def test_bad_arguments(con):
    with pytest.raises(ValueError, match="ISO 8601"):
        cloudfront.read(con, str(WINDOW / "renamed.log"), since="yesterday")
    with pytest.raises(ValueError, match="not an option name"):
        cloudfront.read(con, str(WINDOW / "renamed.log"), **{"x := 1) --": True})


def test_the_error_it_replaces_names_it(con):
    with pytest.raises(duckdb.Error, match=r"cloudfront\.read\(con, paths"):
        con.execute("FROM read_cloudfront('s3://bucket/E2EXAMPLE.*.gz')")
