#!/usr/bin/env python3
"""`make hunt`: from raw CloudFront logs to an analyst's report and a persistent database.

Runs scripts/hunt.sql in the duckdb shell (the same steps a user would type), step by step with
progress, into OUT/analysis.db (events, summary, findings), and writes
OUT/analyst_log-YY-MM-DD-HH-MM.md: what was analysed, every SQL command run, the findings most
severe first with their evidence and a query to drill into each; and OUT/report.html, the same
hunt as a self-contained page with charts (scripts/report.py). With no --logs it generates a
realistic sample day with injected threats (cfgen) and hunts through that.

Nothing half-written is left looking complete: the database is built as analysis.db.partial and
renamed at the end; the report is written last.

Remote logs (s3://...): the shell loads httpfs (`LOAD httpfs`, or the file named by
$CLOUDFRONT_HTTPFS, e.g. the build the duckdb-extension-httpfs package ships) and creates an S3
secret from the standard AWS variables when AWS_ACCESS_KEY_ID is set (AWS_SECRET_ACCESS_KEY,
AWS_SESSION_TOKEN, AWS_REGION or AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL),
else from the credential chain (DuckDB's aws extension). Remote globs are expanded by DuckDB's
own glob() in that shell (read_cloudfront cannot: DuckDB's C API has no glob), then the files
are read as a list. --since/--until read only the files whose names say they can hold requests
of that window, and only those requests.
"""
from __future__ import annotations

import argparse
import datetime as dt
import glob
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from cflake import s3
from cflake.sqltext import sql_list, sql_str

ROOT = Path(__file__).resolve().parent.parent
SHELL = os.environ.get("DUCKDB_SHELL", str(ROOT / ".venv/bin/duckdb"))
EXT = os.environ.get("CLOUDFRONT_EXTENSION", str(ROOT / "build/release/cloudfront.duckdb_extension"))
CFGEN = ROOT / "target/release/cfgen"


def fail(msg: str) -> None:
    print(f"hunt: error: {msg}", file=sys.stderr)
    sys.exit(2)


def has_glob(p: str) -> bool:
    return any(c in p for c in "*?[")


def find_files(patterns: list[str], remote_preamble: str) -> list[str]:
    """Local globs are expanded here; remote globs by DuckDB's glob() in the shell, with the
    secret of the ingest (so the files are counted and named before anything is read)."""
    files: list[str] = []
    for p in patterns:
        if "://" in p:
            if not has_glob(p):
                files.append(p)
                continue
            try:
                out = run_shell(Path(":memory:"), remote_preamble,
                                f"SELECT file FROM glob({sql_str(p)}) ORDER BY file;", "listing")
            except RuntimeError as e:
                fail(f"cannot list LOGS pattern {p!r}: {e}")
            matches = [line for line in out.splitlines() if line.strip()]
            if not matches:
                fail(f"no files match LOGS pattern {p!r}")
            files.extend(matches)
            continue
        matches = sorted(m for m in glob.glob(p, recursive=True) if os.path.isfile(m))
        if not matches:
            fail(f"no files match LOGS pattern {p!r}")
        files.extend(matches)
    return files


def utc_literal(text: str, what: str) -> str:
    """A TIMESTAMPTZ literal for --since/--until; a time without a zone is UTC."""
    t = text.strip()
    try:
        when = dt.datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        fail(f"{what} {text!r} is not a date or time (e.g. 2026-11-20 or '2026-11-20 10:00' or 2026-11-20T10:00:00Z)")
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return f"TIMESTAMPTZ {sql_str(when.astimezone(dt.timezone.utc).strftime('%Y-%m-%d %H:%M:%S.%f+00'))}"


def run_shell(db: Path, preamble: str, sql: str, label: str, mode: list[str] | None = None) -> str:
    """Runs SQL in the duckdb shell; prints that the step is alive every few seconds."""
    args = [SHELL, "-unsigned", "-bail", *(mode or ["-list", "-noheader"]), str(db)]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()
    start = time.perf_counter()

    def heartbeat():
        while not done.wait(3):
            print(f"  ... {label}: {time.perf_counter() - start:.0f} s", flush=True)

    threading.Thread(target=heartbeat, daemon=True).start()
    out, err = proc.communicate(preamble + sql)
    done.set()
    if proc.returncode != 0 or "Error:" in err:
        raise RuntimeError(err.strip() or out.strip())
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--logs", help="path, glob or comma-separated list of CloudFront logs (local or s3://)")
    ap.add_argument("--out", default="hunt-out", help="output directory (default ./hunt-out)")
    ap.add_argument("--sample-lines", type=int, default=300_000, help="size of the generated sample day")
    ap.add_argument("--since", help="only requests at or after this UTC time (e.g. 2026-11-20T10:00)")
    ap.add_argument("--until", help="only requests before this UTC time")
    args = ap.parse_args()
    since = utc_literal(args.since, "--since") if args.since else "NULL"
    until = utc_literal(args.until, "--until") if args.until else "NULL"

    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as e:
        fail(f"cannot write to output directory {out}: {e.strerror or e}")

    if args.logs:
        patterns = [p.strip() for p in args.logs.split(",") if p.strip()]
        source = args.logs
    else:
        sample = out / "sample-logs"
        if not (sample / "truth.json").exists():
            print(f"[1/4] no LOGS given: generating a sample day with injected threats into {sample}", flush=True)
            subprocess.run([str(CFGEN), "--out", str(sample), "--lines", str(args.sample_lines), "--seed", "42"], check=True)
        patterns = [str(sample / "*.gz")]
        source = f"generated sample day ({sample}, seed 42, threats listed in truth.json)"
    any_remote = any("://" in p for p in patterns)
    remote_sql, remote_shown = ((s3.shell_preamble("cloudfront_hunt"), s3.shell_preamble("cloudfront_hunt", shown=True))
                                if any_remote else ("", ""))
    files = find_files(patterns, remote_sql)
    remote = [f for f in files if "://" in f]
    print(f"[1/4] files found: {len(files)}" + (f" (incl. {len(remote)} remote)" if remote else ""), flush=True)

    logs_list = sql_list(files)
    preamble = f"LOAD {sql_str(EXT)};\n" + remote_sql
    shown_preamble = f"LOAD {sql_str(EXT)};\n" + remote_shown
    set_logs = f"SET VARIABLE logs = {logs_list};\nSET VARIABLE since = {since};\nSET VARIABLE until = {until};\n"
    window = ""
    if args.since or args.until:
        listing = run_shell(Path(":memory:"), preamble,
                            f"SELECT count(*) FILTER (WHERE selected), count(*) FROM read_cloudfront_files({logs_list}, "
                            f"since := {since}, until := {until});", "pruning")
        chosen, total = (int(x) for x in listing.strip().split("|"))
        window = f"since {args.since or '-'} until {args.until or '-'}"
        print(f"      window {window}: {chosen} of {total} files can hold requests of it (the rest are not opened)", flush=True)
    # The file's opening comment (up to the first blank line) describes the file, not a step.
    hunt_sql = (ROOT / "scripts/hunt.sql").read_text().split("\n\n", 1)[1]
    steps = [s.strip() + "\n" for s in hunt_sql.split(";") if s.strip() and not all(
        line.strip().startswith("--") or not line.strip() for line in s.strip().splitlines())]

    partial = out / "analysis.db.partial"
    for p in (partial, Path(str(partial) + ".wal")):
        p.unlink(missing_ok=True)
    commands: list[tuple[str, str, float]] = []
    try:
        t0 = time.perf_counter()
        run_shell(partial, preamble + set_logs, steps[0] + ";", "ingesting")
        ingest = time.perf_counter() - t0
        rows = int(run_shell(partial, "", "SELECT count(*) FROM events;", "counting").strip())
        commands.append(("Ingest", steps[0], ingest))
        print(f"[2/4] rows ingested: {rows:,} in {ingest:.1f} s ({rows / max(ingest, 1e-9):,.0f} rows/s)", flush=True)
        if rows == 0:
            fail(f"the logs contain no requests in the window {window}" if window else "the logs contain no request lines")
        for label, step in (("summary", steps[1]), ("hunts", steps[2])):
            t = time.perf_counter()
            run_shell(partial, preamble, step + ";", f"running {label}")
            commands.append((label.capitalize(), step, time.perf_counter() - t))
        n_findings = int(run_shell(partial, "", "SELECT count(*) FROM findings;", "counting").strip())
        print(f"[3/4] hunts run: {n_findings} findings", flush=True)
        range_row = run_shell(partial, "", "SELECT min(timestamp), max(timestamp), count(DISTINCT filename) FROM events;", "range")
        summary_md = run_shell(partial, "", "SELECT metric, value, detail FROM summary ORDER BY ord;", "report", ["-markdown"])
        findings_md = run_shell(partial, "", (
            "SELECT severity, hunt, entity_type, entity, strftime(first_seen, '%Y-%m-%d %H:%M:%S') AS first_seen, "
            "strftime(last_seen, '%Y-%m-%d %H:%M:%S') AS last_seen, requests, evidence FROM findings;"), "report", ["-markdown"])
        findings_json = run_shell(partial, "", "SELECT * FROM findings;", "report", ["-json"])
    except RuntimeError as e:
        for p in (partial, Path(str(partial) + ".wal")):
            p.unlink(missing_ok=True)
        fail(str(e))

    final = out / "analysis.db"
    final.unlink(missing_ok=True)
    Path(str(final) + ".wal").unlink(missing_ok=True)
    shutil.move(partial, final)

    findings = json.loads(findings_json or "[]")
    now = dt.datetime.now(dt.timezone.utc)
    report = out / f"analyst_log-{now:%y-%m-%d-%H-%M}.md"
    first, last, nfiles = (range_row.strip().split("|") + ["", "", ""])[:3]
    lines = [
        f"# Analyst log — CloudFront hunt, {now:%Y-%m-%d %H:%M} UTC", "",
        "## What was analysed", "",
        f"- Source: {source}",
        f"- Files: {len(files)} ({nfiles} with rows)",
        *([f"- Window: {window} (UTC)"] if window else []),
        f"- Time range: {first} to {last} (UTC)",
        f"- Rows: {rows:,}",
        f"- Database: `{final}` (tables `events`, `summary`, `findings`)", "",
        "## Commands run", "",
        "In the `duckdb` shell (`duckdb -unsigned " + str(final) + "`):", "",
        "```sql", shown_preamble.strip(), f"SET VARIABLE logs = [{len(files)} files];",
        f"SET VARIABLE since = {since};", f"SET VARIABLE until = {until};",
    ]
    for name, sql, secs in commands:
        lines += [f"-- {name} ({secs:.1f} s)", sql.strip() + ";"]
    lines += ["```", "", "## Summary", "", summary_md.strip(), "",
              f"## Findings ({len(findings)}, most severe first)", "", findings_md.strip() if findings else "No findings.", "",
              "## Drilling into each finding", ""]
    for i, f in enumerate(findings, 1):
        lines += [f"{i}. **{f['severity']} — {f['hunt']}** on {f['entity_type']} `{f['entity']}`: {f['evidence']}", "",
                  "   ```sql", "   " + drill_query(f), "   ```", ""]
    tmp = report.with_suffix(".md.partial")
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(report)

    html = write_html_report(final, out, source, report.name)
    print(f"[4/4] wrote {final}, {report}" + (f" and {html}" if html else "") + "\n", flush=True)
    print("Top findings:")
    print(run_shell(final, "", "SELECT severity, hunt, entity_type, entity, requests, left(evidence, 70) AS evidence FROM findings LIMIT 15;",
                    "report", ["-box"]))
    return 0


def write_html_report(db: Path, out: Path, source: str, analyst_log: str) -> Path | None:
    """OUT/report.html (scripts/report.py); without its charting assets installed, a warning."""
    import report  # scripts/report.py, next to this file

    try:
        return report.write_report(db, out / "report.html", EXT, source=source, analyst_log=analyst_log)
    except report.AssetsMissing as e:
        print(f"hunt: warning: report.html not written: {e}", file=sys.stderr, flush=True)
        return None


def drill_query(f: dict) -> str:
    """A query that shows the events behind one finding."""
    e = str(f.get("entity", "")).replace("'", "''")
    window = f"timestamp BETWEEN '{f.get('first_seen')}' AND '{f.get('last_seen')}'"
    kind = f.get("entity_type")
    if kind == "ip":
        where = f"c_ip = '{e}'"
    elif kind in ("path", "uri", "stem"):
        where = f"cs_uri_stem = '{e}' AND {window}"
    elif kind == "edge_location":
        where = f"x_edge_location LIKE '{e}%' AND {window}"
    elif kind in ("prefix", "network"):
        where = f"ip_prefix(c_ip, {24 if '.' in e else 64}) = '{e}'"
    else:
        where = window
    return f"SELECT * FROM events WHERE {where} ORDER BY timestamp LIMIT 100;"


if __name__ == "__main__":
    sys.exit(main())
