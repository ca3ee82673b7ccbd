"""Every example in cloudfront_functions() and docs/function_descriptions.csv runs and returns at
least one row."""
import csv
import os
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
EXT = os.environ.get("CLOUDFRONT_EXTENSION", str(ROOT / "build/release/cloudfront.duckdb_extension"))


def test_examples_run(monkeypatch):
    monkeypatch.chdir(ROOT)  # examples read test/data/... relative to the repository
    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    con.execute(f"LOAD '{EXT}'")
    examples = con.execute("SELECT name, example FROM cloudfront_functions()").fetchall()
    # Every native function DuckDB knows by a name the listing documents (the count comes from
    # the listing, which registration shares: src/ext/catalog.rs).
    registered = con.execute(
        "SELECT count(DISTINCT function_name) FROM duckdb_functions() WHERE function_name IN (SELECT name FROM cloudfront_functions())"
    ).fetchone()[0]
    assert examples and len(examples) == registered
    for name, example in examples:
        rows = con.execute(example).fetchall()
        assert rows, f"example of {name} returned nothing: {example}"


def test_csv_examples_of_macros_parse(monkeypatch):
    """The playbook macros' rows of docs/function_descriptions.csv name a macro that exists, and
    their example calls it (they need a table of events, so they are not run here)."""
    monkeypatch.chdir(ROOT)
    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    con.execute(f"LOAD '{EXT}'")
    macros = {r[0] for r in con.execute("SELECT name FROM cloudfront_playbook()").fetchall()}
    with open(ROOT / "docs/function_descriptions.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["function", "description", "comment", "example"]
    documented = {r["function"] for r in rows}
    assert macros <= documented
    for r in rows:
        assert r["description"] and r["example"], r
        if r["function"] in macros:
            assert r["function"] + "(" in r["example"], r
