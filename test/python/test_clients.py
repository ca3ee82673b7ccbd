"""The extension through Python's client APIs: DB-API cursors with `?` parameters, the relational
API, Arrow/polars results, SQLAlchemy with duckdb-engine, threads sharing one database instance,
and a hive-partitioned Parquet round trip.

Every expected value is worked out by hand from `test/data/make_fixtures.py`: the standard fixture
has five lines (the AWS doc's Hit and Error examples, a viewer that hung up over IPv6, a 1 MiB
range request by curl, and a line of `-` only):

    c_ip                          sc_status  sc_bytes  cs_uri_stem   timestamp (UTC)
    192.0.2.100                   200        392       /index.html   2019-12-04 21:02:31
    192.0.2.200                   502        900       /favicon.ico  2019-12-13 22:36:27
    2001:db8:85a3::8a2e:370:7334  0 (000)    0         /video.mp4    2019-12-13 23:00:00
    198.51.100.7                  206        1048700   /big.bin      2019-12-13 23:59:59
    NULL                          NULL       NULL      NULL          NULL

so sum(sc_bytes) = 1049992, 4 distinct c_ip, one NULL timestamp.

Runs on DuckDB 2.0.x (`.venv`) and 1.5.6 (`.venv-duckdb156`); the tests that need polars, pyarrow
or SQLAlchemy/duckdb-engine skip, with the reason, where those packages are not installed.
"""
import datetime as dt
import importlib.util
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = Path(os.environ.get("CLOUDFRONT_EXTENSION", ROOT / "build" / "release" / "cloudfront.duckdb_extension")).resolve()
STANDARD_DIR = ROOT / "test" / "data" / "standard"
STANDARD_GLOB = str(STANDARD_DIR / "*")
UTC = dt.timezone.utc

# (c_ip, sc_status, sc_bytes, cs_uri_stem), ordered by sc_bytes NULLS LAST.
ROWS = [
    ("2001:db8:85a3::8a2e:370:7334", 0, 0, "/video.mp4"),
    ("192.0.2.100", 200, 392, "/index.html"),
    ("192.0.2.200", 502, 900, "/favicon.ico"),
    ("198.51.100.7", 206, 1048700, "/big.bin"),
    (None, None, None, None),
]
TOTAL_BYTES = 392 + 900 + 0 + 1048700
assert TOTAL_BYTES == 1049992

# Shannon entropy of each cs_uri_stem, in bits per byte, worked out from the byte histogram:
# /video.mp4 has 10 distinct bytes -> log2(10); /index.html 11 distinct -> log2(11);
# /favicon.ico (12 bytes: i, c, o twice, 6 others once) -> 6/12*log2(12) + 3*(2/12)*log2(6);
# /big.bin (8 bytes: b, i twice, 4 others once) -> 2*(2/8)*2 + 4*(1/8)*3 = 2.5.
ENTROPY = {
    "/video.mp4": math.log2(10),
    "/index.html": math.log2(11),
    "/favicon.ico": 0.5 * math.log2(12) + 0.5 * math.log2(6),
    "/big.bin": 2.5,
}


def sql_str(s) -> str:
    return "'" + str(s).replace("'", "''") + "'"


def require_module(name: str):
    """Import `name`, or skip (with the reason) when it is not installed in this environment."""
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} is not installed in this Python environment ({duckdb.__version__=})")
    return __import__(name)


def connect(database=":memory:", load=True) -> duckdb.DuckDBPyConnection:
    assert EXTENSION.is_file(), f"extension not built: {EXTENSION} (run `make release`)"
    con = duckdb.connect(database, config={"allow_unsigned_extensions": "true"})
    con.execute("SET TimeZone = 'UTC'")
    if load:
        con.execute(f"LOAD {sql_str(EXTENSION)}")
    return con


@pytest.fixture
def con():
    c = connect()
    yield c
    c.close()


# ------------------------------------------------------------------------------ (a) DB-API


def test_dbapi_cursor_with_parameters(con):
    cur = con.cursor()
    cur.execute(
        "SELECT count(*) AS n, sum(sc_bytes) AS bytes, count(DISTINCT c_ip) AS ips "
        "FROM read_cloudfront(?) WHERE sc_status >= ?",
        [STANDARD_GLOB, 200],
    )
    assert [d[0] for d in cur.description] == ["n", "bytes", "ips"]
    # sc_status >= 200: 200, 502, 206 (000 and NULL are left out).
    assert cur.fetchone() == (3, 392 + 900 + 1048700, 3)
    assert cur.fetchone() is None

    cur.execute(
        "SELECT c_ip, sc_status, sc_bytes, cs_uri_stem FROM read_cloudfront(?) ORDER BY sc_bytes NULLS LAST",
        [STANDARD_GLOB],
    )
    assert cur.fetchmany(2) == ROWS[:2]
    assert cur.fetchall() == ROWS[2:]
    cur.close()


def test_dbapi_scalars_with_parameters(con):
    cur = con.cursor()
    for uri, expected in ENTROPY.items():
        (got,) = cur.execute("SELECT uri_entropy(?)", [uri]).fetchone()
        assert got == pytest.approx(expected, abs=1e-12), uri
    assert cur.execute("SELECT uri_entropy(?), uri_entropy(?)", ["", None]).fetchone() == (0.0, None)
    # The query string of the range line: %2527 is a quote encoded twice.
    assert cur.execute("SELECT url_decode_cf(?), encoding_depth(?)", ["a=1&b=%2527x"] * 2).fetchone() == ("a=1&b='x", 2)
    # AWS WAF's default block: Error, 403, detailed type Error.
    assert cur.execute("SELECT is_waf_block(?, ?, ?)", ["Error", 403, "Error"]).fetchone() == (True,)
    assert cur.execute("SELECT is_waf_block(?, ?, ?)", ["Error", 403, "OriginError"]).fetchone() == (False,)
    assert cur.execute("SELECT ip_prefix(?, ?)", ["203.0.113.77", 24]).fetchone() == ("203.0.113.0/24",)
    # Scalars over the scan, one row per line.
    cur.execute(
        "SELECT cs_uri_stem, uri_entropy(cs_uri_stem), ua_category(cs_user_agent), is_bot(cs_user_agent) "
        "FROM read_cloudfront(?) ORDER BY sc_bytes NULLS LAST",
        [STANDARD_GLOB],
    )
    got = cur.fetchall()
    assert [r[0] for r in got] == [r[3] for r in ROWS]
    for uri, h, _, _ in got[:4]:
        assert h == pytest.approx(ENTROPY[uri], abs=1e-12)
    assert got[4][1] is None
    # X11 UA without an engine token is 'other'; Chrome UAs 'browser'; curl 'library'; NULL 'empty'.
    assert [(r[2], r[3]) for r in got] == [
        ("other", False), ("browser", False), ("browser", False), ("library", True), ("empty", True)]


def test_dbapi_playbook_macro_with_parameters(con):
    cur = con.cursor()
    cur.execute("CREATE TABLE events AS FROM read_cloudfront(?)", [STANDARD_GLOB])
    cur.execute("SELECT c_ip, requests, share, bytes_out, error_rate, ua_category FROM cf_top_talkers(?, n := ?)", ["events", 3])
    # Every client sent one request (share 1/5): ties are broken by c_ip, as text.
    assert cur.fetchall() == [
        ("192.0.2.100", 1, 0.2, 392, 0.0, "browser"),
        ("192.0.2.200", 1, 0.2, 900, 1.0, "browser"),
        ("198.51.100.7", 1, 0.2, 1048700, 0.0, "library"),
    ]
    summary = dict(cur.execute("SELECT metric, value FROM cf_summary(?)", ["events"]).fetchall())
    assert summary["requests"] == "5"
    assert summary["distinct_clients"] == "4"
    assert summary["bytes_out"] == str(TOTAL_BYTES)
    assert summary["first_seen"] == "2019-12-04T21:02:31Z"
    assert summary["last_seen"] == "2019-12-13T23:59:59Z"
    assert (summary["status_2xx"], summary["status_5xx"], summary["status_other"]) == ("2", "1", "2")
    assert summary["cache_hit_ratio"] == "0.2000"  # one Hit of five


# ------------------------------------------------------------------------- (b) relational API


def test_relational_api(con):
    rel = con.sql(f"FROM read_cloudfront({sql_str(STANDARD_GLOB)})")
    assert rel.columns[:6] == ["timestamp", "date", "time", "x_edge_location", "sc_bytes", "c_ip"]
    types = dict(zip(rel.columns, (str(t) for t in rel.types)))
    assert types["timestamp"] == "TIMESTAMP WITH TIME ZONE"
    assert (types["date"], types["time"], types["sc_bytes"], types["sc_status"]) == ("DATE", "TIME", "BIGINT", "INTEGER")

    assert rel.filter("sc_status >= 500").aggregate("count(*) AS n, sum(sc_bytes) AS b").fetchall() == [(1, 900)]
    assert rel.aggregate("count(*) AS n, sum(sc_bytes) AS b, count(DISTINCT c_ip) AS ips").fetchall() == [(5, TOTAL_BYTES, 4)]
    by_cat = rel.aggregate("ua_category(cs_user_agent) AS cat, count(*) AS n, sum(sc_bytes) AS b", "cat").order("cat")
    assert by_cat.fetchall() == [("browser", 2, 1292), ("empty", 1, None), ("library", 1, 1048700), ("other", 1, 0)]
    assert rel.filter("is_origin_error(x_edge_result_type, sc_status, x_edge_detailed_result_type)").project("c_ip").fetchall() == [("192.0.2.200",)]

    con.execute(f"CREATE VIEW v AS FROM read_cloudfront({sql_str(STANDARD_GLOB)})")
    ratio = con.sql("FROM cf_summary('v')").filter("metric = 'cache_hit_ratio'").project("value, detail")
    assert ratio.fetchall() == [("0.2000", "1 Hit/RefreshHit of 5 requests")]


# --------------------------------------------------------------------- (c) Arrow and polars


def test_polars_and_arrow_results(con):
    pl = require_module("polars")
    pa = require_module("pyarrow")
    rel = con.sql(f"FROM read_cloudfront({sql_str(STANDARD_GLOB)}) ORDER BY sc_bytes NULLS LAST")

    df = rel.pl()
    assert df.height == 5
    assert df.schema["timestamp"] == pl.Datetime("us", "UTC") or df.schema["timestamp"] == pl.Datetime("us", "Etc/UTC")
    assert (df.schema["date"], df.schema["time"], df.schema["sc_bytes"], df.schema["sc_status"]) == (
        pl.Date, pl.Time, pl.Int64, pl.Int32)
    assert df["sc_bytes"].sum() == TOTAL_BYTES
    assert df["c_ip"].drop_nulls().n_unique() == 4
    assert df["timestamp"].null_count() == 1
    assert df["c_ip"].to_list() == [r[0] for r in ROWS]
    assert df["sc_status"].to_list() == [r[1] for r in ROWS]
    assert df["timestamp"][3] == dt.datetime(2019, 12, 13, 23, 59, 59, tzinfo=UTC)
    assert df["date"][1] == dt.date(2019, 12, 4) and df["time"][1] == dt.time(21, 2, 31)
    assert df["time_taken"][3] == 1.25 and df["sc_range_end"][3] == 1048575

    # The same through an Arrow table (DuckDB 2.x returns a RecordBatchReader, 1.x a Table).
    tbl = rel.arrow()
    if isinstance(tbl, pa.RecordBatchReader):
        tbl = tbl.read_all()
    assert tbl.schema.field("timestamp").type == pa.timestamp("us", tz=tbl.schema.field("timestamp").type.tz)
    assert tbl.schema.field("timestamp").type.tz in ("UTC", "Etc/UTC")
    assert (tbl.schema.field("sc_bytes").type, tbl.schema.field("sc_status").type) == (pa.int64(), pa.int32())
    assert (tbl.schema.field("date").type, tbl.schema.field("time").type) == (pa.date32(), pa.time64("us"))
    via_arrow = pl.from_arrow(tbl)
    assert via_arrow.equals(df)

    # A scalar's result in polars, and the polars frame fed back to a playbook macro.
    scored = con.sql(
        f"SELECT cs_uri_stem, uri_entropy(cs_uri_stem) AS h FROM read_cloudfront({sql_str(STANDARD_GLOB)}) "
        "WHERE cs_uri_stem IS NOT NULL").pl()
    assert scored.schema["h"] == pl.Float64
    for uri, h in scored.iter_rows():
        assert h == pytest.approx(ENTROPY[uri], abs=1e-12)
    con.register("events_pl", df)
    top = con.sql("SELECT c_ip, bytes_out FROM cf_top_talkers('events_pl', n := 10)").pl()
    assert top["bytes_out"].sum() == TOTAL_BYTES
    assert top["c_ip"].to_list() == ["192.0.2.100", "192.0.2.200", "198.51.100.7", "2001:db8:85a3::8a2e:370:7334", None]


# ------------------------------------------------------------ (d) SQLAlchemy with duckdb-engine


def test_sqlalchemy_duckdb_engine():
    sqlalchemy = require_module("sqlalchemy")
    require_module("duckdb_engine")
    from sqlalchemy import create_engine, text

    assert int(sqlalchemy.__version__.split(".")[0]) >= 2
    engine = create_engine("duckdb:///:memory:", connect_args={"config": {"allow_unsigned_extensions": "true"}})
    try:
        with engine.connect() as c:
            c.execute(text(f"LOAD {sql_str(EXTENSION)}"))
            row = c.execute(
                text("SELECT count(*) AS n, sum(sc_bytes) AS bytes FROM read_cloudfront(:path) WHERE sc_status >= :status"),
                {"path": STANDARD_GLOB, "status": 200},
            ).one()
            assert (row.n, row.bytes) == (3, 392 + 900 + 1048700)
            assert c.execute(text("SELECT ua_category(:ua)"), {"ua": "sqlmap/1.7.2#stable (https://sqlmap.org)"}).scalar() == "scanner"
            assert c.execute(text("SELECT is_origin_error(:r, :s, :d)"), {"r": "Error", "s": 502, "d": "OriginDnsError"}).scalar() is True
            c.execute(text("CREATE TABLE events AS FROM read_cloudfront(:path)"), {"path": STANDARD_GLOB})
            rows = c.execute(text("SELECT c_ip, bytes_out FROM cf_top_talkers('events', n := :n)"), {"n": 2}).all()
            assert [tuple(r) for r in rows] == [("192.0.2.100", 392), ("192.0.2.200", 900)]
            summary = dict(c.execute(text("SELECT metric, value FROM cf_summary('events')")).all())
            assert (summary["requests"], summary["bytes_out"], summary["distinct_clients"]) == ("5", str(TOTAL_BYTES), "4")
    finally:
        engine.dispose()


# --------------------------------------------------- (e) threads sharing one database instance

def _workload(cur) -> tuple:
    """A read_cloudfront aggregate, a scalar over every row and a playbook macro."""
    # Timestamps as UTC text: DuckDB 1.5's Python client needs pytz for TIMESTAMPTZ values, and a
    # cursor does not inherit its parent connection's TimeZone setting.
    agg = cur.execute(
        "SELECT count(*), sum(sc_bytes), count(DISTINCT c_ip), "
        "strftime(timezone('UTC', min(timestamp)), '%Y-%m-%dT%H:%M:%SZ'), "
        "strftime(timezone('UTC', max(timestamp)), '%Y-%m-%dT%H:%M:%SZ') "
        f"FROM read_cloudfront({sql_str(STANDARD_GLOB)})").fetchall()
    scalars = cur.execute(
        "SELECT c_ip, round(uri_entropy(cs_uri_stem), 9), ua_category(cs_user_agent), ip_prefix(c_ip, 24) "
        f"FROM read_cloudfront({sql_str(STANDARD_GLOB)}) ORDER BY sc_bytes NULLS LAST").fetchall()
    # Qualified: the playbook's catalog works on file databases too (unqualified needs memory).
    macro = cur.execute("SELECT c_ip, requests, bytes_out FROM cloudfront.cf_top_talkers('events', n := 10)").fetchall()
    return agg, scalars, macro


EXPECTED_WORKLOAD = (
    [(5, TOTAL_BYTES, 4, "2019-12-04T21:02:31Z", "2019-12-13T23:59:59Z")],
    [
        ("2001:db8:85a3::8a2e:370:7334", round(ENTROPY["/video.mp4"], 9), "other", "2001:d00::/24"),
        ("192.0.2.100", round(ENTROPY["/index.html"], 9), "browser", "192.0.2.0/24"),
        ("192.0.2.200", round(ENTROPY["/favicon.ico"], 9), "browser", "192.0.2.0/24"),
        ("198.51.100.7", 2.5, "library", "198.51.100.0/24"),
        (None, None, "empty", None),
    ],
    [("192.0.2.100", 1, 392), ("192.0.2.200", 1, 900), ("198.51.100.7", 1, 1048700),
     ("2001:db8:85a3::8a2e:370:7334", 1, 0), (None, 1, 0)],
)


def _functions_snapshot(con):
    return con.execute(
        "SELECT function_name, function_type, count(*) FROM duckdb_functions() "
        "WHERE function_name LIKE 'cf\\_%' ESCAPE '\\' OR function_name IN "
        "('read_cloudfront', 'read_cloudfront_rejects', 'uri_entropy', 'is_waf_block', 'cloudfront_playbook') "
        "GROUP BY ALL ORDER BY ALL").fetchall()


def test_threads_share_one_instance_and_reload_is_harmless():
    con = connect()
    con.execute(f"CREATE TABLE events AS FROM read_cloudfront({sql_str(STANDARD_GLOB)})")
    single = _workload(con)
    assert single == EXPECTED_WORKLOAD
    before = _functions_snapshot(con)
    # Each macro twice: in the playbook's catalog and in the in-memory default database.
    assert ("read_cloudfront", "table", 1) in before and ("cf_top_talkers", "table_macro", 2) in before

    threads, rounds = 8, 10
    barrier = threading.Barrier(threads)

    def worker(i):
        cur = con.cursor()
        try:
            barrier.wait(timeout=30)
            if i % 2 == 0:
                cur.execute(f"LOAD {sql_str(EXTENSION)}")  # a second LOAD, while others query
            return [_workload(cur) for _ in range(rounds)]
        finally:
            cur.close()

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(worker, range(threads)))
    assert len(results) == threads
    for per_thread in results:
        assert per_thread == [single] * rounds

    # The reloads neither duplicated nor dropped a function or macro.
    con.execute(f"LOAD {sql_str(EXTENSION)}")
    assert _functions_snapshot(con) == before
    assert _workload(con) == EXPECTED_WORKLOAD
    con.close()


def test_concurrent_first_load_from_several_cursors():
    con = connect(load=False)
    threads = 6
    barrier = threading.Barrier(threads)

    def worker(_):
        cur = con.cursor()
        try:
            barrier.wait(timeout=30)
            cur.execute(f"LOAD {sql_str(EXTENSION)}")
            return cur.execute(f"SELECT sum(sc_bytes), cloudfront_version() FROM read_cloudfront({sql_str(STANDARD_GLOB)})").fetchone()
        finally:
            cur.close()

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(worker, range(threads)))
    assert {r[0] for r in results} == {TOTAL_BYTES}
    assert len({r[1] for r in results}) == 1
    # The playbook was installed once for the instance: one macro per name in each database.
    counts = con.execute(
        "SELECT count(*), count(DISTINCT (database_name, function_name)) FROM duckdb_functions() "
        "WHERE function_name LIKE 'cf\\_%' ESCAPE '\\'").fetchone()
    assert counts[0] == counts[1] and counts[0] >= 2
    con.close()


def test_second_connection_to_same_database_file(tmp_path):
    """Python caches database instances by path: a second connect() to the same file with the
    same config shares the instance, so it sees the loaded extension without its own LOAD."""
    db = tmp_path / "logs.duckdb"
    first = connect(str(db))
    first.execute(f"CREATE TABLE events AS FROM read_cloudfront({sql_str(STANDARD_GLOB)})")
    second = duckdb.connect(str(db), config={"allow_unsigned_extensions": "true"})
    second.execute("SET TimeZone = 'UTC'")
    assert _workload(second) == EXPECTED_WORKLOAD
    second.close()
    first.close()


# ----------------------------------------------------- (f) hive-partitioned Parquet round trip


def test_parquet_partitioned_round_trip(con, tmp_path):
    out = tmp_path / "cf_parquet"
    scan = f"read_cloudfront({sql_str(STANDARD_GLOB)})"
    con.execute(
        f"COPY (SELECT *, year(timestamp) AS year, month(timestamp) AS month, day(timestamp) AS day FROM {scan}) "
        f"TO {sql_str(out)} (FORMAT parquet, PARTITION_BY (year, month, day))")

    # One folder per UTC day; the line without a timestamp lands in Hive's default partition.
    files = sorted(p.relative_to(out).parent.as_posix() for p in out.rglob("*.parquet"))
    assert files == [
        "year=2019/month=12/day=13",
        "year=2019/month=12/day=4",
        "year=__HIVE_DEFAULT_PARTITION__/month=__HIVE_DEFAULT_PARTITION__/day=__HIVE_DEFAULT_PARTITION__",
    ]

    back = f"read_parquet({sql_str(str(out) + '/**/*.parquet')}, hive_partitioning := true)"
    scan_types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE FROM {scan})").fetchall())
    back_types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE FROM {back})").fetchall())
    common = [c for c in scan_types if c in back_types]
    assert common == list(scan_types), set(scan_types) - set(back_types)
    for c in ("timestamp", "date", "time", "sc_bytes", "sc_status"):
        assert back_types[c] == scan_types[c], c
    assert (scan_types["timestamp"], scan_types["date"], scan_types["time"], scan_types["sc_bytes"], scan_types["sc_status"]) == (
        "TIMESTAMP WITH TIME ZONE", "DATE", "TIME", "BIGINT", "INTEGER")
    assert {back_types["year"], back_types["month"], back_types["day"]} <= {"BIGINT", "INTEGER"}

    cols = ", ".join(f'"{c}"' for c in common)
    assert con.execute(f"SELECT count(*) FROM (SELECT {cols} FROM {scan} EXCEPT ALL SELECT {cols} FROM {back})").fetchone() == (0,)
    assert con.execute(f"SELECT count(*) FROM (SELECT {cols} FROM {back} EXCEPT ALL SELECT {cols} FROM {scan})").fetchone() == (0,)
    assert con.execute(f"SELECT count(*), sum(sc_bytes), count(DISTINCT c_ip) FROM {back}").fetchone() == (5, TOTAL_BYTES, 4)

    # NULLs preserved column by column (the all-dash line is NULL everywhere).
    nulls = ", ".join(f'count(*) - count("{c}")' for c in common)
    scan_nulls = con.execute(f"SELECT {nulls} FROM {scan}").fetchone()
    assert con.execute(f"SELECT {nulls} FROM {back}").fetchone() == scan_nulls
    assert scan_nulls[common.index("timestamp")] == 1
    assert scan_nulls[common.index("sc_range_end")] == 4  # only the range request has one
    assert scan_nulls[common.index("cs_uri_stem")] == 1

    # Partition values read back as the values the SELECT computed.
    assert con.execute(f"SELECT year, month, day, count(*) FROM {back} GROUP BY ALL ORDER BY ALL NULLS LAST").fetchall() == [
        (2019, 12, 4, 1), (2019, 12, 13, 3), (None, None, None, 1)]
    assert con.execute(
        f"SELECT count(*) FROM {back} WHERE year IS DISTINCT FROM year(timestamp) "
        "OR month IS DISTINCT FROM month(timestamp) OR day IS DISTINCT FROM day(timestamp)").fetchone() == (0,)
    # Hive partition pruning: a filter on the folders reads only the matching day.
    assert con.execute(f"SELECT c_ip, sc_status FROM {back} WHERE year = 2019 AND month = 12 AND day = 4").fetchall() == [
        ("192.0.2.100", 200)]
