"""The main job end to end: scripts/hunt.py (what `make hunt` runs) on a small generated day."""
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
CFGEN = ROOT / "target/release/cfgen"
ENV = {**os.environ,
       "CLOUDFRONT_EXTENSION": os.environ.get("CLOUDFRONT_EXTENSION", str(ROOT / "build/release/cloudfront.duckdb_extension")),
       "DUCKDB_SHELL": os.environ.get("DUCKDB_SHELL", str(ROOT / ".venv/bin/duckdb"))}


def hunt(*args):
    return subprocess.run([sys.executable, str(ROOT / "scripts/hunt.py"), *args], capture_output=True, text=True, env=ENV)


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    if not CFGEN.exists():
        pytest.fail("target/release/cfgen is missing: run `make cfgen`")
    logs = tmp_path_factory.mktemp("logs")
    subprocess.run([str(CFGEN), "--out", str(logs), "--lines", "40000", "--seed", "11"], check=True, capture_output=True)
    return logs


def test_hunt_writes_database_and_report(day, tmp_path):
    out = tmp_path / "out"
    r = hunt("--logs", str(day / "*.gz"), "--out", str(out))
    assert r.returncode == 0, r.stderr
    truth = json.loads((day / "truth.json").read_text())
    con = duckdb.connect(str(out / "analysis.db"), read_only=True)
    tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {"events", "summary", "findings"} <= tables
    # Every generated line is ingested, from every file.
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == truth["lines"]
    assert con.execute("SELECT count(DISTINCT filename) FROM events").fetchone()[0] == len(list(day.glob("*.gz")))
    findings = con.execute("SELECT count(*), count(*) FILTER (WHERE severity = 'high') FROM findings").fetchone()
    assert findings[0] > 0 and findings[1] > 0
    reports = list(out.glob("analyst_log-*.md"))
    assert len(reports) == 1
    text = reports[0].read_text()
    assert f"- Rows: {truth['lines']:,}" in text
    assert "CREATE OR REPLACE TABLE events AS" in text
    assert "## Findings" in text and "SELECT * FROM events WHERE" in text
    # The terminal ends with the top findings.
    assert "Top findings:" in r.stdout and "files found: 24" in r.stdout
    # Re-running replaces, it does not duplicate.
    con.close()
    assert hunt("--logs", str(day / "*.gz"), "--out", str(out)).returncode == 0
    con = duckdb.connect(str(out / "analysis.db"), read_only=True)
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == truth["lines"]


def test_no_matching_files_is_a_clear_error(tmp_path):
    r = hunt("--logs", str(tmp_path / "nothing/*.gz"), "--out", str(tmp_path / "out"))
    assert r.returncode != 0
    assert "no files match" in r.stderr


def test_corrupt_gzip_names_the_file_and_leaves_nothing_complete(tmp_path):
    bad = tmp_path / "E2EXAMPLE.2026-11-20-00.deadbeef.gz"
    bad.write_bytes((ROOT / "test/data/bad/truncated.gz").read_bytes())
    out = tmp_path / "out"
    r = hunt("--logs", str(bad), "--out", str(out))
    assert r.returncode != 0
    assert "deadbeef.gz" in r.stderr
    assert not (out / "analysis.db").exists()
    assert not list(out.glob("analyst_log-*.md"))


def test_not_a_cloudfront_log(tmp_path):
    r = hunt("--logs", str(ROOT / "test/data/bad/not-a-log.txt"), "--out", str(tmp_path / "out"))
    assert r.returncode != 0
    assert "cannot detect the log layout" in r.stderr


def test_unwritable_output_directory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = hunt("--logs", str(ROOT / "test/data/standard/*"), "--out", str(blocker / "out"))
    assert r.returncode != 0
    assert "cannot write to output directory" in r.stderr
