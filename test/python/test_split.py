"""Large plain files are split into byte ranges read by several threads (format::split): the
result must equal reading the same bytes whole (from a gzip copy, which is never split), line
numbers in errors must stay exact, and a #Fields change mid-file must apply across ranges."""
import gzip
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXT = os.environ.get("CLOUDFRONT_EXTENSION", str(ROOT / "build/release/cloudfront.duckdb_extension"))
CFGEN = ROOT / "target/release/cfgen"


def connect(threads=2):
    con = duckdb.connect(config={"allow_unsigned_extensions": "true", "threads": str(threads)})
    con.execute(f"LOAD '{EXT}'")
    return con


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """One ~100 MB uncompressed hourly file (three 32 MiB ranges and a bit), and its gzip copy."""
    d = tmp_path_factory.mktemp("split")
    subprocess.run([str(CFGEN), "--out", str(d / "gen"), "--hours", "1", "--lines", "210000", "--plain",
                    "--threats", "none", "--seed", "3"], check=True, capture_output=True)
    (plain,) = list((d / "gen").glob("*.log"))
    assert plain.stat().st_size > 3 * (32 << 20), plain.stat().st_size
    lines = plain.read_bytes().split(b"\n")
    # Past the first range boundary: a #Fields change to a 3-field layout and two lines in it,
    # then the original header again. Line numbers are 1-based over the whole file.
    cut = 120_000
    fields33 = lines[1]
    extra = [b"#Fields: c-ip date time", b"203.0.113.250\t2026-11-20\t00:30:00", b"203.0.113.251\t2026-11-20\t00:30:01", fields33]
    lines = lines[:cut] + extra + lines[cut:]
    data = b"\n".join(lines)
    plain.write_bytes(data)
    gz = d / "copy.gz"
    with gzip.open(gz, "wb", compresslevel=1) as g:
        g.write(data)
    return {"plain": str(plain), "gz": str(gz), "header_change_line": cut + 1, "rows": 210000 + 2}


SUMMARY = ("SELECT count(*), sum(sc_bytes), count(DISTINCT c_ip), min(timestamp), max(timestamp), "
           "sum(length(cs_user_agent)), count(*) FILTER (WHERE sc_status IS NULL) FROM read_cloudfront('{}')")


def test_split_equals_whole(big):
    con = connect()
    split = con.execute(SUMMARY.format(big["plain"])).fetchall()
    whole = con.execute(SUMMARY.format(big["gz"])).fetchall()
    assert split == whole
    assert split[0][0] == big["rows"]
    # The two lines under the 3-field header: only c_ip/date/time, sc_status NULL.
    assert split[0][6] >= 2
    diff = con.execute(f"SELECT count(*) FROM (FROM read_cloudfront('{big['plain']}') EXCEPT ALL FROM read_cloudfront('{big['gz']}'))").fetchone()
    assert diff == (0,)


def test_split_rows_under_mid_file_header(big):
    con = connect()
    got = con.execute(f"SELECT c_ip, timestamp::VARCHAR, sc_bytes FROM read_cloudfront('{big['plain']}') "
                      "WHERE c_ip LIKE '203.0.113.25%' ORDER BY c_ip").fetchall()
    assert got == [("203.0.113.250", "2026-11-20 00:30:00+00", None), ("203.0.113.251", "2026-11-20 00:30:01+00", None)]


def test_line_numbers_are_exact_across_ranges(big, tmp_path):
    data = Path(big["plain"]).read_bytes().split(b"\n")
    bad_at = 150_000  # 1-based line number of the bad line, well past the first range
    data[bad_at - 1] = b"too\tfew\tfields"
    p = tmp_path / "bad.log"
    p.write_bytes(b"\n".join(data))
    con = connect()
    with pytest.raises(duckdb.Error, match=f'line {bad_at}: expected 33 fields, found 3'):
        con.execute(f"SELECT count(*) FROM read_cloudfront('{p}')").fetchall()
    rejects = con.execute(f"SELECT line FROM read_cloudfront_rejects('{p}')").fetchall()
    assert rejects == [(bad_at,)]
