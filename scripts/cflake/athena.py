"""`make athena-sql`: the lake as an Athena (Trino) table and every hunt in Trino's dialect.

OUT/00_create_table.sql is the CREATE EXTERNAL TABLE over LAKE_URI with partition projection
(year/month/day/hour as the zero-padded text make lake writes, hours 00-23), so Athena finds
new partitions without MSCK REPAIR or a crawler. Athena runs DDL in Hive's syntax (EXTERNAL,
STORED AS, TBLPROPERTIES), which sqlglot reads with its `athena` dialect; Trino's own syntax
does not have it, so OUT/00_create_table_trino.sql is the same table for Trino's Hive connector. OUT/<hunt>.sql is each hunt, rendered from the
macro compiled into the extension (playbook_sql), reading that table; OUT/cf_hunt.sql is the
triage list with the same columns as DuckDB's cf_hunt.
"""
from __future__ import annotations

import datetime as dt
import os
import sys

from . import lakelib, playbook_sql

#: DuckDB type of a lake column -> Hive DDL type as Athena names it (Athena's DDL is Hive's:
#: string, int, bigint, array<string>, ...; its queries then see Trino's varchar, integer, ...).
HIVE_TYPES = {
    "VARCHAR": "string",
    "BOOLEAN": "boolean",
    "TINYINT": "tinyint",
    "SMALLINT": "smallint",
    "INTEGER": "int",
    "BIGINT": "bigint",
    "UTINYINT": "smallint",
    "USMALLINT": "int",
    "UINTEGER": "bigint",
    "FLOAT": "float",
    "DOUBLE": "double",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamp",
    "VARCHAR[]": "array<string>",
}


#: Hive DDL type -> Trino type (the Hive connector's CREATE TABLE).
TRINO_TYPES = {"string": "varchar", "int": "integer", "array<string>": "array(varchar)"}


def trino_type(hive: str) -> str:
    return TRINO_TYPES.get(hive, hive)


def hive_type(duck: str) -> str:
    if duck.startswith("DECIMAL"):
        return duck.lower()
    try:
        return HIVE_TYPES[duck]
    except KeyError:
        raise ValueError(f"no Athena type for the lake column type {duck}") from None


def lake_columns(con) -> list[tuple[str, str]]:
    """(name, DuckDB type) of the columns stored in the lake's files (partition columns excluded),
    asked of the builders' own SELECT."""
    sql = lakelib.lake_select(con, [_empty_log()])
    rows = con.execute(f"DESCRIBE {sql}").fetchall()
    return [(r[0], r[1]) for r in rows if r[0] not in lakelib.PARTITIONS]


def _empty_log() -> str:
    import tempfile

    d = tempfile.mkdtemp(prefix="cf-athena-")
    path = os.path.join(d, "empty.log")
    with open(path, "w") as f:
        f.write("#Version: 1.0\n#Fields: date time\n")
    return path


def quote_ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def create_table(con, lake_uri: str, database: str, table: str, years: tuple[int, int]) -> str:
    root = lake_uri.rstrip("/")
    cols = ",\n".join(f"  {quote_ident(n)} {hive_type(t)}" for n, t in lake_columns(con))
    parts = ",\n".join(f"  {quote_ident(p)} string" for p in lakelib.PARTITIONS)
    ranges = {"year": (f"{years[0]},{years[1]}", 4), "month": ("1,12", 2), "day": ("1,31", 2), "hour": ("0,23", 2)}
    props = ["'projection.enabled' = 'true'"]
    for p in lakelib.PARTITIONS:
        rng, digits = ranges[p]
        props += [f"'projection.{p}.type' = 'integer'", f"'projection.{p}.range' = '{rng}'",
                  f"'projection.{p}.digits' = '{digits}'"]
    template = root + "/" + "/".join(f"{p}=${{{p}}}" for p in lakelib.PARTITIONS) + "/"
    props.append(f"'storage.location.template' = '{template}'")
    props.append("'parquet.compression' = 'ZSTD'")
    return (
        f"CREATE EXTERNAL TABLE IF NOT EXISTS {quote_ident(database)}.{quote_ident(table)} (\n{cols}\n)\n"
        f"PARTITIONED BY (\n{parts}\n)\n"
        f"STORED AS PARQUET\n"
        f"LOCATION '{root}/'\n"
        f"TBLPROPERTIES (\n  " + ",\n  ".join(props) + "\n)"
    )


def create_table_trino(con, lake_uri: str, catalog: str, schema: str, table: str) -> str:
    """The same table for Trino's Hive connector (self-hosted Trino, EMR Trino): partition
    columns last, and no projection (new partitions are registered with
    CALL system.sync_partition_metadata)."""
    cols = [(n, trino_type(hive_type(t))) for n, t in lake_columns(con)] + [(p, "varchar") for p in lakelib.PARTITIONS]
    body = ",\n".join(f'  "{n}" {t}' for n, t in cols)
    parts = ", ".join(f"'{p}'" for p in lakelib.PARTITIONS)
    return (
        f'CREATE TABLE IF NOT EXISTS "{catalog}"."{schema}"."{table}" (\n{body}\n)\n'
        f"WITH (\n  external_location = '{lake_uri.rstrip('/')}/',\n  format = 'PARQUET',\n"
        f"  partitioned_by = ARRAY[{parts}]\n)"
    )


def emit(lake_uri: str, out: str, database: str = "cloudfront", table: str = "events",
         years: tuple[int, int] | None = None, con=None) -> list[str]:
    """Writes OUT/00_create_table.sql and OUT/<hunt>.sql; returns the paths written."""
    con = con or lakelib.connect()
    if years is None:
        now = dt.datetime.now(dt.timezone.utc).year
        years = (now - 5, now + 1)
    pb = playbook_sql.Playbook(con)
    os.makedirs(out, exist_ok=True)
    written = []
    path = os.path.join(out, "00_create_table.sql")
    with open(path, "w") as f:
        f.write("-- The CloudFront lake written by make lake, as an Athena table (partition projection).\n")
        f.write(create_table(con, lake_uri, database, table, years) + ";\n")
    written.append(path)
    path = os.path.join(out, "00_create_table_trino.sql")
    with open(path, "w") as f:
        f.write("-- The same lake for Trino's Hive connector (catalog hive); after each make lake run:\n"
                f"--   CALL hive.system.sync_partition_metadata('{database}', '{table}', 'ADD')\n")
        f.write(create_table_trino(con, lake_uri, "hive", database, table) + ";\n")
    written.append(path)
    for name in pb.hunts():
        sql = pb.render(name, "trino", table=f"{database}.{table}")
        path = os.path.join(out, f"{name}.sql")
        with open(path, "w") as f:
            question = _question(con, name)
            f.write(f"-- {name}: {question}\n-- Rendered from the DuckDB macro by scripts/cflake/playbook_sql.py (Trino dialect).\n")
            f.write(sql + ";\n")
        written.append(path)
    return written


def _question(con, name: str) -> str:
    row = con.execute("SELECT question FROM cloudfront_playbook() WHERE name = ?", [name]).fetchall()[0]
    return (row[0] if row else "").replace("\n", " ")


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="make athena-sql", description=__doc__.splitlines()[0])
    ap.add_argument("--lake-uri", required=True, help="the lake's s3:// prefix (as given to make lake LAKE=...)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--database", default="cloudfront")
    ap.add_argument("--table", default="events")
    ap.add_argument("--years", default="", help="partition projection's year range, e.g. 2020,2030 (default: 5 years back to next year)")
    a = ap.parse_args(argv)
    years = tuple(int(y) for y in a.years.split(",")) if a.years else None
    for p in emit(a.lake_uri, a.out, a.database, a.table, years):
        print(f"athena-sql: {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
