"""Amazon CloudFront access logs in DuckDB: the compiled `cloudfront` extension and its loader.

    import duckdb, cloudfront
    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    cloudfront.load(con)
    con.sql("FROM read_cloudfront('logs/**/*.gz')").pl()

Remote globs (`s3://bucket/prefix/*.gz`, `**`): DuckDB's C API has no glob, so
`read_cloudfront` cannot expand them itself; `cloudfront.read(con, 's3://...*.gz', since=...)`
expands them with DuckDB's own `glob()` on `con` (with its secrets) and reads the list.

The package holds no state: `load` acts only on the connection it is given, and every DuckDB
database instance that should know the functions needs its own `load`.
"""
from __future__ import annotations

import datetime as _dt
from importlib import metadata as _metadata
from pathlib import Path as _Path
from typing import TYPE_CHECKING, Any, Dict, Optional, Sequence, Union

if TYPE_CHECKING:  # duckdb is imported lazily: `import cloudfront` stays cheap
    import duckdb

__all__ = ["LoadError", "connect", "extension_path", "load", "read", "__version__"]

try:
    __version__: str = _metadata.version("cloudfront-duckdb")
except _metadata.PackageNotFoundError:  # imported from a source tree, not installed
    __version__ = "0+unknown"

_EXTENSION_FILE = "cloudfront.duckdb_extension"


class LoadError(RuntimeError):
    """The extension could not be loaded into the given connection (the message says why and
    what to do)."""


def extension_path() -> str:
    """Absolute path of the compiled extension shipped in this package, for `LOAD '<path>'` in
    any DuckDB client (Python, the `duckdb` shell, Node) on this machine."""
    path = _Path(__file__).resolve().parent / _EXTENSION_FILE
    if not path.is_file():
        raise LoadError(f"the cloudfront extension is missing from the installed package ({path}); "
                        "reinstall it from a wheel or with `uv pip install .` in the source tree")
    return str(path)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load(con: "duckdb.DuckDBPyConnection") -> None:
    """Load the extension into `con`: read_cloudfront(), the hunting scalars and the playbook
    macros become available on that connection's database instance.

    DuckDB only loads unsigned extensions (this one is unsigned) when the database was opened
    with `allow_unsigned_extensions`; otherwise `LoadError` says how to open one. Loading twice
    is harmless.
    """
    import duckdb

    try:
        allowed = con.execute("SELECT current_setting('allow_unsigned_extensions')").fetchone()
    except duckdb.Error as e:
        raise LoadError(f"cannot query the connection: {e}") from e
    if not allowed or not allowed[0]:
        raise LoadError(
            "this DuckDB connection refuses unsigned extensions, and the cloudfront extension is unsigned. "
            "Open the database with the setting, e.g. "
            "duckdb.connect('analysis.db', config={'allow_unsigned_extensions': 'true'}) "
            "(or cloudfront.connect('analysis.db')), then call cloudfront.load(con). "
            "The setting cannot be changed on a database that is already open.")
    path = extension_path()
    try:
        con.execute(f"LOAD {_sql_string(path)}")
    except duckdb.Error as e:
        raise LoadError(f"DuckDB {duckdb.__version__} could not load {path}: {e}") from e


def connect(database: str = ":memory:", read_only: bool = False,
            config: Optional[Dict[str, Any]] = None) -> "duckdb.DuckDBPyConnection":
    """`duckdb.connect` with `allow_unsigned_extensions` set, and the extension loaded."""
    import duckdb

    con = duckdb.connect(database, read_only=read_only,
                         config={**(config or {}), "allow_unsigned_extensions": "true"})
    try:
        load(con)
    except BaseException:
        con.close()
        raise
    return con


Instant = Union[_dt.datetime, _dt.date, str]
Option = Union[bool, int, str, Sequence[str]]


def _timestamptz(value: Instant) -> str:
    """A TIMESTAMPTZ literal; a datetime without a zone, a date or an ISO 8601 string without
    an offset is UTC (as CloudFront's log times are)."""
    if isinstance(value, str):
        try:
            value = _dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"not an ISO 8601 date or time: {value!r} (e.g. '2026-11-20T10:00Z')") from None
    if not isinstance(value, _dt.datetime):
        value = _dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return f"TIMESTAMPTZ {_sql_string(value.astimezone(_dt.timezone.utc).isoformat())}"


def _literal(value: Option) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _sql_string(value)
    return "[" + ", ".join(_sql_string(v) for v in value) + "]"


def _has_glob(path: str) -> bool:
    return any(c in path for c in "*?[")


def read(con: "duckdb.DuckDBPyConnection", paths: Union[str, Sequence[str]],
         since: Optional[Instant] = None, until: Optional[Instant] = None,
         **options: Option) -> "duckdb.DuckDBPyRelation":
    """`read_cloudfront(paths, since := ..., until := ..., **options)` as a relation of `con`,
    with remote globs (`s3://...*.gz`, `**`) expanded by DuckDB's `glob()` on `con` (so with
    its secrets and httpfs), which `read_cloudfront` cannot do itself. Local paths and globs
    are passed on as they are. `since` is inclusive, `until` exclusive; times without a zone
    are UTC. Other options are `read_cloudfront`'s named parameters (`filename=True`, ...).

    A remote glob that matches nothing raises `FileNotFoundError`.
    """
    files = []
    for path in [paths] if isinstance(paths, str) else list(paths):
        if "://" in path and _has_glob(path):
            found = [row[0] for row in con.execute("SELECT file FROM glob(?) ORDER BY file", [path]).fetchall()]
            if not found:
                raise FileNotFoundError(f"no files match {path!r} (DuckDB's glob() listed none)")
            files.extend(found)
        else:
            files.append(path)
    args = [_literal(files)]
    if since is not None:
        args.append(f"since := {_timestamptz(since)}")
    if until is not None:
        args.append(f"until := {_timestamptz(until)}")
    for name, value in options.items():
        if not name.isidentifier():
            raise ValueError(f"not an option name: {name!r}")
        args.append(f"{name} := {_literal(value)}")
    return con.sql(f"FROM read_cloudfront({', '.join(args)})")
