"""Hatchling build hook: compile the extension with cargo and put it into the wheel.

Runs `cargo build --release --lib --locked` (in CARGO_TARGET_DIR when set, so a wheel build after
`make` reuses the compiled crate instead of building it again), appends DuckDB's metadata footer
with scripts/extension_metadata.py (C API version, platform and version as `make` writes them),
writes the licence inventory of the linked crates, and tags the wheel for this platform: the
extension is native code but does not depend on the Python version or ABI, so `py3-none-<platform>`.

Environment: CARGO (default `cargo`), CARGO_TARGET_DIR (default `<project>/target`).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

EXTENSION_FILE = "cloudfront.duckdb_extension"
LICENCES_FILE = "THIRD_PARTY_LICENSES.txt"


def cdylib_name() -> str:
    if sys.platform == "darwin":
        return "libcloudfront.dylib"
    if sys.platform == "win32":
        return "cloudfront.dll"
    return "libcloudfront.so"


def platform_tag() -> str:
    """The wheel platform tag of this interpreter's platform (linux_x86_64, macosx_11_0_arm64, ...)."""
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


def find_cargo() -> str:
    cargo = os.environ.get("CARGO") or shutil.which("cargo")
    if not cargo:
        fallback = Path.home() / ".cargo" / "bin" / "cargo"
        if not fallback.exists():
            raise RuntimeError("building the cloudfront wheel needs Rust's cargo (https://rustup.rs), "
                               "on PATH or named by the CARGO environment variable")
        cargo = str(fallback)
    return cargo


class CloudfrontBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        cargo = find_cargo()
        env = {**os.environ, "CARGO_TARGET_DIR": os.environ.get("CARGO_TARGET_DIR") or str(root / "target")}
        self.app.display_info(f"cloudfront: cargo build --release --lib (CARGO_TARGET_DIR={env['CARGO_TARGET_DIR']})")
        subprocess.run([cargo, "build", "--release", "--lib", "--locked"], cwd=root, env=env, check=True)
        library = Path(env["CARGO_TARGET_DIR"]) / "release" / cdylib_name()

        self._staging = tempfile.mkdtemp(prefix="cloudfront-wheel-")
        staged_ext = Path(self._staging) / EXTENSION_FILE
        staged_licences = Path(self._staging) / LICENCES_FILE
        subprocess.run([sys.executable, str(root / "scripts" / "extension_metadata.py"), str(library), str(staged_ext)],
                       cwd=root, check=True)
        subprocess.run([sys.executable, str(root / "scripts" / "third_party_licenses.py"), str(staged_licences)],
                       cwd=root, env={**env, "CARGO": cargo}, check=True)

        if version == "editable":
            # An editable install imports python/cloudfront from the source tree: put the files there.
            package = root / "python" / "cloudfront"
            shutil.copyfile(staged_ext, package / EXTENSION_FILE)
            shutil.copyfile(staged_licences, package / LICENCES_FILE)
        else:
            build_data["force_include"][str(staged_ext)] = f"cloudfront/{EXTENSION_FILE}"
            build_data["force_include"][str(staged_licences)] = f"cloudfront/{LICENCES_FILE}"
        build_data["pure_python"] = False
        build_data["tag"] = f"py3-none-{platform_tag()}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        staging = getattr(self, "_staging", None)
        if staging:
            shutil.rmtree(staging, ignore_errors=True)
