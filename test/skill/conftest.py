"""The skill's test reuses the loopback S3 server of test/s3 (moto on 127.0.0.1, started and
stopped by the fixture; httpfs from PyPI in the 1.5.6 shell)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location("s3_loopback", Path(__file__).resolve().parents[1] / "s3" / "conftest.py")
s3_loopback = importlib.util.module_from_spec(_spec)
sys.modules["s3_loopback"] = s3_loopback  # dataclasses look their module up there
_spec.loader.exec_module(s3_loopback)

server = s3_loopback.server  # the session fixture, re-exported
