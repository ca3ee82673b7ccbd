"""Detection test: scripts/eval_playbook.py (what `make eval` runs) on generated days.

A threat day of 300,000 lines (every cfgen threat: the classic eleven plus attack payloads of every
family, worm noise, a distributed login botnet and a fake Googlebot) and every benign feature
(verified crawlers, URLs with spaces, feed pollers, uptime checks, heavy readers), and a day with
the benign features only:
  * every injected threat is reported by cf_hunt at the severity its truth entry expects (payloads
    that got through: high; refused ones: medium; worm noise answered 404: low at least);
  * no benign entity (address of a benign feature) is flagged at medium or high, on either day;
  * the benign day has no medium-or-high row at all.
The real logs are not used here (they stay in ../shared); `make eval` adds them."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_threats_found_at_their_severity_and_benign_entities_stay_low(tmp_path):
    ext = os.environ.get("CLOUDFRONT_EXTENSION", str(ROOT / "build/release/cloudfront.duckdb_extension"))
    out = tmp_path / "results.json"
    r = subprocess.run([sys.executable, str(ROOT / "scripts/eval_playbook.py"), "--extension", ext,
                        "--datasets", "cfgen-300k-s7,cfgen-benign-300k-s7", "--json", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    results = {d["dataset"]: d for d in json.loads(out.read_text())}
    threat, benign = results["cfgen-300k-s7"], results["cfgen-benign-300k-s7"]

    items = {e["id"]: e for e in threat["items"]}
    # The truth has the classic threats, 11 payload families and the new kinds.
    assert len(items) == 26, sorted(items)
    assert {f"payload_attacks/{f}" for f in ("sqli", "xss", "path_traversal", "rfi", "cmd_injection", "jndi", "ssrf",
                                             "ssti", "webshell", "sensitive_file", "known_exploit")} <= set(items)
    missed = [i for i, e in items.items() if not e["at_expected"]]
    assert not missed, {i: items[i] for i in missed}
    # Bypasses (payloads answered 2xx/3xx) are high.
    for fam in ("sqli", "path_traversal", "cmd_injection", "jndi", "ssrf", "ssti"):
        assert items[f"payload_attacks/{fam}"]["best_severity"] == "high", fam
    # The distributed botnet is reported as a campaign covering most of its addresses.
    assert "cf_campaigns" in items["botnet_login"]["hunts"] and items["botnet_login"]["share"] >= 0.5

    for day in (threat, benign):
        for b in day["benign"]:
            assert b["by_severity"]["high"] == 0 and b["by_severity"]["medium"] == 0, (day["dataset"], b)
    assert benign["rows"]["high"] == 0 and benign["rows"]["medium"] == 0, benign["rows"]
