"""Every example in cloudfront_functions() runs and returns at least one row."""
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
    assert len(examples) == 25
    for name, example in examples:
        rows = con.execute(example).fetchall()
        assert rows, f"example of {name} returned nothing: {example}"
