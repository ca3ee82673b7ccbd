#!/usr/bin/env python3
"""Append (or read) the 512-byte metadata footer that DuckDB requires on a loadable extension.

DuckDB reads the last 512 bytes of an extension file: 256 bytes of eight 32-byte NUL-padded
fields followed by a 256-byte signature (zeros when unsigned). DuckDB reverses the eight fields
after reading them, so in file order they are stored last-field-first:

    file order:  [unused, unused, unused, abi_type, extension_version, capi_version, platform, magic]
    DuckDB view: [magic, platform, capi_version, extension_version, abi_type, unused, unused, unused]

Facts from DuckDB's `ExtensionHelper::ParseExtensionMetaData` (src/main/extension/extension_load.cpp).
Only the standard library is used, so `make` works before any Python environment exists.
"""
from __future__ import annotations

import argparse
import platform as _platform
import re
import shutil
import sys
from pathlib import Path

FIELD_SIZE = 32
FIELD_COUNT = 8
SIGNATURE_SIZE = 256
FOOTER_SIZE = FIELD_SIZE * FIELD_COUNT + SIGNATURE_SIZE  # 512
MAGIC = "4"
ABI_TYPE = "C_STRUCT"


def build_platform() -> str:
    """DuckDB's platform name of the machine running the build (linux_amd64, osx_arm64, ...)."""
    system = {"Linux": "linux", "Darwin": "osx", "Windows": "windows"}.get(_platform.system())
    machine = _platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine)
    if system is None or arch is None:
        raise SystemExit(f"unsupported build platform: {_platform.system()} {_platform.machine()}")
    return f"{system}_{arch}"


def _field(value: str) -> bytes:
    raw = value.encode("ascii")
    if len(raw) > FIELD_SIZE:
        raise ValueError(f"metadata field {value!r} is longer than {FIELD_SIZE} bytes")
    return raw.ljust(FIELD_SIZE, b"\0")


def footer(platform: str, capi_version: str, extension_version: str) -> bytes:
    """The 512-byte footer, fields in file order (reversed), unsigned signature."""
    logical = [MAGIC, platform, capi_version, extension_version, ABI_TYPE, "", "", ""]
    return b"".join(_field(v) for v in reversed(logical)) + b"\0" * SIGNATURE_SIZE


def read_footer(data: bytes) -> dict:
    """Parse the footer of an extension file's bytes, the way DuckDB does."""
    if len(data) < FOOTER_SIZE:
        raise ValueError("file is shorter than the 512-byte footer")
    tail = data[-FOOTER_SIZE:]
    fields = [tail[i * FIELD_SIZE:(i + 1) * FIELD_SIZE].rstrip(b"\0").decode("ascii", "replace")
              for i in range(FIELD_COUNT)]
    fields.reverse()
    return {
        "magic": fields[0],
        "platform": fields[1],
        "capi_version": fields[2],
        "extension_version": fields[3],
        "abi_type": fields[4],
        "signature": tail[FIELD_SIZE * FIELD_COUNT:],
    }


def cargo_version(cargo_toml: Path) -> str:
    """The `version` of the [package] table of Cargo.toml (no TOML parser needed for this line)."""
    in_package = False
    for line in cargo_toml.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            in_package = stripped == "[package]"
        elif in_package:
            m = re.match(r'version\s*=\s*"([^"]+)"', stripped)
            if m:
                return m.group(1)
    raise SystemExit(f"no [package] version in {cargo_toml}")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("library", type=Path, help="the compiled shared library (cdylib)")
    ap.add_argument("output", type=Path, help="the .duckdb_extension file to write")
    ap.add_argument("--capi-version", default="v1.5.6")
    ap.add_argument("--extension-version", help="defaults to the version in Cargo.toml")
    ap.add_argument("--platform", help="defaults to the build machine's platform")
    args = ap.parse_args(argv)
    version = args.extension_version or cargo_version(Path(__file__).resolve().parent.parent / "Cargo.toml")
    plat = args.platform or build_platform()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_suffix(".tmp")
    shutil.copyfile(args.library, tmp)
    with open(tmp, "ab") as f:
        f.write(footer(plat, args.capi_version, version))
    tmp.replace(args.output)  # never leave a half-written extension in place
    print(f"wrote {args.output} ({plat}, C API {args.capi_version}, version {version}, {ABI_TYPE})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
