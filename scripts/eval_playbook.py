#!/usr/bin/env python3
"""Precision/recall of the hunting playbook (cf_hunt) on synthetic CloudFront days.

Generates, with tools/cfgen, one day with every injected threat and one benign-only day
(`--threats none`), loads the extension, creates `events` from read_cloudfront() for each day,
runs `cf_hunt('events')` and compares its findings with cfgen's truth.json:

* recall: an injected threat (one truth entry; ddos has two phases, burst and flood) is found
  when cf_hunt has a finding of the matching hunt whose entity is the threat's entity and whose
  [first_seen, last_seen] overlaps the threat's [start, end) (10 minutes of slack for bucket
  alignment):
      ip            entity is one of the threat's ips
      path          entity is one of the threat's paths ('*' suffix = prefix)
      window        time overlap is the match
      edge_location the entity's 3-letter airport code is that of one of the threat's edges
  For ip threats the share of the threat's ips that were found is shown too.
* false positives: on the threat day, findings (any hunt, any severity) whose entity matches no
  injected threat at all (same rules, any threat, with time overlap); on the benign day, every
  finding, and above all every high-severity one. Matched findings are split into "own" (a
  threat the hunt is meant to find) and "other" (only a threat of another hunt: the scanner's IP
  in cf_waf_blocks, a credential-stuffing hour in cf_error_spikes), which are true but secondary.

Exits non-zero when an injected threat is missed or a high-severity finding appears on the
benign day. Usage:

    .venv/bin/python scripts/eval_playbook.py                 # 300k lines, seed 7
    .venv/bin/python scripts/eval_playbook.py --lines 100000 --seed 3 --keep /tmp/eval
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent

# truth.json threat (and phase) -> (cf_hunt hunt, entity type)
EXPECTED = {
    ("scraper", None): ("cf_scrapers", "ip"),
    ("cache_busting", None): ("cf_cache_busting", "path"),
    ("waf_blocks", None): ("cf_waf_blocks", "ip"),
    ("waf_bypass", None): ("cf_waf_bypass", "ip"),
    ("error_spike", None): ("cf_error_spikes", "window"),
    ("ddos", "burst"): ("cf_ddos", "window"),
    ("ddos", "flood"): ("cf_ddos", "ip"),
    ("geo_spike", None): ("cf_geo_spikes", "edge_location"),
    ("egress", None): ("cf_suspicious_egress", "ip"),
    ("protocol_anomaly", None): ("cf_protocol_anomalies", "ip"),
    ("scanner", None): ("cf_scanners", "ip"),
    ("credential_stuffing", None): ("cf_credential_stuffing", "path"),
}
SLACK_S = 600  # buckets are aligned to the clock; a finding may start up to one 10-min bucket early


def find_cfgen(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    for p in (ROOT / "target/release/cfgen", ROOT / "tools/cfgen/target/release/cfgen"):
        if p.exists():
            return p
    print("building cfgen ...", file=sys.stderr)
    r = subprocess.run(["cargo", "build", "--release", "-p", "cfgen"], cwd=ROOT)
    if r.returncode != 0:
        subprocess.run(["cargo", "build", "--release", "--manifest-path", "tools/cfgen/Cargo.toml"], cwd=ROOT, check=True)
    for p in (ROOT / "target/release/cfgen", ROOT / "tools/cfgen/target/release/cfgen"):
        if p.exists():
            return p
    sys.exit("cfgen not found after building it")


def generate(cfgen: Path, out: Path, lines: int, seed: int, threats: str) -> dict:
    if out.exists():
        shutil.rmtree(out)
    subprocess.run([str(cfgen), "--out", str(out), "--lines", str(lines), "--seed", str(seed), "--threats", threats],
                   check=True, stdout=subprocess.DEVNULL)
    return json.loads((out / "truth.json").read_text())


def epoch(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def run_hunt(extension: Path, logs: Path, view: bool) -> tuple[list[dict], float, float]:
    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    con.execute(f"LOAD '{extension}'")
    con.execute("SET TimeZone = 'UTC'")
    kind = "VIEW" if view else "TABLE"
    t0 = time.perf_counter()
    con.execute(f"CREATE {kind} events AS SELECT * FROM read_cloudfront('{logs}/*.gz')")
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    rows = con.execute(
        "SELECT hunt, severity, entity_type, entity, epoch(first_seen), epoch(last_seen), requests, evidence "
        "FROM cf_hunt('events')"
    ).fetchall()
    hunt_s = time.perf_counter() - t0
    cols = ["hunt", "severity", "entity_type", "entity", "first", "last", "requests", "evidence"]
    return [dict(zip(cols, r)) for r in rows], load_s, hunt_s


def entity_matches(f: dict, t: dict) -> bool:
    """Does finding f point at threat t (entity rule of f's type, plus time overlap)?"""
    s, e = epoch(t["start"]), epoch(t["end"])
    if f["first"] is None or f["last"] is None or not (f["first"] < e + SLACK_S and f["last"] >= s - SLACK_S):
        return False
    kind, ent = f["entity_type"], f["entity"]
    if kind == "ip":
        return ent in t["ips"]
    if kind == "path":
        return any(ent == p or (p.endswith("*") and ent.startswith(p[:-1])) or p == "*" for p in t["paths"])
    if kind == "window":
        return True
    if kind == "edge_location":
        return ent[:3].upper() in {x[:3].upper() for x in t["edge_locations"]}
    return False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=300_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--benign-seed", type=int, default=None, help="seed of the benign day (default: --seed)")
    ap.add_argument("--extension", default=str(ROOT / "build/release/cloudfront.duckdb_extension"))
    ap.add_argument("--cfgen", default=None)
    ap.add_argument("--keep", default=None, help="generate into this directory and keep it")
    ap.add_argument("--view", action="store_true", help="make events a view over the files (default: a table)")
    ap.add_argument("--show", action="store_true", help="print every finding")
    args = ap.parse_args()

    cfgen = find_cfgen(args.cfgen)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="cf-eval-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        truth = generate(cfgen, work / "threats", args.lines, args.seed, "all")
        generate(cfgen, work / "benign", args.lines, args.benign_seed if args.benign_seed is not None else args.seed, "none")
        gen_s = time.perf_counter() - t0
        found, load_t, hunt_t = run_hunt(Path(args.extension), work / "threats", args.view)
        benign, load_b, hunt_b = run_hunt(Path(args.extension), work / "benign", args.view)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    threats = truth["threats"]
    print(f"cfgen: {args.lines} lines/day, seed {args.seed}, generated both days in {gen_s:.1f}s")
    print(f"threat day: read_cloudfront -> events {load_t:.2f}s, cf_hunt {hunt_t:.2f}s, {len(found)} findings")
    print(f"benign day: read_cloudfront -> events {load_b:.2f}s, cf_hunt {hunt_b:.2f}s, {len(benign)} findings")
    if args.show:
        for f in found:
            print(f"  [{f['severity']:6}] {f['hunt']:24} {f['entity_type']:13} {f['entity']:48} {f['requests']:>7}  {f['evidence']}")

    # Recall per injected threat.
    print()
    print(f"{'threat':28} {'hunt':24} {'entity':13} {'found':6} {'severity':8} detail")
    missed = []
    per_hunt: dict[str, dict] = {}
    for t in threats:
        key = (t["threat"], t.get("phase"))
        hunt, etype = EXPECTED[key]
        name = t["threat"] + (f"/{t['phase']}" if t.get("phase") else "")
        hits = [f for f in found if f["hunt"] == hunt and f["entity_type"] == etype and entity_matches(f, t)]
        stats = per_hunt.setdefault(hunt, {"injected": 0, "detected": 0})
        stats["injected"] += 1
        detail = ""
        if etype == "ip":
            ips = {f["entity"] for f in hits}
            detail = f"{len(ips)}/{len(t['ips'])} ips"
        elif hits:
            detail = ", ".join(sorted({f["entity"] for f in hits}))[:70]
        sev = min((f["severity"] for f in hits), key=["high", "medium", "low"].index, default="-")
        if hits:
            stats["detected"] += 1
        else:
            missed.append(name)
        print(f"{name:28} {hunt:24} {etype:13} {'yes' if hits else 'NO':6} {sev:8} {detail}")

    # Precision per hunt.
    print()
    print(f"{'hunt':24} {'recall':>8} {'findings':>8} {'matched':>8} {'own':>5} {'other':>5} {'unmatched':>9} {'precision':>9} {'benign':>7} {'benign_high':>11}")
    hunts = sorted({h for h, _ in EXPECTED.values()} | {f["hunt"] for f in found} | {f["hunt"] for f in benign})
    total_unmatched = 0
    unmatched_rows = []
    for h in hunts:
        fs = [f for f in found if f["hunt"] == h]
        matched = [f for f in fs if any(entity_matches(f, t) for t in threats)]
        # own: matches a threat this hunt is meant to find; other: only threats of other hunts
        # (e.g. the scanner's IP in cf_waf_blocks, a credential-stuffing hour in cf_error_spikes).
        own = [f for f in matched if any(entity_matches(f, t) and EXPECTED[(t["threat"], t.get("phase"))][0] == h
                                         for t in threats)]
        unmatched_rows += [f for f in fs if f not in matched]
        total_unmatched += len(fs) - len(matched)
        b = [f for f in benign if f["hunt"] == h]
        bh = [f for f in b if f["severity"] == "high"]
        st = per_hunt.get(h, {"injected": 0, "detected": 0})
        recall = f"{st['detected']}/{st['injected']}" if st["injected"] else "-"
        prec = f"{len(matched) / len(fs):.2f}" if fs else "-"
        print(f"{h:24} {recall:>8} {len(fs):>8} {len(matched):>8} {len(own):>5} {len(matched) - len(own):>5} "
              f"{len(fs) - len(matched):>9} {prec:>9} {len(b):>7} {len(bh):>11}")
    detected = sum(s["detected"] for s in per_hunt.values())
    injected = sum(s["injected"] for s in per_hunt.values())
    benign_high = [f for f in benign if f["severity"] == "high"]
    print(f"{'total':24} {detected:>4}/{injected:<3} {len(found):>8} {len(found) - total_unmatched:>8} {'':>5} {'':>5} {total_unmatched:>9} "
          f"{(len(found) - total_unmatched) / max(len(found), 1):>9.2f} {len(benign):>7} {len(benign_high):>11}")

    for f in unmatched_rows:
        print(f"  unmatched on the threat day: [{f['severity']}] {f['hunt']} {f['entity_type']} {f['entity']}: {f['evidence']}")
    for f in benign:
        print(f"  benign-day finding: [{f['severity']}] {f['hunt']} {f['entity_type']} {f['entity']}: {f['evidence']}")

    ok = not missed and not benign_high
    if missed:
        print(f"FAIL: missed {', '.join(missed)}")
    if benign_high:
        print(f"FAIL: {len(benign_high)} high-severity finding(s) on the benign day")
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
