#!/usr/bin/env python3
"""Write the licence inventory of what the compiled extension links in.

Walks cargo's resolved dependency graph from the `cloudfront` crate along normal (not build or
dev) dependencies for the build platform, and writes, for every crate compiled into the
extension: name, version, SPDX licence expression, repository, and the text of the licence
files the crate ships (LICENSE*, LICENCE*, COPYING*, UNLICENSE*, NOTICE*). The Python wheel
carries the result as `cloudfront/THIRD_PARTY_LICENSES.txt`.

Only the standard library is used: it runs inside the wheel build hook.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LICENCE_FILE_PREFIXES = ("license", "licence", "copying", "unlicense", "notice")


def host_triple(cargo: str) -> str:
    out = subprocess.run([cargo, "-vV"], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("host:"):
            return line.split(":", 1)[1].strip()
    raise SystemExit(f"{cargo} -vV printed no host triple")


def shipped_crates(root: Path = ROOT, cargo: str = "cargo", root_crate: str = "cloudfront") -> list[dict]:
    """Every package the root crate's library links, root first, then by name: cargo metadata
    packages (name, version, license, repository, manifest_path)."""
    meta = json.loads(subprocess.run(
        [cargo, "metadata", "--format-version", "1", "--locked", "--filter-platform", host_triple(cargo)],
        cwd=root, capture_output=True, text=True, check=True).stdout)
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    start = next(p["id"] for p in meta["packages"]
                 if p["name"] == root_crate and p["id"] in meta["workspace_members"])
    seen, todo = {start}, [start]
    while todo:
        for dep in nodes[todo.pop()]["deps"]:
            # dep_kinds kind: None = normal, "build", "dev". Only normal ones end up in the binary.
            if any(k["kind"] is None for k in dep["dep_kinds"]) and dep["pkg"] not in seen:
                seen.add(dep["pkg"])
                todo.append(dep["pkg"])
    crates = [packages[i] for i in seen]
    return sorted(crates, key=lambda p: (p["id"] != start, p["name"], p["version"]))


def licence_files(package: dict) -> list[Path]:
    folder = Path(package["manifest_path"]).parent
    files = sorted(f for f in folder.iterdir() if f.is_file() and f.name.lower().startswith(LICENCE_FILE_PREFIXES))
    if not files and ROOT in folder.parents:
        # A crate of this workspace (crates/cloudfront-core) is under the repository's licence.
        files = [ROOT / "LICENSE"]
    return files


def render(crates: list[dict]) -> str:
    out = ["Licences of the software compiled into cloudfront.duckdb_extension",
           "(generated at build time from cargo's dependency graph by scripts/third_party_licenses.py)", ""]
    out += [f"{p['name']} {p['version']}: {p.get('license') or 'UNKNOWN'}" for p in crates]
    for p in crates:
        out += ["", "=" * 78, f"{p['name']} {p['version']}",
                f"licence: {p.get('license') or 'UNKNOWN'}",
                f"repository: {p.get('repository') or '-'}", "=" * 78]
        files = licence_files(p)
        if not files:
            out.append("(the crate ships no licence file; its licence is the SPDX expression above)")
        for f in files:
            out += ["", f"--- {f.name} ---", f.read_text(errors="replace").rstrip()]
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("output", type=Path)
    args = ap.parse_args(argv)
    text = render(shipped_crates(cargo=os.environ.get("CARGO", "cargo")))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
