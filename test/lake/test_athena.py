"""make athena-sql: every emitted statement parses as Trino SQL, and the table's columns and
types are those of the lake's Parquet files."""
from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot
from sqlglot import exp

from cflake import athena, lakelib

#: Arrow type of a Parquet column -> the Hive/Athena DDL type that reads it (Athena's Parquet
#: type mapping: INT32 int, INT64 bigint, DOUBLE double, BOOLEAN boolean, DATE date, TIMESTAMP
#: (micros) timestamp, BYTE_ARRAY UTF8 string, LIST<UTF8> array<string>).
def ddl_type_of(t: pa.DataType) -> str:
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_int32(t):
        return "int"
    if pa.types.is_int64(t):
        return "bigint"
    if pa.types.is_int16(t):
        return "smallint"
    if pa.types.is_float64(t):
        return "double"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_date32(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "timestamp"
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return f"array<{ddl_type_of(t.value_type)}>"
    raise AssertionError(f"unexpected Parquet type {t}")


@pytest.fixture(scope="module")
def emitted(tmp_path_factory, con):
    out = tmp_path_factory.mktemp("athena")
    paths = athena.emit("s3://example-bucket/cloudfront-lake/", str(out), "logs", "cf_events_lake", (2024, 2027), con=con)
    return {p.rsplit("/", 1)[-1]: open(p).read() for p in paths}


def statements(text: str, dialect: str = "trino") -> list[exp.Expression]:
    out = [s for s in sqlglot.parse(text, read=dialect, error_level=sqlglot.ErrorLevel.RAISE) if s is not None]
    # A statement sqlglot cannot read falls back to an opaque Command: that is not parsing it.
    assert not any(isinstance(s, exp.Command) for s in out), text[:200]
    return out


def athena_ddl(text: str) -> exp.Create:
    """Athena runs DDL in Hive's syntax: sqlglot's athena dialect (Trino's for queries) reads it."""
    (ddl,) = statements(text, "athena")
    assert isinstance(ddl, exp.Create) and ddl.kind == "TABLE"
    return ddl


def test_every_hunt_is_emitted_and_parses_as_trino(emitted, con):
    hunts = {r[0] for r in con.execute("SELECT name FROM cloudfront_playbook()").fetchall()} - {
        "cf_blocklist", "cf_lake", "read_cloudfront_parquet", "cf_events", "cf_format_bytes"}
    assert {n[:-4] for n in emitted if not n.startswith("00_")} == hunts
    athena_ddl(emitted["00_create_table.sql"])
    for name, text in emitted.items():
        if name == "00_create_table.sql":
            continue
        parsed = statements(text)
        assert len(parsed) == 1, name
        if not name.startswith("00_"):
            assert isinstance(parsed[0], exp.Query), name
            # It reads the Athena table, and nothing of DuckDB's or ours is left.
            tables = {t.sql(dialect="trino") for t in parsed[0].find_all(exp.Table)}
            assert "logs.cf_events_lake" in tables, name
            assert not re.search(r"\b(query_table|cf_events|is_waf_block|ua_category|attack_types)\s*\(", text, re.I), name


def test_ddl_matches_the_parquet_schema(emitted, duck_lake):
    ddl = athena_ddl(emitted["00_create_table.sql"])
    parsed_names = [c.name for c in ddl.this.expressions]
    text = emitted["00_create_table.sql"]
    body = text[text.index(" (\n") + 3:text.index("\n)\nPARTITIONED BY")]
    columns = [re.match(r"\s*`([^`]+)`\s+(.+?),?$", line).groups() for line in body.strip().splitlines()]
    f = next(duck_lake.glob("year=*/month=*/day=*/hour=*/*.parquet"))
    schema = pq.read_schema(f)
    assert [n for n, _ in columns] == schema.names
    assert parsed_names == schema.names
    assert [t for _, t in columns] == [ddl_type_of(schema.field(n).type) for n in schema.names]
    parts = re.search(r"PARTITIONED BY \(\n(.*?)\n\)", text, re.S).group(1)
    assert [re.match(r"\s*`(\w+)` string", l).group(1) for l in parts.splitlines()] == list(lakelib.PARTITIONS)


def test_partition_projection(emitted):
    text = emitted["00_create_table.sql"]
    props = dict(re.findall(r"'([^']+)' = '([^']*)'", text))
    assert props["projection.enabled"] == "true"
    assert (props["projection.hour.range"], props["projection.hour.digits"]) == ("0,23", "2")
    assert (props["projection.month.range"], props["projection.day.range"]) == ("1,12", "1,31")
    assert props["projection.year.range"] == "2024,2027"
    assert props["storage.location.template"] == "s3://example-bucket/cloudfront-lake/year=${year}/month=${month}/day=${day}/hour=${hour}/"
    assert "LOCATION 's3://example-bucket/cloudfront-lake/'" in text
    assert "STORED AS PARQUET" in text


def test_trino_ddl(emitted, duck_lake):
    """The Hive-connector table: Trino's types for the same Parquet columns, partitions last."""
    (ddl,) = statements(emitted["00_create_table_trino.sql"])
    assert isinstance(ddl, exp.Create)
    cols = [(c.name, c.args["kind"].sql(dialect="trino").lower()) for c in ddl.this.expressions]
    schema = pq.read_schema(next(duck_lake.glob("year=*/month=*/day=*/hour=*/*.parquet")))
    trino = {"string": "varchar", "int": "integer", "array<string>": "array(varchar)"}
    want = [(n, trino.get(ddl_type_of(schema.field(n).type), ddl_type_of(schema.field(n).type))) for n in schema.names]
    assert cols == want + [(p, "varchar") for p in lakelib.PARTITIONS]
    text = emitted["00_create_table_trino.sql"]
    assert "partitioned_by = ARRAY['year', 'month', 'day', 'hour']" in text
    assert "external_location = 's3://example-bucket/cloudfront-lake/'" in text
