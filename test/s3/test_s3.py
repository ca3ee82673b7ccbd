"""read_cloudfront on s3:// for real, on loopback (conftest.py: a moto S3 server with IAM
authentication, httpfs from PyPI, the DuckDB 1.5.6 shell). Expected row counts come from reading
the same generated files locally; expected file counts from the hours in their names."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BUCKET, HIVE_PREFIX, LEGACY_PREFIX, ROOT, httpfs_path, local_count, shell

LEGACY = f"s3://{BUCKET}/{LEGACY_PREFIX}"
SINCE, UNTIL = "2026-11-20 10:00:00+00", "2026-11-20 12:00:00+00"
WINDOW_SQL = f"since := TIMESTAMPTZ '{SINCE}', until := TIMESTAMPTZ '{UNTIL}'"
IN_WINDOW = f"timestamp >= TIMESTAMPTZ '{SINCE}' AND timestamp < TIMESTAMPTZ '{UNTIL}'"


def recipe(pattern: str, named: str = "") -> tuple[str, str]:
    """The two statements read_cloudfront's error tells the user to type, taken from the error."""
    r = shell(f"FROM read_cloudfront('{pattern}'{', ' + named if named else ''});")
    assert r.returncode != 0
    lines = [line.strip() for line in r.stderr.splitlines()]
    set_var = next(line for line in lines if line.startswith("SET VARIABLE cloudfront_files"))
    read = next(line for line in lines if line.startswith("FROM read_cloudfront(getvariable('cloudfront_files')"))
    return set_var, read


def test_single_object(server, day):
    f = day.files[10]
    r = shell(f"SELECT count(*), count(DISTINCT c_ip) > 1 FROM read_cloudfront('{LEGACY}/{f.name}');", server)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [f"{local_count([f])}|true"]


def test_glob_through_the_recipe(server, day):
    set_var, read = recipe(f"{LEGACY}/E2EXAMPLE123ABC.2026-11-20-*.gz", "filename := true")
    assert set_var == f"SET VARIABLE cloudfront_files = (SELECT list(file) FROM glob('{LEGACY}/E2EXAMPLE123ABC.2026-11-20-*.gz'));"
    assert read == "FROM read_cloudfront(getvariable('cloudfront_files'), filename := true);"
    # The two statements exactly as the error gives them (the second wrapped to count its rows).
    r = shell(f"{set_var}\nSELECT count(*), count(DISTINCT filename) FROM ({read.rstrip(';')});", server)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [f"{day.lines}|24"]


def test_double_star_over_hive_partitions(server, day):
    set_var, _ = recipe(f"s3://{BUCKET}/v2/**")
    r = shell(f"{set_var}\nSELECT len(getvariable('cloudfront_files')), count(*) FROM read_cloudfront(getvariable('cloudfront_files'));", server)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [f"24|{day.lines}"]


def test_since_until_open_only_the_window_s_files(server, day):
    """Legacy names: [10:00, 12:00) opens the files of hours 10 and 11 only; the rows are those a
    WHERE on the fused timestamp keeps from all 24 files."""
    expected_rows = local_count(day.files, IN_WINDOW)
    set_var, _ = recipe(f"{LEGACY}/*.gz")
    r = shell(set_var + "\n", server)
    assert r.returncode == 0, r.stderr

    mark = server.mark()
    r = shell(f"{set_var}\nSELECT count(*) FROM read_cloudfront(getvariable('cloudfront_files'), {WINDOW_SQL});", server)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout.strip()) == expected_rows > 0
    opened = {k for k in server.fetched(mark) if k.endswith(".gz")}
    assert opened == {f"{LEGACY_PREFIX}/{f.name}" for f in day.files if f.name.split(".")[1] in ("2026-11-20-10", "2026-11-20-11")}

    mark = server.mark()
    r = shell(f"{set_var}\nSELECT count(*) FROM read_cloudfront(getvariable('cloudfront_files')) WHERE {IN_WINDOW};", server)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout.strip()) == expected_rows
    assert len({k for k in server.fetched(mark) if k.endswith(".gz")}) == 24

    # The listing says the same, without opening anything.
    mark = server.mark()
    r = shell(f"{set_var}\nSELECT count(*) FILTER (WHERE selected), count(*) FROM read_cloudfront_files(getvariable('cloudfront_files'), {WINDOW_SQL});", server)
    assert r.stdout.split() == ["2|24"], r.stderr
    assert not server.fetched(mark)
    print(f"\nlegacy names, [{SINCE}, {UNTIL}): 2 of 24 objects fetched with since/until, 24 without; {expected_rows} rows")


def test_since_until_on_hive_partitions(server, day):
    """Hive hour partitions, names without an hour: a partition may be the delivery time, which
    can be up to 24 h after the requests, so a file is opened when its hour ends after since and
    starts less than 24 h after until: hours 10-23 of this day."""
    expected_rows = local_count(day.files, IN_WINDOW)
    set_var, _ = recipe(f"s3://{BUCKET}/{HIVE_PREFIX}/**")
    mark = server.mark()
    r = shell(f"{set_var}\nSELECT count(*) FROM read_cloudfront(getvariable('cloudfront_files'), {WINDOW_SQL});", server)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout.strip()) == expected_rows
    hours = sorted(int(k.split("hour=")[1][:2]) for k in server.fetched(mark) if k.endswith(".gz"))
    assert hours == list(range(10, 24))
    print(f"\nhive partitions, [{SINCE}, {UNTIL}): 14 of 24 objects fetched (24 h allowance for delivery time)")


def test_missing_bucket(server, day):
    r = shell("FROM read_cloudfront('s3://no-such-bucket/E2EXAMPLE.2026-11-20-00.x.gz');", server)
    assert r.returncode != 0
    assert 'read_cloudfront: "s3://no-such-bucket/E2EXAMPLE.2026-11-20-00.x.gz"' in r.stderr
    assert "404" in r.stderr or "NoSuchBucket" in r.stderr or "not found" in r.stderr.lower(), r.stderr
    # The glob of the recipe over a missing bucket fails or lists nothing; either way no rows
    # are invented: list(file) of nothing is NULL, which read_cloudfront names.
    r = shell("SET VARIABLE cloudfront_files = (SELECT list(file) FROM glob('s3://no-such-bucket/*.gz'));\n"
              "FROM read_cloudfront(getvariable('cloudfront_files'));", server)
    assert r.returncode != 0
    assert "glob() that matched nothing" in r.stderr or "no-such-bucket" in r.stderr, r.stderr


def test_wrong_credentials(server, day):
    f = day.files[0]
    r = shell(f"FROM read_cloudfront('{LEGACY}/{f.name}');", server, secret=server.secret_sql(key="AKIAWRONGKEY0000", secret="nope"))
    assert r.returncode != 0
    assert f'read_cloudfront: "{LEGACY}/{f.name}"' in r.stderr
    assert "403" in r.stderr or "InvalidAccessKeyId" in r.stderr, r.stderr
    # The right key with the wrong secret: refused too.
    r = shell(f"FROM read_cloudfront('{LEGACY}/{f.name}');", server, secret=server.secret_sql(secret="not-the-secret"))
    assert r.returncode != 0 and f"{f.name}" in r.stderr and "403" in r.stderr, r.stderr


def test_object_deleted_between_listing_and_reading(server, day, tmp_path):
    prefix = "deleted-test"
    for f in day.files[:3]:
        server.s3.upload_file(str(f), BUCKET, f"{prefix}/{f.name}")
    victim = f"{prefix}/{day.files[2].name}"
    db = tmp_path / "listing.db"
    # The list is made and kept (in a table: SET VARIABLE lasts one session), then the object goes.
    r = subprocess.run(
        [os.environ.get("DUCKDB_SHELL", str(ROOT / ".venv/bin/duckdb")), "-unsigned", "-bail", str(db)],
        input=("SET allow_extensions_metadata_mismatch = true;\n"
               f"LOAD '{httpfs_path()}';\n{server.secret_sql()}"
               f"CREATE TABLE files AS SELECT list(file) AS files FROM glob('s3://{BUCKET}/{prefix}/*.gz');\n"),
        capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    server.s3.delete_object(Bucket=BUCKET, Key=victim)
    r = subprocess.run(
        [os.environ.get("DUCKDB_SHELL", str(ROOT / ".venv/bin/duckdb")), "-unsigned", "-bail", "-list", "-noheader", str(db)],
        input=("SET allow_extensions_metadata_mismatch = true;\n"
               f"LOAD '{httpfs_path()}';\nLOAD '{os.environ.get('CLOUDFRONT_EXTENSION', str(ROOT / 'build/release/cloudfront.duckdb_extension'))}';\n"
               f"{server.secret_sql()}SET VARIABLE cloudfront_files = (SELECT files FROM files);\n"
               "SELECT count(*) FROM read_cloudfront(getvariable('cloudfront_files'));\n"),
        capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert f'read_cloudfront: "s3://{BUCKET}/{victim}"' in r.stderr, r.stderr
    assert "404" in r.stderr or "not found" in r.stderr.lower() or "NoSuchKey" in r.stderr, r.stderr


def test_make_hunt_on_s3(server, day, tmp_path):
    """hunt.py (what `make hunt LOGS=s3://... SINCE=... UNTIL=...` runs): the remote glob listed by
    glob() in the shell, credentials from the AWS variables, only the window's files read."""
    out = tmp_path / "out"
    env = {**os.environ, **server.env(), "CLOUDFRONT_EXTENSION": os.environ.get("CLOUDFRONT_EXTENSION", str(ROOT / "build/release/cloudfront.duckdb_extension")),
           "DUCKDB_SHELL": os.environ.get("DUCKDB_SHELL", str(ROOT / ".venv/bin/duckdb"))}
    mark = server.mark()
    r = subprocess.run([sys.executable, str(ROOT / "scripts/hunt.py"), "--logs", f"s3://{BUCKET}/AWSLogs/**/*.gz",
                        "--since", "2026-11-20T10:00", "--until", "2026-11-20T12:00Z", "--out", str(out)],
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "files found: 24 (incl. 24 remote)" in r.stdout
    assert "2 of 24 files can hold requests of it" in r.stdout
    assert {k for k in server.fetched(mark) if k.endswith(".gz")} == {
        f"{LEGACY_PREFIX}/{f.name}" for f in day.files if f.name.split(".")[1] in ("2026-11-20-10", "2026-11-20-11")}
    import duckdb  # the 1.5.6 Python package reads the database the 1.5.6 shell wrote

    con = duckdb.connect(str(out / "analysis.db"), read_only=True)
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == local_count(day.files, IN_WINDOW)
    assert con.execute("SELECT count(*) FROM findings").fetchone()[0] > 0
    log = next(out.glob("analyst_log-*.md")).read_text()
    assert server.secret not in log and "SECRET '***'" in log
    assert "- Window: since 2026-11-20T10:00 until 2026-11-20T12:00Z (UTC)" in log


def test_make_hunt_glob_matching_nothing(server, day, tmp_path):
    env = {**os.environ, **server.env()}
    r = subprocess.run([sys.executable, str(ROOT / "scripts/hunt.py"), "--logs", f"s3://{BUCKET}/nothing-here/*.gz",
                        "--out", str(tmp_path / "out")], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode != 0
    assert "no files match LOGS pattern" in r.stderr


def test_duckdb_20(server, day):
    """DuckDB 2.0.x: whether any httpfs on PyPI loads into the 2.0.1 Python package, tried in a
    child process (the 1.5.5 build crashes it). When one does, read an object through it."""
    py20 = ROOT / ".venv/bin/python"
    probe = subprocess.run([str(py20), "-c", (
        "import duckdb; con = duckdb.connect(config={'allow_unsigned_extensions': 'true', "
        "'allow_extensions_metadata_mismatch': 'true'}); "
        f"con.execute(\"LOAD '{httpfs_path()}'\"); print(duckdb.__version__)")],
        capture_output=True, text=True, timeout=120)
    if probe.returncode != 0:
        pytest.skip("no httpfs for DuckDB 2.0.x is on PyPI: duckdb-extension-httpfs ships builds up to 1.5.5, and "
                    f"loading it into DuckDB 2.0.1 fails (exit status {probe.returncode}: "
                    f"{(probe.stderr.strip().splitlines() or ['killed by a signal'])[-1][:200]}); "
                    "s3:// is tested on DuckDB 1.5.6 only")
    f = day.files[5]
    r = subprocess.run([str(py20), "-c", (
        "import duckdb; con = duckdb.connect(config={'allow_unsigned_extensions': 'true', "
        "'allow_extensions_metadata_mismatch': 'true'}); "
        f"con.execute(\"LOAD '{httpfs_path()}'\"); con.execute(\"LOAD '{os.environ.get('CLOUDFRONT_EXTENSION', str(ROOT / 'build/release/cloudfront.duckdb_extension'))}'\"); "
        f"con.execute(\"{server.secret_sql().strip().rstrip(';')}\"); "
        f"print(con.execute(\"SELECT count(*) FROM read_cloudfront('{LEGACY}/{f.name}')\").fetchone()[0])")],
        capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout.strip()) == local_count([f])
