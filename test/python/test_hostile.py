"""Hostile conditions that SQL-logic tests cannot set up: many threads at once, an interrupted
scan, a file deleted during a scan, a file the process may not read.

(a) Concurrency: 8 threads, each with its own cursor of one database, run a mix of
    read_cloudfront scans, rejects listings and scalar calls over the fixtures 20 times and must
    get exactly what one thread gets.
(b) Interrupt: a scan of ~2M generated lines is interrupted after 0.3 s; it must raise
    duckdb.InterruptException within 2 s, and the process's open file descriptors and threads
    must return to what they were after a warm-up query (DuckDB keeps its worker pool).
(c) A file deleted during a scan. Not testable in sqllogictest, which has no way to act on the
    file system between the start and the end of one query. Here: with one thread and a
    streaming result, the first file is open when it is deleted (on POSIX its data stays
    readable until closed: all its rows arrive), and the second, not yet opened, is an error
    naming it. A file deleted between PREPARE and EXECUTE fails the same way (EXECUTE binds
    again, and bind opens the files).
(d) Permission denied: runs test/sql/hostile/permission_denied.test with
    CLOUDFRONT_UNREADABLE_LOG naming a mode-000 file. Root reads any file, so as root the runner
    starts without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (dropped from its bounding set),
    which makes file modes apply to it.
"""
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXT = os.environ.get("CLOUDFRONT_EXTENSION", str(ROOT / "build/release/cloudfront.duckdb_extension"))
CFGEN = ROOT / "target/release/cfgen"
DATA = ROOT / "test/data"
HOSTILE = DATA / "hostile"


def connect(**config):
    settings = {"allow_unsigned_extensions": "true"}
    settings.update({k: str(v) for k, v in config.items()})
    con = duckdb.connect(config=settings)
    con.execute(f"LOAD '{EXT}'")
    return con


def cfgen(out: Path, lines: int, *extra: str):
    if not CFGEN.exists():
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "cfgen"], cwd=ROOT, check=True)
    subprocess.run([str(CFGEN), "--out", str(out), "--lines", str(lines), *extra], check=True, capture_output=True)


# ------------------------------------------------------------------------------ (a) concurrency

def _q(path: Path) -> str:
    return str(path).replace("'", "''")


SCALARS = """uri_entropy(cs_uri_stem), query_max_entropy(cs_uri_query), looks_random(cs_uri_query),
    is_scanner_path(cs_uri_stem), encoding_depth(cs_uri_query), url_decode_cf(cs_uri_query, 3),
    ua_category(cs_user_agent), is_bot(cs_user_agent), ip_prefix(c_ip, 24), ip_prefix(c_ip, 64),
    is_waf_block(x_edge_result_type, sc_status, x_edge_detailed_result_type),
    is_rate_limited(x_edge_result_type, sc_status), is_origin_error(x_edge_result_type, sc_status, x_edge_detailed_result_type),
    is_cache_miss(x_edge_result_type), edge_location(x_edge_location).city,
    attack_types(cs_uri_stem, cs_uri_query, cs_referer, cs_user_agent), attack_types(cs_uri_stem)"""


def workload() -> list:
    """(label, SQL) pairs: scans of every fixture family, rejects, scalars; some fail."""
    std = _q(DATA / "standard")
    queries = [
        ("standard", f"SELECT count(*), sum(sc_bytes), min(timestamp)::VARCHAR, max(timestamp)::VARCHAR, string_agg(DISTINCT c_ip, ',' ORDER BY c_ip) FROM read_cloudfront('{std}/*')"),
        ("gzip", f"SELECT * REPLACE (timestamp::VARCHAR AS timestamp) FROM read_cloudfront('{_q(DATA / 'gzip')}/*.gz', filename := true) ORDER BY ALL"),
        ("eras", f"SELECT count(*), count(x_edge_detailed_result_type), sum(cs_bytes) FROM read_cloudfront('{_q(DATA / 'eras')}/*', union_by_name := true)"),
        ("realtime", f"SELECT * REPLACE (timestamp::VARCHAR AS timestamp) FROM read_cloudfront('{_q(DATA / 'realtime')}/*', format := 'realtime') ORDER BY ALL"),
        ("v2", f"SELECT timestamp::VARCHAR, c_ip, sc_status FROM read_cloudfront('{_q(DATA / 'v2')}/json.log') ORDER BY ALL"),
        ("scalars", f"SELECT {SCALARS} FROM read_cloudfront(['{std}/*', '{_q(DATA / 'gzip')}/*.gz']) ORDER BY ALL"),
        ("hostile-ignore", f"SELECT count(*), sum(sc_bytes) FROM read_cloudfront(['{_q(HOSTILE)}/numbers.log', '{_q(HOSTILE)}/dates.log', '{_q(HOSTILE)}/field-counts.log'], ignore_errors := true)"),
        ("rejects", f"SELECT filename, line, reason FROM read_cloudfront_rejects('{_q(HOSTILE)}/*.log') ORDER BY ALL"),
        ("utf8", f"SELECT * REPLACE (timestamp::VARCHAR AS timestamp) FROM read_cloudfront('{_q(HOSTILE)}/invalid-utf8.log') ORDER BY ALL"),
        ("error-line", f"SELECT sum(sc_bytes) FROM read_cloudfront('{_q(HOSTILE)}/numbers.log')"),
        ("error-gzip", f"SELECT count(*) FROM read_cloudfront('{_q(HOSTILE)}/truncated-body.gz')"),
        ("literal-scalars", "SELECT url_decode_cf('%252e%252e%252f', 8), encoding_depth('%25252527'), ip_prefix('2001:db8::1', 48), uri_entropy(repeat('ab', 1000))"),
    ]
    hunt_dir = DATA / "hunt"
    if hunt_dir.is_dir() and any(hunt_dir.glob("*.gz")):
        queries.append(("hunt", f"SELECT ua_category(cs_user_agent) AS c, count(*) FROM read_cloudfront('{_q(hunt_dir)}/*.gz') GROUP BY c ORDER BY c"))
    return queries


def run_one(cur, sql: str):
    try:
        return ("ok", cur.execute(sql).fetchall())
    except duckdb.Error as exc:
        return ("error", type(exc).__name__, str(exc))


def test_concurrent_cursors_agree_with_one_thread():
    con = connect(threads=4)
    queries = workload()
    expected = {label: run_one(con.cursor(), sql) for label, sql in queries}
    # The workload must exercise both successes and failures.
    assert expected["error-line"][0] == "error" and "numbers.log" in expected["error-line"][2]
    assert expected["error-gzip"][0] == "error" and "truncated-body.gz" in expected["error-gzip"][2]
    assert expected["standard"][0] == "ok" and expected["rejects"][0] == "ok" and len(expected["rejects"][1]) > 10

    mismatches: list = []
    failures: list = []

    def worker(n: int):
        try:
            cur = con.cursor()
            for rep in range(20):
                # Each thread walks the workload from a different starting point.
                for i in range(len(queries)):
                    label, sql = queries[(i + n + rep) % len(queries)]
                    got = run_one(cur, sql)
                    if got != expected[label]:
                        mismatches.append((n, rep, label, got))
            cur.close()
        except Exception as exc:  # pragma: no cover - reported below
            failures.append((n, repr(exc)))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    assert not failures, failures
    assert not mismatches, mismatches[:3]


# -------------------------------------------------------------------------------- (b) interrupt

@pytest.fixture(scope="module")
def two_million(tmp_path_factory):
    """~2M generated lines in 24 gzip files; cached in bench-data/ (gitignored) across runs."""
    cache = ROOT / "bench-data" / "hostile-2m"
    if not (cache / "truth.json").exists():
        tmp = cache.with_name("hostile-2m.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        cfgen(tmp, 2_000_000, "--seed", "11")
        shutil.rmtree(cache, ignore_errors=True)
        tmp.rename(cache)
    return cache


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _threads() -> int:
    return len(os.listdir("/proc/self/task"))


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc (Linux)")
def test_interrupt_stops_a_long_scan_and_releases_everything(two_million):
    con = connect(threads=2)
    glob = _q(two_million) + "/*.gz"
    sql = f"""SELECT count(*), sum(sc_bytes), sum(length(cs_user_agent)), max(uri_entropy(cs_uri_stem)),
                     count(*) FILTER (WHERE is_scanner_path(cs_uri_stem)), count(DISTINCT ip_prefix(c_ip, 24))
              FROM read_cloudfront(['{glob}', '{glob}'])"""  # every file twice: ~4M lines, seconds on 2 threads
    # Warm-up: DuckDB starts its worker threads and opens what it keeps open.
    con.execute(f"SELECT count(*) FROM read_cloudfront('{glob}') WHERE c_ip = 'x'").fetchall()
    base_fds, base_threads = _fds(), _threads()

    outcome: dict = {}

    def scan():
        t0 = time.monotonic()
        try:
            outcome["result"] = con.execute(sql).fetchall()
        except BaseException as exc:  # noqa: BLE001 - the interrupt is what we want
            outcome["error"] = exc
        outcome["ended"] = time.monotonic()
        outcome["took"] = outcome["ended"] - t0

    t = threading.Thread(target=scan)
    t.start()
    time.sleep(0.3)
    during = _fds()
    interrupted_at = time.monotonic()
    con.interrupt()
    t.join(timeout=30)
    assert not t.is_alive(), "the scan did not stop"
    assert "result" not in outcome, f"the scan finished in {outcome.get('took'):.2f} s before the interrupt"
    assert isinstance(outcome["error"], duckdb.InterruptException), repr(outcome["error"])
    assert outcome["ended"] - interrupted_at < 2.0, outcome["ended"] - interrupted_at
    assert during > base_fds, "no file was open during the scan (is it scanning?)"

    # Everything the scan opened is closed, and no thread was left behind.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (_fds(), _threads()) != (base_fds, base_threads):
        time.sleep(0.05)
    assert (_fds(), _threads()) == (base_fds, base_threads), (
        f"fds {base_fds} -> {_fds()}, threads {base_threads} -> {_threads()}")

    # The connection is still usable, and a full scan gives every line.
    assert con.execute(f"SELECT count(*) FROM read_cloudfront('{glob}')").fetchone()[0] == 2_000_000
    assert (_fds(), _threads()) == (base_fds, base_threads)


# ------------------------------------------------------------------- (c) deleted during a scan

@pytest.fixture()
def two_files(tmp_path):
    cfgen(tmp_path / "gen", 200_000, "--hours", "2", "--threats", "none", "--seed", "5")
    files = sorted(str(p) for p in (tmp_path / "gen").glob("*.gz"))
    assert len(files) == 2
    return files


def test_file_deleted_during_a_scan(two_files):
    con = connect(threads=1)
    first, second = two_files
    n_first = con.execute(f"SELECT count(*) FROM read_cloudfront('{_q(first)}')").fetchone()[0]
    n_second = con.execute(f"SELECT count(*) FROM read_cloudfront('{_q(second)}')").fetchone()[0]
    assert n_first > 10_000 and n_second > 10_000

    # One thread claims the files in order; the streaming result stops once its buffer is full
    # (wide rows, a small buffer: after a few thousand rows), so the first file is open and the
    # second not yet opened when both are deleted.
    con.execute("SET streaming_buffer_size = '64KB'")
    res = con.execute(f"SELECT * REPLACE (timestamp::VARCHAR AS timestamp) FROM read_cloudfront(['{_q(first)}', '{_q(second)}'])")
    got = len(res.fetchmany(10))
    os.remove(first)
    os.remove(second)
    with pytest.raises(duckdb.Error) as err:
        while True:
            batch = res.fetchmany(10_000)
            if not batch:
                break
            got += len(batch)
    # The open file was read to its end (its data lives until it is closed): the error is about
    # the second file, which was not open yet. Rows still buffered in the result when the error
    # arrives are dropped by DuckDB, so fewer than the first file's rows may have been fetched.
    assert f'"{second}": No such file or directory' in str(err.value)
    assert first not in str(err.value)
    assert 0 < got <= n_first


def test_file_deleted_between_prepare_and_execute(two_files):
    con = connect(threads=1)
    first, second = two_files
    con.execute(f"PREPARE q AS SELECT count(*) FROM read_cloudfront(['{_q(first)}', '{_q(second)}'])")
    os.remove(second)
    with pytest.raises(duckdb.Error, match="No such file or directory") as err:
        con.execute("EXECUTE q").fetchall()
    assert second in str(err.value)


# ---------------------------------------------------------------------- (d) permission denied

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _drop_file_permission_override():
    """In the child, before exec: remove the two capabilities that let root ignore file modes
    from the bounding set, so the runner (still uid 0, so it can run this interpreter under
    /root) gets EACCES on a mode-000 file like any user would."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX permissions, Linux capabilities")
def test_permission_denied_sqllogic(tmp_path):
    log = tmp_path / "unreadable.log"
    shutil.copy(HOSTILE / "three.gz", log)
    os.chmod(log, 0o000)
    as_root = os.geteuid() == 0
    kwargs = {"preexec_fn": _drop_file_permission_override} if as_root else {}
    probe = subprocess.run([sys.executable, "-c", f"open({str(log)!r}, 'rb')"], capture_output=True, text=True, **kwargs)
    if probe.returncode == 0:
        pytest.skip("cannot make a file unreadable to this process (root without CAP_SETPCAP?)")
    assert "PermissionError" in probe.stderr, probe.stderr
    env = dict(os.environ, CLOUDFRONT_UNREADABLE_LOG=str(log))
    cmd = [sys.executable, str(ROOT / "test/sqllogictest.py"), "--extension", EXT,
           str(ROOT / "test/sql/hostile/permission_denied.test")]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, **kwargs)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "3 passed, 0 failed, 0 skipped" in out, out
