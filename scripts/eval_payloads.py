#!/usr/bin/env python3
"""`make eval-payloads`: attack_types() on labelled requests, built as CloudFront would log them.

Data: payloads/dev.jsonl.gz of the shared realtraffic folder ($CF_REALTRAFFIC, else
../shared/realtraffic next to the repository, else next to the main checkout of this worktree);
skipped with a message when absent. Nothing from it is written into the repository.

- HttpParamsDataset: each parameter value becomes `GET /search?q=<value>` with the value
  form-encoded by the client as a browser does (WHATWG application/x-www-form-urlencoded: space
  as "+", every byte but A-Z a-z 0-9 * - . _ as %XX), then CloudFront's escaping of the logged
  stem and query, taken from the folder's own to_cloudfront.py (imported, not copied).
- CSIC 2010: the records' cf_uri_stem / cf_uri_query (already escaped as CloudFront logs them)
  and the User-Agent header, escaped the same way and decoded by url_decode_cf(ua, 2) as
  read_cloudfront decodes it. POST/PUT bodies are invisible in a CloudFront log: attack recall is
  measured on GET requests; the false-positive rate on all normal requests (what their log lines
  show), deduplicated on key_sha256.

Reported: recall per HttpParams family (the expected family in the result: sqli, xss,
cmdi -> cmd_injection, path-traversal -> path_traversal) and for any family; the false-positive
rate (any family on a normal request) per source; CSIC attack recall (any family) on GET requests,
whose "attack" class also holds merely malformed requests. `--show N` prints N examples of each
miss and false positive.

A second HttpParams recall, "on intact payloads", leaves out the records whose text shows damage
done by the data set itself (see `damage()`: decided from the value alone, never from our result),
and says how many records each reason removed and how many of those were detected anyway.
"""
from __future__ import annotations

import argparse
import collections
import gzip
import importlib.util
import json
import os
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import realtraffic  # noqa: E402  (the realtraffic folder is found one way for every script)

ROOT = Path(__file__).resolve().parent.parent
EXT = os.environ.get("CLOUDFRONT_EXTENSION", str(ROOT / "build/release/cloudfront.duckdb_extension"))

EXPECTED = {"sqli": "sqli", "xss": "xss", "cmdi": "cmd_injection", "path-traversal": "path_traversal"}
TARGET_RECALL = 0.95
TARGET_FP = 0.005


# Damage the HttpParamsDataset's values show, each a signature in the value's own text (the
# source's payload_full.csv: values from FuzzDB lists, lower-cased, some backslashes lost, some rows
# merged by its CSV quoting). A damaged value no longer carries the payload its tool wrote, so no
# detector can be asked to find it; `damage()` returns the first reason that applies, or None.
DAMAGE = [
    # The next record's CSV columns (",<length>,<type>,<label>) inside a value: two rows merged by
    # a quote the CSV writer did not escape.
    ("csv rows merged", re.compile(r'",\d+,(?:sqli|xss|cmdi|path-traversal),(?:anom|norm)\b')),
    # A FuzzDB line written for pasting into a URL ("+" for a space) next to a shell operator, with
    # no real space: a browser sends that "+" as %2B, so the server reads a literal plus, and
    # "+|+dir+c:" runs nothing.
    ("already URL-encoded", re.compile(r'^[^ ]*(?:\+[|;&]|[|;&]\+)[^ ]*$')),
    # FuzzDB's {FILE} placeholder, left unsubstituted, after a dot or a letter that cannot end an
    # encoded separator (FuzzDB always puts "/", "\" or an encoded separator before it), or after
    # slashes only: the separators and dots before it were lost (backslashes, non-ASCII spellings).
    ("template separator lost", re.compile(r'[.g-z]\{file\}|^/*\{file\}$', re.I)),
    # Windows and Unix paths whose backslashes were lost: dot runs glued to a name (..\..\etc ->
    # ....etc), a drive letter glued to a name (c:\inetpub -> c:inetpub), well-known paths glued.
    ("path separator lost", re.compile(r'\.{3,}[a-z0-9]|(?:^|[^a-z0-9])c:[a-z]|web-infweb|etcpasswd|inetpubwwwroot', re.I)),
    # Letters and digits only: no syntax of any attack family is left.
    ("no attack syntax", re.compile(r'^[a-z0-9]+$', re.I)),
]


def damage(value: str) -> str | None:
    """Why an HttpParams value is not an intact payload, or None (see DAMAGE)."""
    return next((why for why, rx in DAMAGE if rx.search(value)), None)


def shared_dir() -> Path | None:
    """The realtraffic folder with the labelled payloads, or None when it is not on this machine."""
    c = realtraffic.shared_dir()
    return c if c is not None and (c / "payloads" / "dev.jsonl.gz").exists() else None


def cloudfront_escaping(shared: Path):
    """cf_encode from the folder's to_cloudfront.py: bytes -> the text CloudFront logs ('-' if empty)."""
    spec = importlib.util.spec_from_file_location("to_cloudfront", shared / "to_cloudfront.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.cf_encode


_FORM_SAFE = set(b"*-._0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def form_encode(value: str) -> str:
    """A browser's application/x-www-form-urlencoded serialisation of one value (UTF-8)."""
    out = []
    for b in value.encode("utf-8"):
        if b in _FORM_SAFE:
            out.append(chr(b))
        elif b == 0x20:
            out.append("+")
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def logged(text: str | None) -> str | None:
    """read_cloudfront reads '-' as NULL."""
    return None if text in (None, "", "-") else text


def build_rows(shared: Path) -> list[dict]:
    cf_encode = cloudfront_escaping(shared)
    rows = []
    with gzip.open(shared / "payloads" / "dev.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["source"] == "httpparams":
                query = "q=" + form_encode(r["payload"])
                rows.append(dict(id=r["id"], source="httpparams", label=r["label"], attack_type=r["attack_type"],
                                 method="GET", key=r["key_sha256"], value=r["payload"],
                                 stem=cf_encode(b"/search"), query=logged(cf_encode(query.encode("ascii"))), ua=None))
            else:
                ua = next((v for k, v in r["headers"] if k.lower() == "user-agent"), "")
                rows.append(dict(id=r["id"], source="csic2010", label=r["label"], attack_type=None,
                                 method=r["method"], key=r["key_sha256"], value=r["request_line"],
                                 stem=logged(r["cf_uri_stem"]), query=logged(r["cf_uri_query"]),
                                 ua=logged(cf_encode(ua.encode("latin-1", "replace")))))
    return rows


def classify(rows: list[dict]) -> list[dict]:
    import duckdb
    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    con.execute(f"LOAD '{EXT}'")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for i, r in enumerate(rows):
                f.write(json.dumps({"i": i, "stem": r["stem"], "query": r["query"], "ua": r["ua"]}) + "\n")
        result = con.execute(
            "SELECT i, attack_types(stem, query, NULL, url_decode_cf(ua, 2)) FROM read_json(?, "
            "columns = {i: 'INTEGER', stem: 'VARCHAR', query: 'VARCHAR', ua: 'VARCHAR'}, format = 'newline_delimited')",
            [str(path)]).fetchall()
    for i, fam in result:
        rows[i]["families"] = fam
    return rows


def dedupe(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for r in rows:
        if r["key"] not in seen:
            seen.add(r["key"])
            out.append(r)
    return out


def rate(hits: int, n: int) -> str:
    return f"{hits}/{n} = {hits / n:.4f}" if n else "0/0"


def show(title: str, rows: list[dict], n: int) -> None:
    if n <= 0 or not rows:
        return
    print(f"    {title} ({len(rows)}), first {min(n, len(rows))}:")
    for r in rows[:n]:
        fam = ",".join(r["families"]) or "-"
        why = damage(r["value"]) if r["source"] == "httpparams" and r["label"] == "attack" else None
        v = r["value"] if len(r["value"]) <= 160 else r["value"][:100] + " ... " + r["value"][-50:]
        print(f"      [{fam}] {v!r}" + (f"  (damaged: {why})" if why else ""))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", type=int, default=5, help="examples of each miss and false positive to print")
    args = ap.parse_args()
    shared = shared_dir()
    if shared is None:
        print("eval-payloads: skipped, ../shared/realtraffic/payloads not found (set CF_REALTRAFFIC to the realtraffic folder)")
        return 0
    rows = classify(build_rows(shared))
    print(f"attack_types() on {shared / 'payloads' / 'dev.jsonl.gz'} ({len(rows)} records), extension {EXT}")

    hp = [r for r in rows if r["source"] == "httpparams"]
    print("\n== HttpParamsDataset (GET /search?q=<value>, form-encoded by the client, CloudFront's escaping)")
    print(f"  {'family':16} {'records':>8} {'recall (expected family)':>28} {'recall (any family)':>24}  target")
    met = True
    for label, fam in EXPECTED.items():
        sub = [r for r in hp if r["attack_type"] == label]
        found = [r for r in sub if fam in r["families"]]
        anyf = [r for r in sub if r["families"]]
        ok = len(found) / len(sub) >= TARGET_RECALL if sub else False
        met &= ok
        print(f"  {label + ' -> ' + fam:16.16} {len(sub):8} {rate(len(found), len(sub)):>28} {rate(len(anyf), len(sub)):>24}  "
              f"{'met' if ok else 'MISSED'} (>= {TARGET_RECALL})")
    met_intact = True
    print(f"  on intact payloads (records whose text shows damage done by the data set left out, see damage()):")
    for label, fam in EXPECTED.items():
        sub = [r for r in hp if r["attack_type"] == label]
        intact = [r for r in sub if damage(r["value"]) is None]
        found = [r for r in intact if fam in r["families"]]
        left_out = [r for r in sub if damage(r["value"]) is not None]
        reasons = collections.Counter(damage(r["value"]) for r in left_out)
        ok = len(found) / len(intact) >= TARGET_RECALL if intact else False
        met_intact &= ok
        print(f"  {label + ' -> ' + fam:16.16} {len(intact):8} {rate(len(found), len(intact)):>28} {'':>24}  "
              f"{'met' if ok else 'MISSED'} (>= {TARGET_RECALL}); left out {len(left_out)} "
              f"({sum(1 for r in left_out if fam in r['families'])} of them detected anyway): {dict(reasons)}")
    attacks = [r for r in hp if r["label"] == "attack"]
    print(f"  {'all attacks':16} {len(attacks):8} {'':>28} {rate(sum(1 for r in attacks if r['families']), len(attacks)):>24}")
    for label, fam in EXPECTED.items():
        show(f"{label} missed", [r for r in hp if r["attack_type"] == label and fam not in r["families"]], args.show)
        missed = [r for r in hp if r["attack_type"] == label and fam not in r["families"]]
        if any(damage(r["value"]) for r in missed):
            intact_missed = [r for r in missed if damage(r["value"]) is None]
            show(f"{label} missed among intact payloads", intact_missed, args.show)
            if not intact_missed:
                print(f"    {label} missed among intact payloads: none")
    normal = [r for r in hp if r["label"] == "normal"]
    fp = [r for r in normal if r["families"]]
    ok = len(fp) / len(normal) <= TARGET_FP
    met &= ok
    print(f"  false positives on normal values: {rate(len(fp), len(normal))}  {'met' if ok else 'MISSED'} (<= {TARGET_FP})")
    print(f"    by family: {dict(collections.Counter(f for r in fp for f in r['families']))}")
    show("false positives", fp, args.show)

    cs = [r for r in rows if r["source"] == "csic2010"]
    print("\n== CSIC 2010 (cf_uri_stem, cf_uri_query and User-Agent as CloudFront logs them; deduplicated on key_sha256)")
    normal = dedupe([r for r in cs if r["label"] == "normal"])
    fp = [r for r in normal if r["families"]]
    ok = len(fp) / len(normal) <= TARGET_FP
    met &= ok
    print(f"  false positives on normal requests (all methods): {rate(len(fp), len(normal))}  {'met' if ok else 'MISSED'} (<= {TARGET_FP})")
    get_normal = [r for r in normal if r["method"] == "GET"]
    print(f"  false positives on normal GET requests: {rate(sum(1 for r in get_normal if r['families']), len(get_normal))}")
    print(f"    by family: {dict(collections.Counter(f for r in fp for f in r['families']))}")
    show("false positives", fp, args.show)
    att = dedupe([r for r in cs if r["label"] == "attack" and r["method"] == "GET"])
    hit = [r for r in att if r["families"]]
    print(f"  attack recall (any family) on GET requests: {rate(len(hit), len(att))} "
          "(the attack class includes merely malformed requests: no target)")
    print(f"    by family: {dict(collections.Counter(f for r in hit for f in r['families']))}")
    show("attacks with no family", [r for r in att if not r["families"]], args.show)
    print(f"\ntargets (recall >= {TARGET_RECALL} per HttpParams family, false positives <= {TARGET_FP} per source): "
          f"{'all met' if met else 'NOT all met'}")
    print(f"on intact HttpParams payloads (recall >= {TARGET_RECALL} per family): {'all met' if met_intact else 'NOT all met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
