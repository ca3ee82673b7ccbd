"""Fixtures of the lake tests: a generated day with injected threats (cfgen), the lake DuckDB
builds from it, and one local Spark session for the whole run (Spark's start costs seconds).

Spark needs Java: without it the Spark tests skip and say why, unless CF_REQUIRE_SPARK is set
(.ci/run sets it after installing Java), in which case they fail."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("CLOUDFRONT_EXTENSION", str(ROOT / "build/release/cloudfront.duckdb_extension"))
os.environ["CLOUDFRONT_EXTENSION"] = os.path.abspath(os.environ["CLOUDFRONT_EXTENSION"])

from cflake import build, lakelib  # noqa: E402

CFGEN = ROOT / "target/release/cfgen"
#: A day small enough for Spark in local mode on a shared machine, large enough that most
#: hunts find something (cfgen scales its injected threats with the line count).
DAY_LINES = 30_000


def java_missing() -> str | None:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java is not installed (Spark needs a JRE 17; .ci/run installs openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="session")
def day(tmp_path_factory) -> Path:
    """48 gzipped logs (24 hours, 2 files an hour) with every threat cfgen injects."""
    if not CFGEN.exists():
        pytest.fail(f"{CFGEN} is missing: run make cfgen")
    out = tmp_path_factory.mktemp("day")
    subprocess.run([str(CFGEN), "--out", str(out), "--lines", str(DAY_LINES), "--files-per-hour", "2",
                    "--threads", "1"], check=True, capture_output=True)
    return out


@pytest.fixture(scope="session")
def duck_lake(day, tmp_path_factory) -> Path:
    lake = tmp_path_factory.mktemp("lake") / "duckdb"
    r = build.build_duckdb(str(lake), [str(day / "*.gz")], log=lambda *_: None)
    assert r.files == 48 and r.rows == DAY_LINES
    return lake


@pytest.fixture(scope="session")
def spark():
    why = java_missing()
    if why:
        if os.environ.get("CF_REQUIRE_SPARK"):
            pytest.fail(why + " and CF_REQUIRE_SPARK is set")
        pytest.skip(why)
    from cflake import spark as cspark

    # Few shuffle partitions: a day of test data in 200 tiny tasks would be all overhead.
    s = cspark.session("local[2]", app="cloudfront-lake-tests", shuffle_partitions=4)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def con():
    c = lakelib.connect()
    yield c
    c.close()
