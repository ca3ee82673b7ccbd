"""Detection test (issue: the playbook is tested against injected attacks): on a generated day of
300,000 lines every injected threat must appear in cf_hunt with its entity, and a benign-only day
must produce no high-severity finding. scripts/eval_playbook.py does the work and exits non-zero
on a miss or a false alarm; `make eval` prints the same precision/recall table."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_injected_threat_found_and_benign_day_quiet():
    ext = os.environ.get("CLOUDFRONT_EXTENSION", str(ROOT / "build/release/cloudfront.duckdb_extension"))
    r = subprocess.run([sys.executable, str(ROOT / "scripts/eval_playbook.py"), "--extension", ext, "--lines", "300000"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "12/12" in r.stdout
