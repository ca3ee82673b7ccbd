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
Issue 11 ("hostile input, round two"):
(e) The NULL contract of every scalar the extension registers (found by comparing
    duckdb_functions() before and after LOAD): constant NULL, all-NULL columns of a table and
    views, and NULL rows among values must give the same answer.
(f) Interrupts where rows come out rarely: ignore_errors over 16 GiB of bad lines with one good
    line per 8 MiB, the rejects listing over good lines with one bad line per 8 MiB, a 1.3 GB
    plain file read in ranges; each must stop within 2 s of interrupt().
(g) FIFOs (fed forever), devices and /dev/stdin: refused at once, or read when /dev/stdin is a
    regular file.
(h) Globbing: the files read are those DuckDB's glob() lists, each once, with link loops;
    names that are not UTF-8 are read; an unlistable directory is an error.
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


# ------------------------------------------------------------------- (e) the NULL contract

# Sample arguments per parameter type: values that reach the interesting branches of the
# classifiers (a refusal, a throttle, an origin error) and of the other scalars.
_SAMPLES = {
    "VARCHAR": ["'Error'", "'LimitExceeded'", "'InvalidRequestBlocked'", "'OriginConnectError'", "'Hit'", "'-'",
                "'192.0.2.1'", "'::ffff:192.0.2.1'", "'/.env'", "'%2527'", "'curl/8.5.0'", "'IAD89-C1'", "''",
                "'id=1%27%20OR%201=1--'", "'<script>alert(1)</script>'", "'sqlmap/1.8'"],
    "INTEGER": ["403", "429", "502", "24", "2"],
}


def _our_scalars():
    """(name, parameter types) of every scalar overload the extension adds, found by comparing
    duckdb_functions() before and after LOAD, so a function added later is checked too."""
    sql = ("SELECT DISTINCT function_name, parameter_types::VARCHAR[] FROM duckdb_functions() "
           "WHERE function_type = 'scalar'")
    before = set((n, tuple(t)) for n, t in duckdb.connect().execute(sql).fetchall())
    after = set((n, tuple(t)) for n, t in connect().execute(sql).fetchall())
    ours = sorted(f for f in after - before if f[1])
    assert any(n == "is_waf_block" for n, _ in ours), ours
    return ours


def _thin(items: list, most: int = 24) -> list:
    """At most `most` of `items`, spread evenly (4-argument functions have 13^3 combinations)."""
    step = max(1, -(-len(items) // most))
    return items[::step]


@pytest.mark.parametrize("name,types", _our_scalars())
def test_null_contract(name, types):
    """Issue 11 (1): a scalar's answer for a NULL argument must not depend on how DuckDB learns
    that the argument is NULL. The reference is the kernel's own answer for a NULL row in a
    column that also holds values (DuckDB must call the kernel there). The same call must give
    the same answer with a NULL constant, with a column that is all NULL in a TABLE (whose
    statistics tell the optimizer so), through a VIEW of that table and through a VIEW that
    projects a NULL constant (a field the logs lack), bare and inside coalesce() (the issue's
    example: coalesce(is_waf_block(r, s, d), false) was false on a table where d is all NULL)."""
    from itertools import combinations, product

    con = connect()
    n = len(types)
    cols = [f"a{i}" for i in range(n)]
    for t in types:
        assert t in _SAMPLES, f"no sample values for parameter type {t} of {name}: add some"
    call = f"{name}({', '.join(cols)})"
    show = f"coalesce(({call})::VARCHAR, '<NULL>')"
    # (NULL positions, values of the other positions) for every subset of NULL positions.
    cases = []
    for k in range(1, n + 1):
        for nulls in combinations(range(n), k):
            others = [i for i in range(n) if i not in nulls]
            combos = _thin(list(product(*[_SAMPLES[types[i]] for i in others]))) or [()]
            cases.append((nulls, others, combos))

    def literals(nulls, others, combo):
        vals = dict(zip(others, combo))
        return [f"NULL::{types[i]}" if i in nulls else vals[i] for i in range(n)]

    def key(row):
        return tuple(None if v.startswith("NULL::") else v.strip("'") for v in row)

    # Reference: every case as a row of one table whose columns also hold values.
    rows = [literals(*c[:2], combo) for c in cases for combo in c[2]]
    rows.append([_SAMPLES[t][0] for t in types])
    con.execute(f"CREATE TABLE mixed AS SELECT * FROM (VALUES {', '.join('(' + ', '.join(r) + ')' for r in rows)}) v({', '.join(cols)})")
    reference = {tuple(r[:-1]): r[-1] for r in con.execute(
        f"SELECT {', '.join(c + '::VARCHAR' for c in cols)}, {show} FROM mixed").fetchall()}

    checked = 0
    for nulls, others, combos in cases:
        # A NULL constant in the call.
        for combo in combos:
            args = literals(nulls, others, combo)
            got = con.execute(f"SELECT coalesce(({name}({', '.join(args)}))::VARCHAR, '<NULL>')").fetchone()[0]
            want = reference[key(args)]
            assert got == want, f"{name}({', '.join(args)}) with a NULL constant: {got}, kernel says {want}"
            checked += 1
        # All-NULL columns: a table, a view of it, a view projecting a NULL constant.
        select = ", ".join(f"NULL::{types[i]} AS a{i}" if i in nulls else f"a{i}" for i in range(n))
        if others:
            src = f"(SELECT * FROM (VALUES {', '.join('(' + ', '.join(c) + ')' for c in combos)}) v({', '.join(cols[i] for i in others)}))"
        else:
            src = "(SELECT 1)"
        con.execute(f"CREATE OR REPLACE TABLE base AS SELECT * FROM {src}")
        con.execute(f"CREATE OR REPLACE TABLE t AS SELECT {select} FROM base")
        con.execute("CREATE OR REPLACE VIEW v AS SELECT * FROM t")
        con.execute(f"CREATE OR REPLACE VIEW vc AS SELECT {select} FROM base")
        for rel in ("t", "v", "vc"):
            for expr in (show, f"({call}) IS NULL"):
                got = con.execute(f"SELECT {', '.join(c + '::VARCHAR' for c in cols)}, {expr} FROM {rel}").fetchall()
                assert len(got) == len(combos)
                for r in got:
                    want = reference[tuple(r[:-1])]
                    want = (want == "<NULL>") if expr.endswith("IS NULL") else want
                    assert r[-1] == want, f"{name} on {rel} with {[cols[i] for i in nulls]} all NULL: {expr} gave {r[-1]} for {r[:-1]}, kernel says {want}"
                    checked += 1
    assert checked > 0


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


# ------------------------------------------------------- (f) interrupts where no row comes out

def _interrupt_after(con, sql: str, delay: float = 1.0) -> tuple:
    """Runs `sql` on `con` in a thread, interrupts it after `delay` seconds; returns (outcome,
    seconds from the interrupt to the end of the query)."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = con.execute(sql).fetchall()
        except BaseException as exc:  # noqa: BLE001 - the interrupt is what we want
            outcome["error"] = exc
        outcome["ended"] = time.monotonic()

    t = threading.Thread(target=run)
    t.start()
    time.sleep(delay)
    interrupted_at = time.monotonic()
    con.interrupt()
    t.join(timeout=120)
    assert not t.is_alive(), "the scan did not stop"
    return outcome, outcome["ended"] - interrupted_at


@pytest.fixture(scope="module")
def sparse_gzip(tmp_path_factory):
    """Two ~8 GiB gzip files (about 30 MB each on disk: 64 identical members): real-time lines
    for fields := ['timestamp', 'c-ip'], each 8 MiB block of (a) bad lines (wrong field count)
    and lines of spaces with one good line, (b) good lines with one bad line. Scanning either
    whole takes many seconds."""
    import gzip

    d = tmp_path_factory.mktemp("sparse")
    good = b"1598574722.123\t192.0.2.1\n"
    bad = b"1598574722.123\tnot\ta-good-line-" + b"x" * 60 + b"\n"
    n = (8 << 20) // len(bad)
    blocks = {
        "bad.gz": (bad * (n // 2) + b"   \n" * 1000 + bad * (n // 2) + good) * 16,
        "good.gz": (good * (n * 4) + bad) * 4,
    }
    paths = {}
    for name, block in blocks.items():
        member = gzip.compress(block, 6, mtime=0)
        with open(d / name, "wb") as f:
            for _ in range(64):
                f.write(member)
        paths[name] = d / name
    yield paths
    for p in paths.values():
        p.unlink()  # not left for pytest's kept temporary directories


def test_interrupt_while_skipping_bad_lines(sparse_gzip):
    """Issue 11 (2): with ignore_errors, a scan of input that rarely yields a row ignored
    interrupt() until its end (it returned only with 2048 rows): here 16 GiB of bad lines with
    one good line per 8 MiB. It must stop within 2 s of the interrupt."""
    con = connect(threads=1)
    p = _q(sparse_gzip["bad.gz"])
    sql = f"SELECT count(*) FROM read_cloudfront('{p}', fields := ['timestamp', 'c-ip'], ignore_errors := true)"
    outcome, took = _interrupt_after(con, sql)
    assert "result" not in outcome, f"finished before the interrupt: {outcome['result']}"
    assert isinstance(outcome["error"], duckdb.InterruptException), repr(outcome["error"])
    assert took < 2.0, took


def test_interrupt_while_listing_rare_rejects(sparse_gzip):
    """Issue 11 (2): the same for read_cloudfront_rejects over good lines with one bad line per
    8 MiB (the listing returned only with 2048 rejects)."""
    con = connect(threads=1)
    p = _q(sparse_gzip["good.gz"])
    outcome, took = _interrupt_after(con, f"SELECT count(*) FROM read_cloudfront_rejects('{p}', fields := ['timestamp', 'c-ip'])")
    assert "result" not in outcome, f"finished before the interrupt: {outcome['result']}"
    assert isinstance(outcome["error"], duckdb.InterruptException), repr(outcome["error"])
    assert took < 2.0, took


def test_split_file_interrupt_before_its_end(tmp_path):
    """Issue 11 (2): a large plain file is read in 32 MiB ranges whose index used to be one
    pass over the whole file inside a scan call; it is now learned a range at a time. Here a
    file of 40 ranges (1.3 GB) of lines of spaces, which yield nothing, with one good line per
    range: interrupted after 1 s, the scan stops within 2 s."""
    good = b"1598574722.123\t192.0.2.1\n"
    blank = b" " * 1023 + b"\n"
    block = blank * (((32 << 20) - len(good)) // len(blank)) + good
    path = tmp_path / "big.log"
    with open(path, "wb") as f:
        for _ in range(40):
            f.write(block)
    try:
        con = connect(threads=2)
        sql = f"SELECT count(*) FROM read_cloudfront('{_q(path)}', fields := ['timestamp', 'c-ip'])"
        outcome, took = _interrupt_after(con, sql, delay=0.5)
        if "result" in outcome:
            pytest.skip(f"the scan finished before the interrupt on this machine ({outcome['result']})")
        assert isinstance(outcome["error"], duckdb.InterruptException), repr(outcome["error"])
        assert took < 2.0, took
        # And whole, it reads the 40 good lines.
        assert con.execute(sql).fetchone()[0] == 40
    finally:
        path.unlink()  # 1.3 GB: not left for pytest's kept temporary directories


# ------------------------------------------------------------- (g) pipes, devices, /dev/stdin

def test_fifo_with_a_writer_fails_at_once(tmp_path):
    """Issue 11 (4): a FIFO fed forever hung (opened twice, blocked). It is refused at once,
    by name, whether a writer is attached or not, alone or matched by a glob."""
    fifo = tmp_path / "stream.gz"
    os.mkfifo(fifo)
    stop = threading.Event()

    def writer():
        try:
            fd = os.open(fifo, os.O_WRONLY)
        except OSError:
            return
        with os.fdopen(fd, "wb") as w:
            while not stop.is_set():
                try:
                    w.write(b"1598574722.123\tx\n" * 1000)
                except (BrokenPipeError, OSError):
                    time.sleep(0.01)

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    try:
        con = connect()
        for sql in (f"SELECT count(*) FROM read_cloudfront('{_q(fifo)}', fields := ['timestamp', 'c-ip'], ignore_errors := true)",
                    f"SELECT count(*) FROM read_cloudfront('{_q(tmp_path)}/*.gz', fields := ['timestamp', 'c-ip'])"):
            t0 = time.monotonic()
            with pytest.raises(duckdb.Error) as err:
                con.execute(sql).fetchall()
            assert time.monotonic() - t0 < 5
            msg = str(err.value)
            assert f'"{fifo}": is a FIFO' in msg and "regular files only" in msg, msg
    finally:
        stop.set()
        # Unblock a writer still waiting in open().
        try:
            os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        except OSError:
            pass


def test_devices_fail_at_once():
    """Issue 11 (4): /dev/urandom read as real-time logs never ended; devices are refused."""
    con = connect()
    with pytest.raises(duckdb.Error, match=r'"/dev/urandom": is a device, not a regular file'):
        con.execute("SELECT count(*) FROM read_cloudfront('/dev/urandom', format := 'realtime', ignore_errors := true)").fetchall()


SHELL = os.environ.get("DUCKDB_SHELL", str(ROOT / ".venv/bin/duckdb"))


@pytest.mark.skipif(not Path(SHELL).exists(), reason="needs the duckdb shell (DUCKDB_SHELL)")
def test_dev_stdin(tmp_path):
    """Issue 11 (4): /dev/stdin gave 0 rows for a small pipe and a misleading "no '#Fields:'
    header" for a big one. From a pipe it is refused with a clear message; redirected from a
    file it is that file and reads."""
    sql = f"LOAD '{_q(EXT)}'; SELECT count(*) FROM read_cloudfront('/dev/stdin');"
    log = (HOSTILE / "three.gz").read_bytes()
    piped = subprocess.run([SHELL, "-unsigned", "-csv", "-noheader", "-c", sql], input=log, capture_output=True, timeout=60)
    assert b'"/dev/stdin": is a FIFO' in piped.stderr, piped.stderr
    with open(HOSTILE / "three.gz", "rb") as stdin:
        redirected = subprocess.run([SHELL, "-unsigned", "-csv", "-noheader", "-c", sql], stdin=stdin, capture_output=True, timeout=60)
    assert redirected.returncode == 0, redirected.stderr
    assert redirected.stdout.strip() == b"3"


# ------------------------------------------------------------------------------- (h) globbing

def _one_line_log(path: Path, ip: str) -> None:
    path.write_bytes(b"#Version: 1.0\n#Fields: date time c-ip\n2026-11-20\t10:00:00\t" + ip.encode() + b"\n")


@pytest.fixture()
def glob_tree(tmp_path):
    """T/{z,a,.dot}.gz, T/a/x.gz, T/a/b/{y.gz,c.log}, T/.hid/h.gz, a link T/link.gz -> z.gz,
    and two links back up the tree (T/a/b/up -> .., T/a/b/up2 -> ../..), each file a one-line
    log. With the links, our old glob read files up to 41 times and never finished."""
    t = tmp_path / "T"
    for d in ("a/b", ".hid"):
        (t / d).mkdir(parents=True, exist_ok=True)
    for i, f in enumerate(["z.gz", "a.gz", ".dot.gz", "a/x.gz", "a/b/y.gz", "a/b/c.log", ".hid/h.gz"]):
        _one_line_log(t / f, f"192.0.2.{i + 1}")
    os.symlink("z.gz", t / "link.gz")
    os.symlink("..", t / "a/b/up")
    os.symlink("../..", t / "a/b/up2")
    return t


GLOB_PATTERNS = ["**", "**/*.gz", "*", "*.gz", "a/**/*", "[a-z].gz", "?.gz", "**/b/*", "a/b/up/*.gz", "a/b/up2/a/*.gz", "*/*/*"]


@pytest.mark.parametrize("pattern", GLOB_PATTERNS)
def test_glob_matches_duckdb(glob_tree, pattern):
    """Issue 11 (3): read_cloudfront reads exactly the files DuckDB's glob() lists, each once
    (count(*) = one row per file), and terminates despite the link loops."""
    con = connect()
    full = _q(glob_tree) + "/" + pattern
    duck = sorted(r[0] for r in con.execute(f"SELECT file FROM glob('{full}')").fetchall())
    assert duck, "the pattern must match something"
    rows = con.execute(f"SELECT filename FROM read_cloudfront('{full}', filename := true)").fetchall()
    ours = [r[0] for r in rows]
    assert len(ours) == len(set(ours)), f"a file was read twice: {ours}"
    # DuckDB 2.0 shortens './x' and 'a//b'; the paths here are absolute and single-slashed.
    assert sorted(ours) == duck


def test_glob_loop_does_not_duplicate(glob_tree):
    """'T/**/*.gz' with two links back up: every file once; a link to a file named by a
    non-'**' segment is followed (as in DuckDB), links are not crawled by '**'."""
    con = connect()
    got = con.execute(f"SELECT count(*), count(DISTINCT filename) FROM read_cloudfront('{_q(glob_tree)}/**/*.gz', filename := true)").fetchone()
    assert got == (7, 7)


def test_glob_name_not_utf8_is_read(tmp_path):
    """Issue 11 (3): a file whose name is not valid UTF-8 was skipped silently (a way to hide a
    log). It is read; its name is shown with the invalid byte as \\xff. (DuckDB's own glob()
    fails on such a name.)"""
    d = os.fsencode(tmp_path)
    with open(d + b"/bad\xffname.gz", "wb") as f:
        f.write(b"#Fields: date time c-ip\n2026-11-20\t10:00:00\t192.0.2.9\n")
    _one_line_log(tmp_path / "good.gz", "192.0.2.8")
    con = connect()
    rows = con.execute(f"SELECT filename, c_ip FROM read_cloudfront('{_q(tmp_path)}/*.gz', filename := true) ORDER BY c_ip").fetchall()
    assert rows == [(f"{tmp_path}/good.gz", "192.0.2.8"), (f"{tmp_path}/bad\\xffname.gz", "192.0.2.9")]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX permissions, Linux capabilities")
def test_glob_unlistable_directory_is_an_error(tmp_path):
    """A directory a glob must look into but cannot list is an error naming it, not a silent
    gap (DuckDB's glob() skips it). Root lists anything, so as root the query runs in a child
    without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, as in (d)."""
    (tmp_path / "locked").mkdir()
    _one_line_log(tmp_path / "locked" / "x.gz", "192.0.2.1")
    _one_line_log(tmp_path / "open.gz", "192.0.2.2")
    os.chmod(tmp_path / "locked", 0)
    code = (
        "import duckdb\n"
        "con = duckdb.connect(config={'allow_unsigned_extensions': 'true'})\n"
        f"con.execute(\"LOAD '{_q(EXT)}'\")\n"
        "try:\n"
        f"    print(con.execute(\"SELECT count(*) FROM read_cloudfront('{_q(tmp_path)}/**/*.gz')\").fetchall())\n"
        "except duckdb.Error as e:\n"
        "    print('ERROR', e)\n"
    )
    kwargs = {"preexec_fn": _drop_file_permission_override} if os.geteuid() == 0 else {}
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, **kwargs)
    finally:
        os.chmod(tmp_path / "locked", 0o755)
    if "[(2,)]" in proc.stdout:
        pytest.skip("this process can list any directory")
    assert f'cannot list directory "{tmp_path}/locked": Permission denied' in proc.stdout, proc.stdout + proc.stderr
