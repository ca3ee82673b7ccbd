"""The metadata footer: layout field by field, and DuckDB's refusal of a broken footer."""
import importlib.util
import os
import shutil
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("extension_metadata", ROOT / "scripts" / "extension_metadata.py")
meta = importlib.util.module_from_spec(spec)
spec.loader.exec_module(meta)

EXTENSION = Path(os.environ.get("CLOUDFRONT_EXTENSION", ROOT / "build" / "release" / "cloudfront.duckdb_extension"))


def test_footer_layout_field_by_field():
    f = meta.footer("linux_amd64", "v1.5.6", "0.1.0")
    assert len(f) == 512
    fields = [f[i * 32:(i + 1) * 32] for i in range(8)]
    # File order is DuckDB's order reversed: three unused fields first, the magic last.
    assert fields[0] == fields[1] == fields[2] == b"\0" * 32
    assert fields[3] == b"C_STRUCT".ljust(32, b"\0")
    assert fields[4] == b"0.1.0".ljust(32, b"\0")
    assert fields[5] == b"v1.5.6".ljust(32, b"\0")
    assert fields[6] == b"linux_amd64".ljust(32, b"\0")
    assert fields[7] == b"4".ljust(32, b"\0")
    assert f[256:] == b"\0" * 256  # unsigned


def test_read_footer_round_trip():
    parsed = meta.read_footer(b"library bytes" + meta.footer("osx_arm64", "v1.5.6", "9.8.7"))
    assert (parsed["magic"], parsed["platform"], parsed["capi_version"], parsed["extension_version"], parsed["abi_type"]) == (
        "4", "osx_arm64", "v1.5.6", "9.8.7", "C_STRUCT")


def test_field_too_long_is_refused():
    with pytest.raises(ValueError):
        meta.footer("x" * 33, "v1.5.6", "0.1.0")


def test_built_extension_carries_footer():
    parsed = meta.read_footer(EXTENSION.read_bytes())
    assert parsed["magic"] == "4"
    assert parsed["abi_type"] == "C_STRUCT"
    assert parsed["capi_version"] == "v1.5.6"
    assert parsed["extension_version"] == meta.cargo_version(ROOT / "Cargo.toml")
    assert parsed["platform"] == meta.build_platform()


def test_duckdb_refuses_broken_footer(tmp_path):
    broken = tmp_path / "cloudfront.duckdb_extension"
    shutil.copyfile(EXTENSION, broken)
    data = bytearray(broken.read_bytes())
    data[-512 + 7 * 32] = ord("X")  # clobber the magic value (the last of the eight fields)
    broken.write_bytes(bytes(data))
    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    with pytest.raises(duckdb.Error, match="metadata at the end of the file is invalid"):
        con.execute(f"LOAD '{broken}'")


def test_duckdb_loads_good_footer():
    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    con.execute(f"LOAD '{EXTENSION}'")
    assert con.execute("SELECT cloudfront_version()").fetchone()[0] == meta.cargo_version(ROOT / "Cargo.toml")
