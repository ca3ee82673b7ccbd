#!/usr/bin/env python3
"""Detection evaluation of the hunting playbook (`make eval`): cf_hunt on synthetic and real traffic.

Datasets, reported side by side:
  (a) cfgen days (tools/cfgen) with every threat and every benign feature, at several sizes and
      seeds (a busy shop, a mid-size site, a quiet blog), and a day without threats; the truth is
      cfgen's truth.json (`threats` and `benign`);
  (b) the real access logs of ../shared/realtraffic, converted with its to_cloudfront.py, against
      the ground truth written by reading the raw logs (eval/truth/<dataset>.json, built by
      eval/truth/build_truth.py). Skipped with a message when the folder is absent.

For each dataset: recall per truth item and overall, the benign entities flagged and at which
severity, and cf_hunt's rows per severity.

Matching a finding to a truth item. A finding names clients: its entity when entity_type is 'ip',
and every address of its `members` column when cf_hunt has one (campaigns list all their members;
the extension of before this evaluation had no such column). An item is *reported* when the
findings whose [first_seen, last_seen] overlaps the item's [start, end] (10 minutes of slack)
together name at least `min_actor_share` of the item's addresses, or, for items without
addresses, when a finding of the item's kind overlaps it (a 'window' finding for an error spike or
a request flood, a 'path' finding naming one of its paths, an 'edge_location' finding with its
airport code). It is found *at the expected severity* when the findings at that severity or above
do the same. A benign entity (one address) is *flagged* when any finding names it; its severity is
the worst such finding's. On the real logs addresses are compared as salted hashes
(scripts/realtraffic.py), never written.

Usage:
    .venv/bin/python scripts/eval_playbook.py                      # the default datasets
    .venv/bin/python scripts/eval_playbook.py --extension /path/to/main/cloudfront.duckdb_extension
    .venv/bin/python scripts/eval_playbook.py --datasets cfgen-300k-s7,almhuette-raith-2019-04 --show
    .venv/bin/python scripts/eval_playbook.py --json results.json  # machine-readable, for tests
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
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
import realtraffic as rt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEVERITIES = ["high", "medium", "low"]
RANK = {s: i for i, s in enumerate(SEVERITIES)}
SLACK_S = 600  # buckets are aligned to the clock; a finding may start up to one 10-minute bucket early

# name -> (lines, seed, threats); the cfgen days of the default run.
CFGEN_DAYS = {
    "cfgen-300k-s7": (300_000, 7, "all"),
    "cfgen-100k-s3": (100_000, 3, "all"),
    "cfgen-quiet-8k-s5": (8_000, 5, "all"),
    "cfgen-benign-300k-s7": (300_000, 7, "none"),
}
DEFAULT = list(CFGEN_DAYS) + list(rt.DATASETS)

# cfgen threat (phase) -> expected minimum severity and share of its addresses a finding must name
CFGEN_EXPECT = {
    "scraper": ("medium", 0.5),
    "cache_busting": ("medium", 0.5),
    "waf_blocks": ("medium", 1.0),
    "waf_bypass": ("high", 1.0),
    "error_spike": ("medium", 0.0),
    "ddos/burst": ("medium", 0.0),
    "ddos/flood": ("medium", 1.0),
    "geo_spike": ("medium", 0.0),
    "egress": ("medium", 1.0),
    "protocol_anomaly": ("medium", 1.0),
    "scanner": ("medium", 1.0),
    "credential_stuffing": ("medium", 0.5),
    "worm_noise": ("low", 0.5),
    "botnet_login": ("medium", 0.5),
    "fake_crawler": ("medium", 0.5),
}
# payload_attacks by the outcome cfgen gave the family
PAYLOAD_EXPECT = {"blocked_then_through": "high", "through": "high", "blocked": "medium", "not_found": "low"}


def epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


@dataclass
class Item:
    id: str
    kind: str  # attack | benign | notable
    actors: set[str]
    start: float
    end: float
    paths: list[str] = field(default_factory=list)
    window: bool = False  # reported by a 'window' finding (no addresses)
    edges: list[str] = field(default_factory=list)
    min_severity: str = "low"
    min_share: float = 0.5
    title: str = ""


@dataclass
class Dataset:
    name: str
    logs: Path
    items: list[Item]
    hasher: object  # address -> the name used in the truth (identity for cfgen)
    lines: int = 0
    note: str = ""


# ------------------------------------------------------------------------------------------ data
def find_cfgen() -> Path:
    for p in (ROOT / "target/release/cfgen", ROOT / "tools/cfgen/target/release/cfgen"):
        if p.exists():
            return p
    print("building cfgen ...", file=sys.stderr)
    subprocess.run(["cargo", "build", "--release", "-p", "cfgen"], cwd=ROOT, check=True)
    return ROOT / "target/release/cfgen"


def cfgen_dataset(name: str, work: Path) -> Dataset:
    lines, seed, threats = CFGEN_DAYS[name]
    out = work / name
    if out.exists():
        shutil.rmtree(out)
    subprocess.run([str(find_cfgen()), "--out", str(out), "--lines", str(lines), "--seed", str(seed),
                    "--threats", threats], check=True, stdout=subprocess.DEVNULL)
    truth = json.loads((out / "truth.json").read_text())
    items = []
    for t in truth["threats"]:
        tid = t["threat"] + (f"/{t['phase']}" if t.get("phase") else "")
        if t["threat"] == "payload_attacks":
            sev, share = PAYLOAD_EXPECT[t["details"]["outcome"]], 1.0
        else:
            sev, share = CFGEN_EXPECT[tid]
        window = t["threat"] == "error_spike" or tid == "ddos/burst"
        paths = [] if t["threat"] in ("scraper", "fake_crawler") else t["paths"]
        items.append(Item(tid, "attack", set(t["ips"]) if not window else set(), epoch(t["start"]), epoch(t["end"]),
                          paths=paths if t["threat"] in ("cache_busting", "credential_stuffing") else [],
                          window=window,
                          edges=t["edge_locations"] if t["threat"] == "geo_spike" else [],
                          min_severity=sev, min_share=share if not window else 0.0, title=t["description"]))
        if t["threat"] == "geo_spike":
            items[-1].actors = set()
    for b in truth.get("benign", []):
        items.append(Item(b["threat"], "benign", set(b["ips"]), epoch(b["start"]), epoch(b["end"]), title=b["description"]))
    return Dataset(name, out, items, lambda ip: ip, lines=truth["lines"], note=f"cfgen --lines {lines} --seed {seed} --threats {threats}")


def real_dataset(name: str, shared: Path, work: Path) -> Dataset:
    out = work / name
    if out.exists():
        shutil.rmtree(out)
    rt.convert(shared, name, out)
    raw = rt.raw_bytes(shared, name)
    salt = rt.salt_of(raw)
    truth = json.loads((ROOT / "eval/truth" / f"{name}.json").read_text())
    items = []
    for kind, key in (("attack", "attacks"), ("notable", "notable"), ("benign", "benign")):
        for t in truth[key]:
            exp = t.get("expect", {})
            items.append(Item(t["id"], kind, set(t["actors"]), epoch(t["first_seen"]), epoch(t["last_seen"]),
                              min_severity=exp.get("min_severity", "low"), min_share=exp.get("min_actor_share", 0.5),
                              title=t["title"]))
    return Dataset(name, out, items, lambda ip: rt.actor_hash(salt, ip), lines=truth["lines"],
                   note=f"real log, converted with to_cloudfront.py; truth eval/truth/{name}.json")


# ------------------------------------------------------------------------------------- hunting
def connect(extension: Path, macros: Path | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    con.execute(f"LOAD '{extension}'")
    con.execute("SET TimeZone = 'UTC'")
    if macros:
        for f in sorted(macros.glob("*.sql")):
            con.execute(f.read_text())
    return con


def run_hunt(extension: Path, logs: Path, macros: Path | None = None) -> tuple[list[dict], float, bool]:
    con = connect(extension, macros)
    con.execute(f"CREATE TABLE events AS SELECT * FROM read_cloudfront('{logs}/*.gz')")
    cols = [r[0] for r in con.execute("DESCRIBE SELECT * FROM cf_hunt('events')").fetchall()]
    has_members = "members" in cols
    t0 = time.perf_counter()
    rows = con.execute(
        "SELECT hunt, severity, entity_type, entity, epoch(first_seen), epoch(last_seen), requests, evidence, "
        + ("members" if has_members else "NULL") + " FROM cf_hunt('events')").fetchall()
    secs = time.perf_counter() - t0
    keys = ["hunt", "severity", "entity_type", "entity", "first", "last", "requests", "evidence", "members"]
    return [dict(zip(keys, r)) for r in rows], secs, has_members


def named(f: dict, hasher) -> set[str]:
    """The clients a finding names, in the truth's naming."""
    addrs = set(f["members"] or [])
    if f["entity_type"] == "ip":
        addrs.add(f["entity"])
    return {hasher(a) for a in addrs if a}


def overlaps(f: dict, it: Item) -> bool:
    return f["first"] is not None and f["last"] is not None and f["first"] < it.end + SLACK_S and f["last"] >= it.start - SLACK_S


def covers(findings: list[dict], it: Item, hasher) -> tuple[bool, float, list[dict]]:
    """Do these findings report the item? (yes/no, share of its addresses named, the findings used)"""
    hit = [f for f in findings if overlaps(f, it)]
    used, got = [], set()
    for f in hit:
        n = named(f, hasher) & it.actors if it.actors else set()
        by_kind = (it.window and f["entity_type"] == "window") \
            or (it.paths and f["entity_type"] == "path" and any(f["entity"] == p or (p.endswith("*") and f["entity"].startswith(p[:-1])) for p in it.paths)) \
            or (it.edges and f["entity_type"] == "edge_location" and f["entity"][:3].upper() in {e[:3].upper() for e in it.edges})
        if n or by_kind:
            used.append(f)
            got |= n
        if by_kind:
            got |= it.actors  # a path/window/edge finding stands for the whole item
    share = len(got) / len(it.actors) if it.actors else (1.0 if used else 0.0)
    ok = bool(used) and (share >= it.min_share or not it.actors)
    return ok, share, used


def evaluate(ds: Dataset, findings: list[dict]) -> dict:
    res = {"dataset": ds.name, "lines": ds.lines, "note": ds.note, "items": [], "benign": [], "notable": []}
    for it in ds.items:
        if it.kind == "benign":
            flagged = {}
            for f in findings:
                for a in named(f, ds.hasher) & it.actors:
                    if a not in flagged or RANK[f["severity"]] < RANK[flagged[a][0]]:
                        flagged[a] = (f["severity"], f["hunt"])
            sev = Counter(s for s, _ in flagged.values())
            res["benign"].append({"id": it.id, "addresses": len(it.actors), "flagged": len(flagged),
                                  "by_severity": {s: sev.get(s, 0) for s in SEVERITIES},
                                  "hunts": sorted({h for _, h in flagged.values()})})
            continue
        ok_any, share_any, used = covers(findings, it, ds.hasher)
        strong = [f for f in findings if RANK[f["severity"]] <= RANK[it.min_severity]]
        ok_exp, share_exp, _ = covers(strong, it, ds.hasher)
        best = min((f["severity"] for f in used), key=RANK.get, default="-")
        entry = {"id": it.id, "reported": ok_any, "at_expected": ok_exp, "expected": it.min_severity,
                 "best_severity": best, "share": round(share_any, 3), "addresses": len(it.actors),
                 "hunts": sorted({f["hunt"] for f in used})}
        res["notable" if it.kind == "notable" else "items"].append(entry)
    sev = Counter(f["severity"] for f in findings)
    res["rows"] = {s: sev.get(s, 0) for s in SEVERITIES}
    res["rows_total"] = len(findings)
    res["campaign_rows"] = sum(f["entity_type"] == "campaign" for f in findings)
    return res


# ------------------------------------------------------------------------------------ printing
def print_dataset(res: dict, findings: list[dict], show: bool, span_days: float, secs: float) -> None:
    print(f"\n== {res['dataset']}  ({res['note']}; {res['lines']:,} lines over {span_days:.1f} days)")
    r = res["rows"]
    print(f"cf_hunt: {res['rows_total']} rows: high {r['high']}, medium {r['medium']}, low {r['low']} "
          f"({res['campaign_rows']} campaign rows; {secs:.1f} s)")
    if res["items"]:
        print(f"  {'truth item':34} {'reported':8} {'expected':8} {'best':6} {'share':>5}  hunts")
        for e in res["items"]:
            mark = "yes" if e["at_expected"] else ("low" if e["reported"] else "NO")
            print(f"  {e['id']:34} {mark:8} {e['expected']:8} {e['best_severity']:6} {e['share']:>5.2f}  {','.join(e['hunts'])}")
        n = len(res["items"])
        print(f"  recall: {sum(e['at_expected'] for e in res['items'])}/{n} at the expected severity, "
              f"{sum(e['reported'] for e in res['items'])}/{n} reported at any severity")
    for e in res["notable"]:
        print(f"  notable {e['id']}: {'reported (' + e['best_severity'] + ')' if e['reported'] else 'not reported'}")
    if res["benign"]:
        tot = Counter()
        for b in res["benign"]:
            tot.update(b["by_severity"])
        addrs = sum(b["addresses"] for b in res["benign"])
        print(f"  benign entities flagged: {sum(b['flagged'] for b in res['benign'])} of {addrs} addresses "
              f"(high {tot['high']}, medium {tot['medium']}, low {tot['low']})")
        for b in res["benign"]:
            if b["flagged"]:
                s = b["by_severity"]
                print(f"    {b['id']}: {b['flagged']}/{b['addresses']} (high {s['high']}, medium {s['medium']}, "
                      f"low {s['low']}) by {','.join(b['hunts'])}")
    if show:
        for f in findings:
            print(f"    [{f['severity']:6}] {f['hunt']:24} {f['entity_type']:13} {str(f['entity'])[:48]:48} "
                  f"{f['requests']:>7}  {(f['evidence'] or '')[:150]}")


def print_summary(results: list[dict]) -> None:
    print("\n== summary (recall at the expected severity / reported at any; benign addresses flagged high/medium/low; "
          "cf_hunt rows high/medium/low; medium-or-high rows)")
    print(f"{'dataset':28} {'lines':>9} {'days':>5} {'recall@exp':>11} {'recall@any':>11} {'benign h/m/l':>13} "
          f"{'rows h/m/l':>14} {'m+h':>5}")
    for r in results:
        n = len(r["items"])
        rec_e = f"{sum(e['at_expected'] for e in r['items'])}/{n}" if n else "-"
        rec_a = f"{sum(e['reported'] for e in r['items'])}/{n}" if n else "-"
        tot = Counter()
        for b in r["benign"]:
            tot.update(b["by_severity"])
        ben = f"{tot['high']}/{tot['medium']}/{tot['low']}" if r["benign"] else "-"
        rows = f"{r['rows']['high']}/{r['rows']['medium']}/{r['rows']['low']}"
        print(f"{r['dataset']:28} {r['lines']:>9,} {r['days']:>5.1f} {rec_e:>11} {rec_a:>11} {ben:>13} {rows:>14} "
              f"{r['rows']['high'] + r['rows']['medium']:>5}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--extension", default=os.environ.get("CLOUDFRONT_EXTENSION", str(ROOT / "build/release/cloudfront.duckdb_extension")))
    ap.add_argument("--datasets", default=",".join(DEFAULT), help="comma list of: " + ", ".join(DEFAULT))
    ap.add_argument("--cfgen-days", default="", metavar="LINES:SEED[,...]",
                    help="more cfgen days with every threat, e.g. 1000000:11,50000:2 (named cfgen-<lines>-s<seed>)")
    ap.add_argument("--keep", default=None, help="work in this directory and keep it")
    ap.add_argument("--show", action="store_true", help="print every cf_hunt row")
    ap.add_argument("--json", default=None, help="write the results as JSON to this file")
    ap.add_argument("--macros", default=None,
                    help="after LOAD, (re)create the playbook from the .sql files of this folder (to evaluate edited "
                         "macros without rebuilding the extension)")
    args = ap.parse_args()

    names = [n.strip() for n in args.datasets.split(",") if n.strip()]
    for spec in filter(None, (x.strip() for x in args.cfgen_days.split(","))):
        lines, seed = (int(v) for v in spec.split(":"))
        name = f"cfgen-{lines}-s{seed}"
        CFGEN_DAYS[name] = (lines, seed, "all")
        names.append(name)
    unknown = [n for n in names if n not in CFGEN_DAYS and n not in rt.DATASETS]
    if unknown:
        ap.error(f"unknown dataset(s) {unknown}; known: {', '.join(DEFAULT)}")
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="cf-eval-"))
    work.mkdir(parents=True, exist_ok=True)
    shared = rt.shared_dir()
    results = []
    try:
        for name in names:
            if name in rt.DATASETS:
                if shared is None:
                    print(f"\n== {name}: skipped, ../shared/realtraffic not found (set CF_REALTRAFFIC to its path)")
                    continue
                ds = real_dataset(name, shared, work)
            else:
                ds = cfgen_dataset(name, work)
            findings, secs, _ = run_hunt(Path(args.extension), ds.logs, Path(args.macros) if args.macros else None)
            res = evaluate(ds, findings)
            con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
            con.execute(f"LOAD '{args.extension}'")
            lo, hi = con.execute(f"SELECT epoch(min(timestamp)), epoch(max(timestamp)) FROM read_cloudfront('{ds.logs}/*.gz')").fetchone()
            res["days"] = (hi - lo) / 86400
            print_dataset(res, findings, args.show, res["days"], secs)
            results.append(res)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print_summary(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
