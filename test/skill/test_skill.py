"""skills/cloudfront-analyst/SKILL.md, executed: every fenced `bash` and `sql` block, in document
order, against a generated sample day (cfgen, with its ground truth), as an analyst following the
skill would run them.

- `bash` blocks run each in a fresh `bash -euo pipefail` (so none relies on another's variables);
- `sql` blocks run through `cfcase sql <CASE> "<heading>"`, as the skill says, in the DuckDB 1.5.6
  shell with the extension loaded (-unsigned);
- `bash local` / `bash s3` run only in the local or the S3 pass; other languages (`text`) never;
- placeholders (`<LOGS>`, `<CASE>`, ...) are replaced by the day's values; `<IP>` by a high
  finding's address read from the case database when the first block needing it runs. A block
  left with a placeholder, or failing, fails the test.

Two passes: the day on local disk (whole day), and the same day in a loopback S3 bucket (moto)
with a two-hour window. The assertions compare with cfgen's truth.json and with the local files,
never with numbers copied from our own output.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import s3_loopback

ROOT = Path(__file__).resolve().parents[2]
SKILL_DIR = ROOT / "skills" / "cloudfront-analyst"
SKILL = SKILL_DIR / "SKILL.md"
CFCASE = SKILL_DIR / "scripts" / "cfcase"
EXT = str(Path(os.environ.get("CLOUDFRONT_EXTENSION", ROOT / "build/release/cloudfront.duckdb_extension")).resolve())
SHELL = str(Path(os.environ.get("DUCKDB_SHELL", ROOT / ".venv/bin/duckdb")).absolute())
CFGEN = ROOT / "target/release/cfgen"
SEED, LINES = 7, 40000  # the size test/report uses: a quiet site where every threat keeps its minimum size
PLACEHOLDER = re.compile(r"<[A-Z][A-Z_]*>")
SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}


@dataclass
class Block:
    lang: str
    tags: list[str]
    code: str
    heading: str
    line: int


def blocks(markdown: str) -> list[Block]:
    """The fenced code blocks with their info string and the nearest heading above them."""
    out: list[Block] = []
    heading, fence, buf, start = "", None, [], 0
    for n, line in enumerate(markdown.splitlines(), 1):
        if fence is None:
            if line.startswith("```"):
                fence, buf, start = line[3:].split(), [], n
            elif line.startswith("#"):
                heading = line.lstrip("#").strip()
        elif line.startswith("```"):
            out.append(Block(fence[0] if fence else "", fence[1:], "\n".join(buf) + "\n", heading, start))
            fence = None
        else:
            buf.append(line)
    assert fence is None, "SKILL.md has an unclosed code fence"
    return out


def shell_sql(db: Path, sql: str) -> str:
    r = subprocess.run([SHELL, "-unsigned", "-bail", "-list", "-noheader", str(db)],
                       input=f".output /dev/null\nLOAD '{EXT}';\n.output\n{sql}", capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout


@dataclass
class Run:
    case: Path
    ran: list[tuple[Block, str]]  # (block, the code as run)
    fetched_by_block: dict[int, dict[str, int]]

    @property
    def log(self) -> Path:
        logs = list(self.case.glob("analyst_log-*.md"))
        assert len(logs) == 1, logs
        return logs[0]


def run_skill(pass_name: str, subs: dict[str, str], env: dict[str, str], workdir: Path, server=None) -> Run:
    case = Path(subs["<CASE>"])
    subs = dict(subs)
    ran, fetched = [], {}
    for b in blocks(SKILL.read_text()):
        if b.lang not in ("bash", "sql") or (b.tags and pass_name not in b.tags):
            continue
        code = b.code
        if "<IP>" in code and "<IP>" not in subs:
            # The analyst picks a client from the findings: the most severe 'ip' finding.
            ip = shell_sql(case / "analysis.db", "SELECT entity FROM findings WHERE entity_type = 'ip' ORDER BY "
                           "CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, requests DESC, entity LIMIT 1;").strip()
            assert ip, "no 'ip' finding to drill into"
            subs["<IP>"] = ip
            subs["<CONCLUSION>"] = "drill-down reviewed (written by test_skill.py)"
        for k, v in subs.items():
            code = code.replace(k, v)
        left = PLACEHOLDER.findall(code)
        assert not left, f"SKILL.md line {b.line} ({b.heading}): placeholder(s) {left} not documented in the table"
        mark = server.mark() if server else None
        if b.lang == "bash":
            r = subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=workdir, env=env,
                               capture_output=True, text=True, timeout=900)
        else:
            r = subprocess.run([str(CFCASE), "sql", str(case), b.heading], input=code, cwd=workdir, env=env,
                               capture_output=True, text=True, timeout=900)
        assert r.returncode == 0, (f"SKILL.md line {b.line} ({b.heading}, {pass_name}) failed:\n{code}\n"
                                   f"stdout: {r.stdout[-3000:]}\nstderr: {r.stderr[-3000:]}")
        if server:
            fetched[b.line] = server.fetched(mark)
        ran.append((b, code))
    return Run(case, ran, fetched)


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    if not CFGEN.exists():
        pytest.fail("target/release/cfgen is missing: run `make cfgen`")
    out = tmp_path_factory.mktemp("day")
    subprocess.run([str(CFGEN), "--out", str(out), "--lines", str(LINES), "--seed", str(SEED)], check=True, capture_output=True)
    return out, json.loads((out / "truth.json").read_text())


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in ("CLOUDFRONT_HTTPFS", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env["PATH"] = f"{Path(SHELL).parent}{os.pathsep}{env.get('PATH', '')}"
    env["DUCKDB"] = SHELL
    return env


def substitutions(case: Path, logs: str, since: str, until: str) -> dict[str, str]:
    return {"<SKILL>": str(SKILL_DIR), "<REPO>": str(ROOT), "<EXTENSION>": EXT, "<CASE>": str(case),
            "<LOGS>": logs, "<SINCE>": since, "<UNTIL>": until}


def findings(db: Path) -> list[dict]:
    out = shell_sql(db, "COPY (SELECT severity, entity_type, entity, members, hunts FROM findings) TO '/dev/stdout' (FORMAT json);")
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def common_checks(run: Run) -> None:
    """What holds in both passes: the log is named as the skill says and holds every SQL block as
    run and every note; the case holds the report and the blocklists."""
    assert re.fullmatch(r"analyst_log-\d\d-\d\d-\d\d-\d\d-\d\d\.md", run.log.name), run.log.name
    text = run.log.read_text()
    sql_run = [code for b, code in run.ran if b.lang == "sql"]
    assert len(sql_run) >= 10
    for code in sql_run:
        assert code.strip() in text, f"the analyst log lacks a command that ran:\n{code}"
    notes = sum(code.count("cfcase note") for b, code in run.ran if b.lang == "bash")
    assert text.count("**Finding** (") == notes >= 3
    assert "**Failed**" not in text
    report = run.case / "report.html"
    assert report.stat().st_size > 100_000 and "<html" in report.read_text()[:2000].lower()
    assert (run.case / "make-hunt" / "analysis.db").exists() and (run.case / "make-hunt" / "report.html").exists()
    for v in (4, 6):
        addresses = json.loads((run.case / f"blocklist-ipv{v}.json").read_text())["Addresses"]
        assert isinstance(addresses, list)
        assert all(("." in a) == (v == 4) and "/" in a for a in addresses), addresses


def test_skill_on_a_local_day(day, tmp_path):
    logs_dir, truth = day
    case = tmp_path / "case"
    run = run_skill("local", substitutions(case, f"{logs_dir}/*.gz", "NULL", "NULL"), base_env(), tmp_path)
    common_checks(run)
    db = case / "analysis.db"
    assert int(shell_sql(db, "SELECT count(*) FROM events;")) == truth["lines"]

    # The injected threats, from truth.json, are among the findings at medium or above.
    rows = [f for f in findings(db) if SEVERITY_RANK[f["severity"]] <= 1]
    flagged_ips = {m for f in rows for m in (f["members"] or [])} | {f["entity"] for f in rows if f["entity_type"] == "ip"}
    threats = truth["threats"]
    expect_ips = {t["ips"][0] for t in threats if t["threat"] == "waf_bypass" or (t["threat"] == "ddos" and t.get("phase") == "flood")}
    expect_ips |= {t["ips"][0] for t in threats if t["threat"] == "payload_attacks"
                   and t["details"]["outcome"] in ("through", "blocked_then_through")}
    assert len(expect_ips) >= 5
    assert expect_ips <= flagged_ips, f"missed: {expect_ips - flagged_ips}"
    geo = next(t for t in threats if t["threat"] == "geo_spike")["details"]["new_edge_location"][:3]
    assert geo in {f["entity"] for f in rows if f["entity_type"] == "edge_location"}
    busted = set(next(t for t in threats if t["threat"] == "cache_busting")["paths"])
    assert busted & {f["entity"] for f in rows if f["entity_type"] == "path"}

    # The blocklist (high only): every WAF bypass and payload-through client, no verified crawler.
    blocked = set(json.loads((case / "blocklist-ipv4.json").read_text())["Addresses"])
    through = {t["ips"][0] for t in threats if t["threat"] in ("waf_bypass",) or
               (t["threat"] == "payload_attacks" and t["details"]["outcome"] == "through")}
    assert {f"{ip}/32" for ip in through} <= blocked
    crawlers = {ip for b in truth["benign"] if b["threat"] == "verified_crawlers" for ip in b["ips"]}
    assert crawlers and not {f"{ip}/32" for ip in crawlers} & blocked

    # The drill-down ran on a real finding's client and its rows are in the log.
    text = run.log.read_text()
    ip = next(code for b, code in run.ran if "WHERE c_ip = '" in code).split("WHERE c_ip = '")[1].split("'")[0]
    assert ip in flagged_ips and f"{ip}: drill-down reviewed (written by test_skill.py)" in text
    # The scraper is in the individual hunts' output (cf_scrapers), logged.
    scraper = next(t for t in threats if t["threat"] == "scraper")
    section = next(sec for sec in text.split("\n## ") if "FROM cloudfront.cf_scrapers('events')" in sec)
    assert any(a in section.split("```text", 1)[1] for a in scraper["ips"])


def test_skill_on_s3_with_a_window(server, day, tmp_path):
    logs_dir, truth = day
    prefix = "skill/AWSLogs/123456789012/CloudFront"
    files = sorted(logs_dir.glob("*.gz"))
    for f in files:
        server.s3.upload_file(str(f), s3_loopback.BUCKET, f"{prefix}/{f.name}")
    since, until = "2026-11-20 10:00:00+00", "2026-11-20 12:00:00+00"
    case = tmp_path / "case"
    env = {**base_env(), **server.env()}
    subs = substitutions(case, f"s3://{s3_loopback.BUCKET}/{prefix}/*.gz", f"TIMESTAMPTZ '{since}'", f"TIMESTAMPTZ '{until}'")
    run = run_skill("s3", subs, env, tmp_path, server)
    common_checks(run)
    db = case / "analysis.db"
    expected = s3_loopback.local_count(files, f"timestamp >= TIMESTAMPTZ '{since}' AND timestamp < TIMESTAMPTZ '{until}'")
    assert expected > 0
    assert int(shell_sql(db, "SELECT count(*) FROM events;")) == expected

    # The ingest fetched exactly the two objects whose names hold hours 10 and 11.
    ingest = next(b for b, _ in run.ran if b.heading.startswith("3.") and b.lang == "sql")
    got = {k.rsplit("/", 1)[-1] for k in run.fetched_by_block[ingest.line] if k.startswith(prefix)}
    assert got == {f.name for f in files if f.name.split(".")[1][-2:] in ("10", "11")}, got
    # The dry run (step 2) fetched none.
    dry = next(b for b, _ in run.ran if b.heading.startswith("2.") and b.lang == "sql")
    assert not [k for k in run.fetched_by_block[dry.line] if k.startswith(prefix) and k.endswith(".gz")]

    # Credentials stay out of the case directory.
    for p in case.rglob("*"):
        if p.is_file() and p.suffix in (".md", ".sql", ".json", ".html"):
            assert server.secret not in p.read_text(errors="replace"), p
