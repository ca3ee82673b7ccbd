"""The Python package: build the wheel with `uv build`, install it into a fresh virtual environment
(with DuckDB 2.0.x and polars, pinned by test/requirements.txt), and use it there the way an
analyst would: `cloudfront.load(con)`, read_cloudfront on a fixture, scalars, a playbook macro,
`.pl()`.

The wheel build runs cargo in this repository's target/ (CARGO_TARGET_DIR), so after `make` it
reuses the compiled crate instead of building it again. Building a wheel from the sdist compiles
the crate from scratch in a temporary tree (minutes): it runs only with CF_TEST_SDIST_BUILD=1;
what the sdist must contain is checked on every run against cargo's own list of the files the
build read (target/release/libcloudfront.d).

Expected values are worked out by hand from the fixtures (see test/python/test_clients.py for
the standard fixture's five lines and test/sql/playbook/cf_hunt.test for the WAF scenario).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import extension_metadata  # noqa: E402

CARGO_TARGET_DIR = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
STANDARD = ROOT / "test/data/standard/E2EXAMPLE.2019-12-13-23.abcd1234"
WAF = ROOT / "test/data/playbook/waf.log.gz"
ALLOWED_LICENCES = {"MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "0BSD", "Zlib", "Unlicense", "ISC"}


def uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv") or str(Path.home() / ".local/bin/uv")
    if not Path(found).exists() and not shutil.which(found):
        pytest.fail("uv is needed to build and install the wheel (make ensure-uv installs it)")
    return found


def run(*args, **kw) -> subprocess.CompletedProcess:
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, args))}\n{r.stdout}\n{r.stderr}"
    return r


def cargo_version() -> str:
    return extension_metadata.cargo_version(ROOT / "Cargo.toml")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(uv(), "build", "--wheel", "--out-dir", out, cwd=ROOT, env={**os.environ, "CARGO_TARGET_DIR": str(CARGO_TARGET_DIR)})
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def fresh_venv(where: Path) -> Path:
    run(uv(), "venv", "--quiet", "--python", sys.executable, where)
    return where / "bin" / "python"


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh environment with only the wheel, DuckDB for Python and polars (versions pinned by
    test/requirements.txt, used as constraints)."""
    python = fresh_venv(tmp_path_factory.mktemp("venv") / "env")
    run(uv(), "pip", "install", "--quiet", "--python", python, "-c", ROOT / "test/requirements.txt",
        f"cloudfront-duckdb[polars] @ {wheel.as_uri()}")
    return python


def py(python: Path, code: str, cwd: Path) -> subprocess.CompletedProcess:
    """Runs code in the fresh environment, from a directory where the source tree is not importable."""
    return subprocess.run([str(python), "-c", textwrap.dedent(code)], capture_output=True, text=True, cwd=cwd,
                          env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CLOUDFRONT_EXTENSION")})


def test_wheel_is_platform_tagged_and_carries_the_extension(wheel):
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    assert wheel.name == f"cloudfront_duckdb-{cargo_version()}-py3-none-{plat}.whl"
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        assert {"cloudfront/__init__.py", "cloudfront/py.typed", "cloudfront/cloudfront.duckdb_extension",
                "cloudfront/THIRD_PARTY_LICENSES.txt"} <= names
        wheel_meta = z.read(next(n for n in names if n.endswith(".dist-info/WHEEL"))).decode()
        ext = z.read("cloudfront/cloudfront.duckdb_extension")
    assert "Root-Is-Purelib: false" in wheel_meta
    assert f"Tag: py3-none-{plat}" in wheel_meta
    # The same footer `make` writes: DuckDB's metadata for this platform, C API v1.5.6, the crate's version.
    footer = extension_metadata.read_footer(ext)
    assert footer["magic"] == "4"
    assert footer["platform"] == extension_metadata.build_platform()
    assert footer["capi_version"] == "v1.5.6"
    assert footer["extension_version"] == cargo_version()
    assert footer["abi_type"] == "C_STRUCT"
    # ... appended to the library cargo built in the shared target dir (no second build elsewhere).
    lib = CARGO_TARGET_DIR / "release" / {"darwin": "libcloudfront.dylib", "win32": "cloudfront.dll"}.get(sys.platform, "libcloudfront.so")
    assert ext[:-extension_metadata.FOOTER_SIZE] == lib.read_bytes()


def test_wheel_records_the_licence_of_every_linked_crate(wheel):
    with zipfile.ZipFile(wheel) as z:
        text = z.read("cloudfront/THIRD_PARTY_LICENSES.txt").decode()
    # Every crate in cargo's normal-dependency tree of the library is listed with its licence.
    tree = run("cargo", "tree", "--locked", "-p", "cloudfront", "-e", "normal", "--prefix", "none",
               "--format", "{p}|{l}", cwd=ROOT).stdout
    crates = {}
    for line in tree.splitlines():
        name_version, licence = line.split("|", 1)
        name, version = name_version.split()[:2]
        crates[name] = (version.lstrip("v"), licence.removesuffix("(*)").strip())  # (*): listed before
    assert "regex" in crates and "flate2" in crates
    for name, (version, licence) in crates.items():
        assert f"{name} {version}: {licence}" in text, name
        # Each is usable in a binary we ship: some alternative of its SPDX expression is permissive.
        assert any(alt.strip() in ALLOWED_LICENCES for alt in licence.split(" OR ")), (name, licence)
        if name != "cloudfront":  # a third-party crate's licence text itself is carried
            section = text.split(f"\n{name} {version}\nlicence:", 1)[1].split("\n" + "=" * 78 + "\n", 2)
            assert "Permission" in section[1] or "public domain" in section[1].lower() or "Licensed" in section[1], name


def test_load_query_scalars_macros_and_polars_in_a_fresh_environment(venv, tmp_path):
    r = py(venv, f"""
        import json, duckdb, polars, cloudfront
        out = {{"duckdb": duckdb.__version__, "path": cloudfront.extension_path(), "version": cloudfront.__version__}}
        con = duckdb.connect(config={{"allow_unsigned_extensions": "true"}})
        assert cloudfront.load(con) is None
        cloudfront.load(con)  # twice is harmless
        out["rows"] = con.execute("SELECT count(*), sum(sc_bytes), count(DISTINCT c_ip) FROM read_cloudfront(?)",
                                  [{str(STANDARD)!r}]).fetchone()
        out["entropy"] = con.execute("SELECT uri_entropy('aab')").fetchone()[0]
        out["city"] = con.execute("SELECT edge_location('LAX1').city").fetchone()[0]
        con.execute("CREATE TABLE events AS FROM read_cloudfront(?)", [{str(STANDARD)!r}])
        out["summary"] = dict(con.execute("SELECT metric, value FROM cf_summary('events')").fetchall())
        con.execute("CREATE TABLE waf AS FROM read_cloudfront(?)", [{str(WAF)!r}])
        df = con.sql("FROM cf_hunt('waf')").pl()
        out["pl_type"] = type(df).__module__ + "." + type(df).__name__
        out["pl_rows"] = df.select("hunt", "severity", "entity", "requests").rows()
        ev = con.sql("FROM read_cloudfront(?)", params=[{str(STANDARD)!r}]).pl()
        ts = ev.schema["timestamp"]
        out["pl_schema"] = {{"timestamp": [ts.base_type().__name__, ts.time_unit, ts.time_zone],
                            "sc_status": str(ev.schema["sc_status"]), "sc_bytes": str(ev.schema["sc_bytes"])}}
        print(json.dumps(out))
    """, tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["duckdb"].startswith("2.0.")
    assert out["version"] == cargo_version()
    assert "site-packages" in out["path"] and str(ROOT) not in out["path"]
    # Standard fixture: 5 lines, sc_bytes 392 + 900 + 0 + 1048700 = 1049992, 4 distinct clients.
    assert out["rows"] == [5, 1049992, 4]
    # -(2/3 log2 2/3 + 1/3 log2 1/3) = 0.9183 bits.
    assert abs(out["entropy"] - 0.918295834) < 1e-6
    assert out["city"] == "Los Angeles"
    # One 502 among the five lines; the macro counts all five.
    assert out["summary"]["requests"] == "5" and out["summary"]["status_5xx"] == "1"
    assert out["pl_type"] == "polars.dataframe.frame.DataFrame"
    # Same rows as test/sql/playbook/cf_hunt.test (worked out there by hand).
    assert out["pl_rows"] == [
        ["cf_attacks", "high", "192.0.2.50", 14], ["cf_attacks", "high", "192.0.2.54", 2],
        ["cf_attacks", "medium", "192.0.2.51", 5], ["cf_attacks", "medium", "192.0.2.53", 4],
        ["cf_campaigns", "low", "user_agent: Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", 25],
        ["cf_error_spikes", "low", "2026-01-01T00:00:00Z/2026-01-01T00:02:00Z client", 10]]
    # TIMESTAMPTZ arrives as a zoned Datetime (DuckDB names the zone from its TimeZone setting).
    assert out["pl_schema"]["timestamp"][:2] == ["Datetime", "us"]
    assert out["pl_schema"]["timestamp"][2] in ("UTC", "Etc/UTC")
    assert (out["pl_schema"]["sc_status"], out["pl_schema"]["sc_bytes"]) == ("Int32", "Int64")


def test_clear_error_without_allow_unsigned_extensions(venv, tmp_path):
    r = py(venv, """
        import duckdb, cloudfront
        con = duckdb.connect()
        try:
            cloudfront.load(con)
        except cloudfront.LoadError as e:
            print(e)
        else:
            raise SystemExit("load succeeded on a connection that refuses unsigned extensions")
    """, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "allow_unsigned_extensions" in r.stdout and "duckdb.connect(" in r.stdout


def test_no_global_state_and_connect_helper(venv, tmp_path):
    db = tmp_path / "logs.db"
    r = py(venv, f"""
        import duckdb, cloudfront
        a = duckdb.connect(config={{"allow_unsigned_extensions": "true"}})
        b = duckdb.connect(config={{"allow_unsigned_extensions": "true"}})
        cloudfront.load(a)
        a.execute("SELECT uri_entropy('ab')").fetchone()
        try:
            b.execute("SELECT uri_entropy('ab')").fetchone()
            print("@", "b knows the function")
        except duckdb.CatalogException:
            print("@", "b does not")
        con = cloudfront.connect({str(db)!r})
        con.execute("CREATE TABLE t AS SELECT 1")
        con.close()
        ro = cloudfront.connect({str(db)!r}, read_only=True)
        print("@", ro.execute("SELECT uri_entropy('ab')").fetchone()[0])
    """, tmp_path)
    assert r.returncode == 0, r.stderr
    # Only the script's own lines ("@ ..."): on a busy machine LOAD (the playbook install) passes
    # DuckDB's 2 s progress-bar threshold and the bar is printed too.
    said = [w for line in r.stdout.splitlines() if line.startswith("@ ") for w in line.split()[1:]]
    assert said == ["b", "does", "not", "1.0"]


def test_type_hints_are_seen_by_mypy(venv, tmp_path):
    mypy = shutil.which("mypy", path=str(Path(sys.executable).parent))
    if not mypy:
        pytest.fail("mypy is missing from the test environment (test/requirements.txt)")
    good = tmp_path / "good.py"
    good.write_text("import duckdb, cloudfront\n"
                    "con = duckdb.connect(config={'allow_unsigned_extensions': 'true'})\n"
                    "cloudfront.load(con)\n"
                    "p: str = cloudfront.extension_path()\n")
    bad = tmp_path / "bad.py"
    bad.write_text("import cloudfront\ncloudfront.load('not a connection')\nn: int = cloudfront.extension_path()\n")
    args = [mypy, "--python-executable", str(venv), "--no-incremental", "--strict", "--follow-imports=silent"]
    ok = subprocess.run([*args, str(good)], capture_output=True, text=True, cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    ko = subprocess.run([*args, str(bad)], capture_output=True, text=True, cwd=tmp_path)
    assert ko.returncode == 1
    assert 'Argument 1 to "load" has incompatible type "str"' in ko.stdout
    assert 'Incompatible types in assignment (expression has type "str", variable has type "int")' in ko.stdout


def test_uv_pip_install_from_the_source_tree(tmp_path):
    python = fresh_venv(tmp_path / "env")
    run(uv(), "pip", "install", "--quiet", "--python", python, "-c", ROOT / "test/requirements.txt", ROOT,
        env={**os.environ, "CARGO_TARGET_DIR": str(CARGO_TARGET_DIR)})
    r = py(python, """
        import cloudfront
        con = cloudfront.connect()
        print(con.execute("SELECT cloudfront_version()").fetchone()[0])
    """, tmp_path)
    assert r.returncode == 0, r.stderr
    assert cargo_version() in r.stdout


@pytest.fixture(scope="module")
def sdist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sdist")
    run(uv(), "build", "--sdist", "--out-dir", out, cwd=ROOT)
    return next(out.glob("*.tar.gz"))


def test_sdist_holds_every_file_the_rust_build_reads(sdist):
    with tarfile.open(sdist) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    # cargo's dep-info: every source file compiled into the library (sources, playbook SQL, data tables).
    depinfo = (CARGO_TARGET_DIR / "release" / "libcloudfront.d").read_text()
    read = {Path(p).resolve() for p in depinfo.split(":", 1)[1].replace("\\\n", " ").split()}
    # (Generated files in the target dir are not sources; a directory, like sql/, must come with its files.)
    inside = {str(p.relative_to(ROOT)) for p in read
              if ROOT in p.parents and CARGO_TARGET_DIR.resolve() not in p.parents and not p.is_dir()}
    assert any(p.startswith("data/") for p in inside) and any(p.startswith("sql/") for p in inside)
    assert inside - names == set()
    # The manifests cargo needs to resolve the workspace, and the scripts the build hook runs.
    meta = json.loads(run("cargo", "metadata", "--format-version", "1", "--no-deps", cwd=ROOT).stdout)
    manifests = {str(Path(p["manifest_path"]).relative_to(ROOT)) for p in meta["packages"]}
    assert manifests | {"Cargo.lock", "build.rs", "scripts/extension_metadata.py", "scripts/third_party_licenses.py",
                        "python/hatch_build.py"} <= names
    assert not any(n.endswith(".duckdb_extension") for n in names)


@pytest.mark.skipif(os.environ.get("CF_TEST_SDIST_BUILD") != "1",
                    reason="compiles the crate from scratch from the sdist (minutes); set CF_TEST_SDIST_BUILD=1")
def test_wheel_from_sdist_builds_and_loads(sdist, tmp_path):
    run(uv(), "build", "--wheel", "--out-dir", tmp_path / "dist", sdist,
        env={**os.environ, "CARGO_TARGET_DIR": str(tmp_path / "target")})
    wheel = next((tmp_path / "dist").glob("*.whl"))
    python = fresh_venv(tmp_path / "env")
    run(uv(), "pip", "install", "--quiet", "--python", python, "-c", ROOT / "test/requirements.txt", wheel)
    r = py(python, "import cloudfront; print(cloudfront.connect().execute(\"SELECT uri_entropy('aab')\").fetchone()[0])", tmp_path)
    assert r.returncode == 0, r.stderr
    assert abs(float(r.stdout) - 0.918295834) < 1e-6
