"""Amazon CloudFront access logs in DuckDB: the compiled `cloudfront` extension and its loader.

    import duckdb, cloudfront
    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    cloudfront.load(con)
    con.sql("FROM read_cloudfront('logs/**/*.gz')").pl()

The package holds no state: `load` acts only on the connection it is given, and every DuckDB
database instance that should know the functions needs its own `load`.
"""
from __future__ import annotations

from importlib import metadata as _metadata
from pathlib import Path as _Path
from typing import TYPE_CHECKING, Any, Dict, Optional

if TYPE_CHECKING:  # duckdb is imported lazily: `import cloudfront` stays cheap
    import duckdb

__all__ = ["LoadError", "connect", "extension_path", "load", "__version__"]

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
