"""What both lake builders share: the one SELECT that turns CloudFront logs into lake rows, the
lake's schema, the listing of source files, and the manifest of files already ingested.

The lake (docs/scale.md): LAKE/year=YYYY/month=MM/day=DD/hour=HH/*.parquet, zstd, Hive-style
partitions of the request's UTC time; LAKE/_manifest/<batch>.csv lists the source files each
batch ingested (path, size, modification time), so a re-run ingests only files it has not seen.
Readers skip `_manifest` (Spark and Hive ignore `_`-prefixed paths; cf_lake and Athena's
partition projection read only the partition directories).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from . import s3
from .sqltext import sql_list, sql_str

ROOT = Path(__file__).resolve().parents[2]
EXT = os.path.abspath(os.environ.get("CLOUDFRONT_EXTENSION", str(ROOT / "build/release/cloudfront.duckdb_extension")))
PARTITIONS = ("year", "month", "day", "hour")
MANIFEST_DIR = "_manifest"


def is_remote(path: str) -> bool:
    return "://" in path


def connect(ext: str = EXT, database: str = ":memory:", remote: bool = False, **config: str) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the extension loaded (and, when `remote`, httpfs and an S3 secret
    from the environment: scripts/cflake/s3.py)."""
    con = duckdb.connect(database, config={"allow_unsigned_extensions": "true", **config})
    con.execute(f"LOAD {sql_str(ext)}").fetchall()
    if remote:
        for stmt in s3.httpfs_statements():
            con.execute(stmt).fetchall()
        con.execute(s3.secret_sql("cf_lake_s3")).fetchall()
    return con


class ShellConnection:
    """The DuckDB shell (DUCKDB_SHELL, the duckdb-cli of the venv) as a connection: `execute(sql)`
    runs one statement in a fresh shell after loading the extension, httpfs and the S3 secret,
    and returns its rows. The DuckDB builder works on s3:// through it because the httpfs on PyPI
    (1.5.5) loads into the 1.5.6 shell and works there, while in the 1.5.6 Python client it
    misreads its own settings ("Could not convert string 'Etc/UTC' to UINT64": its option slots
    land on ICU's TimeZone and Calendar, which that client sets), and no httpfs for Python's
    DuckDB 2.0.x is on PyPI."""

    def __init__(self, shell: str, ext: str = EXT, threads: int | None = None):
        self.shell = shell
        pre = [f"LOAD {sql_str(ext)}"] + ([f"SET threads = {int(threads)}"] if threads else [])
        self.preamble = "".join(p + ";\n" for p in pre) + s3.shell_preamble("cf_lake_s3")

    def execute(self, sql: str) -> "ShellResult":
        r = subprocess.run([self.shell, "-unsigned", "-bail", "-json", ":memory:"], input=self.preamble + sql + ";\n",
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"duckdb shell: {r.stderr.strip()}")
        out = r.stdout.strip()
        return ShellResult([tuple(row.values()) for row in json.loads(out)] if out else [])


@dataclass
class ShellResult:
    rows: list[tuple]

    def fetchall(self) -> list[tuple]:
        return self.rows


def shell_connect(threads: int | None = None) -> ShellConnection:
    shell = os.environ.get("DUCKDB_SHELL", str(ROOT / ".venv/bin/duckdb"))
    if not os.path.exists(shell):
        raise SystemExit(f"lake: s3:// needs the duckdb shell (DUCKDB_SHELL={shell} is missing: run make venv)")
    return ShellConnection(shell, threads=threads)


def standard_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """read_cloudfront's columns that every standard log has (timestamp and the 35 fields of the
    current standard log, NULL where a file lacks them), asked of the reader itself on an empty
    log, so the lake's schema follows the reader's field catalogue."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "empty.log")
        with open(path, "w") as f:
            f.write("#Version: 1.0\n#Fields: date time\n")
        return [(r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM read_cloudfront({sql_str(path)})").fetchall()]


def enriched_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(name, type, description) of every enriched column."""
    return con.execute("SELECT name, type, description FROM cloudfront_enriched_columns()").fetchall()


def lake_select(con: duckdb.DuckDBPyConnection, files: list[str]) -> str:
    """The SELECT producing lake rows from `files` (both builders run exactly this). The lake holds
    the standard columns (`time` as text: Spark and Athena have no TIME type), the source file,
    the enriched columns and the partition values."""
    cols = []
    for name, ty in standard_columns(con):
        cols.append(f"CAST({name} AS VARCHAR) AS {name}" if ty.startswith("TIME") and name == "time" else name)
    cols.append("filename")
    cols += [name for name, _, _ in enriched_columns(con)]
    utc = "timezone('UTC', timestamp)"
    parts = [f"strftime({utc}, '{fmt}') AS {p}" for p, fmt in zip(PARTITIONS, ("%Y", "%m", "%d", "%H"))]
    return (
        f"SELECT {', '.join(cols + parts)}\n"
        f"FROM read_cloudfront({sql_list(files)}, enrich := true, filename := true)"
    )


@dataclass(frozen=True)
class Source:
    path: str
    size: int
    mtime: str  # ISO 8601 UTC


def list_sources(con: duckdb.DuckDBPyConnection, patterns: list[str]) -> list[Source]:
    """Every file matching the patterns (local or remote globs), with size and modification time,
    through DuckDB's file system (read_blob without its content column reads no bytes)."""
    out: dict[str, Source] = {}
    for p in patterns:
        rows = con.execute(
            "SELECT filename, size, strftime(timezone('UTC', last_modified), '%Y-%m-%dT%H:%M:%SZ') "
            f"FROM read_blob({sql_str(p)})"
        ).fetchall()
        if not rows:
            raise SystemExit(f"lake: no files match {p!r}")
        for name, size, mtime in rows:
            out[name] = Source(name, int(size), mtime)
    return sorted(out.values(), key=lambda s: s.path)


def manifest(con: duckdb.DuckDBPyConnection, lake: str) -> dict[str, tuple[int, str, str]]:
    """path -> (size, mtime, batch) of every file already in the lake."""
    pattern = f"{lake.rstrip('/')}/{MANIFEST_DIR}/*.csv"
    if not con.execute(f"SELECT count(*) FROM glob({sql_str(pattern)})").fetchall()[0][0]:
        return {}
    rows = con.execute(
        f"SELECT path, size, mtime, batch FROM read_csv({sql_str(pattern)}, header := true, "
        "columns := {'path': 'VARCHAR', 'size': 'BIGINT', 'mtime': 'VARCHAR', 'batch': 'VARCHAR', "
        "'engine': 'VARCHAR', 'ingested_at': 'VARCHAR'})"
    ).fetchall()
    return {p: (s, m, b) for p, s, m, b in rows}


def plan(sources: list[Source], known: dict[str, tuple[int, str, str]]) -> tuple[list[Source], list[Source]]:
    """(new files, files already ingested whose size or time changed). CloudFront never rewrites
    a delivered log, so a changed file is reported and left alone rather than ingested twice."""
    new, changed = [], []
    for s in sources:
        k = known.get(s.path)
        if k is None:
            new.append(s)
        elif (k[0], k[1]) != (s.size, s.mtime):
            changed.append(s)
    return new, changed


def new_batch_id() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def write_manifest(con: duckdb.DuckDBPyConnection, lake: str, batch: str, engine: str, files: list[Source]) -> None:
    """Appends the batch's file list (written last, after the data: a batch that failed midway is
    not in the manifest, and its files are found as orphans by the next run)."""
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    target = f"{lake.rstrip('/')}/{MANIFEST_DIR}/{batch}.csv"
    if not is_remote(lake):
        os.makedirs(os.path.dirname(target), exist_ok=True)
    values = ", ".join(f"({sql_str(f.path)}, {f.size}, {sql_str(f.mtime)}, {sql_str(batch)}, {sql_str(engine)}, {sql_str(now)})" for f in files)
    con.execute(
        f"COPY (SELECT * FROM (VALUES {values}) t(path, size, mtime, batch, engine, ingested_at)) "
        f"TO {sql_str(target)} (FORMAT csv, HEADER true)"
    ).fetchall()


def lake_files(con: duckdb.DuckDBPyConnection, lake: str) -> list[str]:
    pattern = f"{lake.rstrip('/')}/year=*/month=*/day=*/hour=*/*.parquet"
    return [r[0] for r in con.execute(f"SELECT file FROM glob({sql_str(pattern)})").fetchall()]


def orphans(con: duckdb.DuckDBPyConnection, lake: str, known: dict[str, tuple[int, str, str]]) -> list[str]:
    """Data files of DuckDB batches (named b<batch>_...) that no manifest lists: left by a run
    that failed before writing its manifest. Their rows would be counted twice once the same
    sources are ingested again, so a build refuses to start until they are removed."""
    batches = {b for _, _, b in known.values()}
    out = []
    for f in lake_files(con, lake):
        name = f.rsplit("/", 1)[-1]
        if name.startswith("b") and "_" in name and name[1:].split("_", 1)[0] not in batches:
            out.append(f)
    return out
