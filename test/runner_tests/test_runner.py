"""Self-tests of test/sqllogictest.py.

The runner is run as a subprocess (with the interpreter running pytest, so each venv tests its
own duckdb) on small fixture files that use only built-in DuckDB SQL:
  fixtures/pass/  every file must pass
  fixtures/fail/  every file must fail exactly once, at the record after its `# fail-here` line
  fixtures/skip/  every file is skipped by `require` / `require-env`
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
RUNNER = REPO / "test" / "sqllogictest.py"
FIXTURES = HERE / "fixtures"
SUMMARY = re.compile(r"^sqllogictest: (\d+) passed, (\d+) failed, (\d+) skipped$")


def run(*args, env=None, cwd=REPO):
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, str(RUNNER), *map(str, args)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=300)
    return proc


def summary(proc):
    last = proc.stdout.strip().splitlines()[-1]
    m = SUMMARY.match(last)
    assert m, f"last line is not a summary: {last!r}\n{proc.stdout}"
    return tuple(int(x) for x in m.groups())


def fail_line(path: Path) -> int:
    """1-based line number of the record header following the `# fail-here` marker."""
    lines = path.read_text().split("\n")
    idx = lines.index("# fail-here")
    return idx + 2


PASS_ENV = {"SLT_SELFTEST_VALUE": "hello world", "SLT_SELFTEST_CWD": str(REPO)}


# ------------------------------------------------------------------------------------------
# files that must pass
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "pass").glob("*.test")))
def test_passing_fixture(name):
    proc = run(FIXTURES / "pass" / name, env=PASS_ENV)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    passed, failed, _ = summary(proc)
    assert failed == 0 and passed > 0
    assert "FAIL" not in proc.stdout


def test_all_passing_fixtures_together():
    proc = run(FIXTURES / "pass", "-v", env=PASS_ENV)
    assert proc.returncode == 0, proc.stdout
    names = sorted(p.name for p in (FIXTURES / "pass").glob("*.test"))
    for name in names:
        assert re.search(rf"^PASSED\s+\S*{re.escape(name)} \(\d+\.\d+s\)$", proc.stdout, re.M), proc.stdout


def test_skip_records_are_counted():
    # mode_skip.test: 2 records under `mode skip`, 1 `skipif duckdb`, 1 `onlyif postgresql`
    proc = run(FIXTURES / "pass" / "mode_skip.test")
    assert summary(proc) == (2, 0, 4)


def test_loop_records_count_per_iteration():
    # 1 CREATE + 5 inserts + 1 count + 3 foreach + 2 foreach + 4 nested + 3 (i<>2) + 1 onlyif
    proc = run(FIXTURES / "pass" / "loops.test")
    assert summary(proc) == (20, 0, 4)


# ------------------------------------------------------------------------------------------
# files that must fail, at the marked line
# ------------------------------------------------------------------------------------------

FAIL_MESSAGES = {
    "wrong_value.test": "Wrong result: mismatch on row 1, column 2",
    "wrong_error.test": "Error message mismatch",
    "missing_error.test": "Query unexpectedly succeeded",
    "statement_ok_errors.test": "Query unexpectedly failed",
    "late_error.test": "late failure",
    "column_count.test": "Wrong column count",
    "column_count_wide.test": "Wrong column count",
    "row_count.test": "Wrong row count: expected 2 rows, got 3",
    "tolerance_exceeded.test": "Wrong result",
    "regex_mismatch.test": "Error message mismatch",
    "hash_mismatch.test": "Wrong result hash",
    "space_separated.test": "tab-separated",
    "boolean_mismatch.test": "Wrong result",
    "loop_failure.test": "[i=3]",
    "stops_file.test": "Wrong result",
    "parse_error_error_message.test": "Parse error",
    "parse_error_type.test": "Parse error: unknown type character 'B'",
    "parse_error_separator.test": "Parse error: all test statements need to be separated",
    "require_extension.test": "require cloudfront",
}


def test_every_fail_fixture_has_an_expectation():
    assert sorted(FAIL_MESSAGES) == sorted(p.name for p in (FIXTURES / "fail").glob("*.test"))


@pytest.mark.parametrize("name", sorted(FAIL_MESSAGES))
def test_failing_fixture(name):
    path = FIXTURES / "fail" / name
    proc = run(path)
    assert proc.returncode == 1, proc.stdout
    _, failed, _ = summary(proc)
    assert failed == 1, proc.stdout
    rel = os.path.relpath(path, REPO)
    assert f"FAIL {rel}:{fail_line(path)}" in proc.stdout, proc.stdout
    assert FAIL_MESSAGES[name] in proc.stdout, proc.stdout


def test_failure_report_shows_sql_expected_and_actual():
    proc = run(FIXTURES / "fail" / "wrong_value.test")
    out = proc.stdout
    assert "SELECT i, s FROM t" in out
    assert "Expected result:\n    1\tb" in out
    assert "Actual result:\n    1\ta" in out
    assert "actual:   a" in out and "expected: b" in out


def test_error_mismatch_report_shows_both_messages():
    proc = run(FIXTURES / "fail" / "wrong_error.test")
    assert "Expected error:\n    Division by zero" in proc.stdout
    assert "Table with name no_such_table does not exist" in proc.stdout


def test_file_stops_at_first_failure():
    proc = run(FIXTURES / "fail" / "stops_file.test")
    assert summary(proc) == (1, 1, 0)
    assert proc.stdout.count("FAIL ") == 1


def test_failure_in_one_file_does_not_stop_others():
    proc = run(FIXTURES / "fail" / "wrong_value.test", FIXTURES / "pass" / "sort_modes.test")
    assert proc.returncode == 1
    passed, failed, _ = summary(proc)
    assert failed == 1 and passed > 1
    assert "failed files:\n    test/runner_tests/fixtures/fail/wrong_value.test" in proc.stdout


def test_unloadable_extension_file_fails():
    proc = run("--extension", "/nonexistent/cloudfront.duckdb_extension",
               FIXTURES / "fail" / "require_extension.test")
    assert proc.returncode == 1
    assert "could not load /nonexistent/cloudfront.duckdb_extension" in proc.stdout


# ------------------------------------------------------------------------------------------
# skipped files
# ------------------------------------------------------------------------------------------

def test_missing_extension_skips_rest_of_file():
    proc = run(FIXTURES / "skip" / "require_missing.test")
    assert summary(proc) == (1, 0, 2)
    assert proc.returncode == 0
    assert "SKIPPED" in proc.stdout and "require slt_selftest_no_such_extension" in proc.stdout


def test_only_skipped_records_is_an_error():
    proc = run(FIXTURES / "skip" / "require_env_missing.test")
    assert summary(proc) == (0, 0, 1)
    assert proc.returncode == 1
    assert "no records were run" in proc.stdout


def test_require_env_set_runs_file():
    proc = run(FIXTURES / "skip" / "require_env_missing.test",
               env={"SLT_SELFTEST_SURELY_UNSET_VARIABLE": "1"})
    # once set, the file runs and its bogus statement fails
    assert proc.returncode == 1
    assert summary(proc) == (0, 1, 0)


# ------------------------------------------------------------------------------------------
# command line
# ------------------------------------------------------------------------------------------

def test_header_names_duckdb_version():
    proc = run(FIXTURES / "pass" / "sort_modes.test")
    assert proc.stdout.splitlines()[0].startswith(f"sqllogictest: duckdb {duckdb.__version__} ")


def test_no_files_is_an_error(tmp_path):
    proc = run(tmp_path)
    assert proc.returncode == 1
    assert "no test files found" in proc.stdout
    assert summary(proc) == (0, 0, 0)


def test_filter_selects_files():
    proc = run("--filter", "sort_modes", "-v", FIXTURES / "pass", env=PASS_ENV)
    assert proc.returncode == 0
    assert "sort_modes.test" in proc.stdout and "loops.test" not in proc.stdout


def test_directories_are_searched_recursively(tmp_path):
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    (sub / "x.test").write_text("query I\nSELECT 1\n----\n1\n")
    (sub / "ignored.txt").write_text("not a test\n")
    proc = run(tmp_path)
    assert proc.returncode == 0
    assert summary(proc) == (1, 0, 0)


BUILT_EXTENSION = REPO / "build" / "release" / "cloudfront.duckdb_extension"


@pytest.mark.skipif(not BUILT_EXTENSION.exists(), reason="extension not built")
def test_require_loads_extension_and_reloads_after_restart(tmp_path):
    test = tmp_path / "ext.test"
    test.write_text(
        "require cloudfront\n\n"
        "load __TEST_DIR__/ext.db\n\n"
        "restart\n\n"
        "query I\n"
        "SELECT count(*) FROM duckdb_extensions() WHERE extension_name = 'cloudfront' AND loaded\n"
        "----\n1\n")
    proc = run("--extension", BUILT_EXTENSION.relative_to(REPO), test)
    assert proc.returncode == 0, proc.stdout
    assert summary(proc) == (1, 0, 0)
