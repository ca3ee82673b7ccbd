"""make hunt's report.html, opened in a real browser.

scripts/hunt.py (what `make hunt` runs) hunts through a small generated day and writes
OUT/report.html; Debian's headless Chromium, driven by playwright-core (observe.mjs), loads it
from disk and reports what it saw. The test asserts that every chart painted a canvas, that
nothing was logged as an error, that no network request was attempted, that the findings table
and the shaded windows match the database, and that hostile log content stays text. A full-page
screenshot is kept in test-artifacts/report.png (gitignored).

Chromium is installed by `make test` (target ensure-chromium) when missing and possible; when it
is missing anyway the browser tests skip with the reason, except under CI (CI=true), where they fail.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "scripts"))
import report  # noqa: E402

EXT = os.environ.get("CLOUDFRONT_EXTENSION", str(ROOT / "build/release/cloudfront.duckdb_extension"))
ENV = {**os.environ, "CLOUDFRONT_EXTENSION": EXT,
       "DUCKDB_SHELL": os.environ.get("DUCKDB_SHELL", str(ROOT / ".venv/bin/duckdb"))}
CFGEN = ROOT / "target/release/cfgen"
ARTIFACTS = ROOT / "test-artifacts"
CHART_IDS = {"chart-hunts", "chart-timeline", "chart-lanes", "chart-talkers", "chart-map", "chart-edges"}
SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}


def chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        reason = ("Debian's chromium is not installed (make test installs it with apt-get when run as root; "
                  "otherwise: apt-get install -y chromium), so the report's browser test cannot run")
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def playwright() -> Path:
    if not shutil.which("npm"):
        pytest.fail("node and npm are needed to drive the browser (playwright-core, test/report/package-lock.json)")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True,
                   capture_output=True)
    return HERE / "observe.mjs"


def observe(playwright: Path, html: Path, screenshot: Path) -> dict:
    r = subprocess.run(["node", str(playwright), str(html), str(screenshot)], capture_output=True, text=True,
                       env={**os.environ, "CHROMIUM": chromium()}, timeout=180)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def hunted(tmp_path_factory) -> Path:
    """OUT of `hunt.py --logs <a generated day>`: analysis.db, the analyst log and report.html."""
    if not CFGEN.exists():
        pytest.fail("target/release/cfgen is missing: run `make cfgen`")
    if not report.LIBRARIES["echarts"].exists():
        pytest.fail("the report's assets are not installed: run `make report-assets`")
    logs = tmp_path_factory.mktemp("logs")
    subprocess.run([str(CFGEN), "--out", str(logs), "--lines", "40000", "--seed", "7"], check=True, capture_output=True)
    out = tmp_path_factory.mktemp("out")
    r = subprocess.run([sys.executable, str(ROOT / "scripts/hunt.py"), "--logs", str(logs / "*.gz"), "--out", str(out)],
                       capture_output=True, text=True, env=ENV)
    assert r.returncode == 0, r.stderr
    assert "report.html" in r.stdout
    return out


def db_findings(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT severity, hunt, entity, epoch_ms(first_seen), epoch_ms(last_seen) FROM findings").fetchall()
    finally:
        con.close()


def analyst_log_queries(out: Path) -> list[str]:
    text = next(out.glob("analyst_log-*.md")).read_text()
    return [line.strip() for line in text.split("## Drilling into each finding", 1)[1].splitlines()
            if line.strip().startswith("SELECT * FROM events")]


def test_report_is_one_self_contained_file(hunted):
    html = (hunted / "report.html").read_text()
    # Nothing is fetched: no external script, stylesheet, image, font or frame in the markup (the
    # inlined scripts' own text is left out of this look), and a policy that forbids it anyway.
    markup = re.sub(r"(<script\b[^>]*>).*?</script>", r"\1</script>", html, flags=re.S | re.I)
    assert markup.count("<script") == 5  # ECharts, topojson-client, the map, the data, report.js
    assert not re.search(r"""<(script|img|iframe|link|source|embed|object)\b[^>]*\b(src|href|data)\s*=""", markup, re.I)
    assert not re.search(r"""url\(\s*['"]?(https?:)?//""", markup, re.I)
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src &#x27;none&#x27;" in csp and "connect-src &#x27;none&#x27;" in csp
    # The charting library and the map are inlined (ECharts announces its version in the bundle).
    assert "echarts" in html and '"countries"' in html
    assert len(html) > 500_000


def test_report_renders_in_headless_chromium(hunted, playwright):
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    seen = observe(playwright, hunted / "report.html", shot)

    assert seen["consoleErrors"] == [] and seen["pageErrors"] == [] and seen["csp"] == []
    assert seen["requests"] == [] and seen["failedRequests"] == []
    assert seen.get("readyTimeout") is None
    assert set(seen["charts"]) == CHART_IDS
    assert seen["ready"] == str(len(CHART_IDS))
    for chart_id, c in seen["charts"].items():
        assert c["canvases"] >= 1 and c["width"] > 100 and c["height"] > 80, chart_id
        # A blank canvas has one colour; bars, lines, land and labels paint dozens.
        assert c["colours"] >= 20, (chart_id, c["colours"])

    con = duckdb.connect(str(hunted / "analysis.db"), read_only=True, config={"allow_unsigned_extensions": "true"})
    con.execute(f"LOAD '{EXT}'")
    minutes, ips, located = con.execute("""
        SELECT (floor(epoch(max(timestamp)) / 60) - floor(epoch(min(timestamp)) / 60) + 1)::BIGINT, count(DISTINCT c_ip),
               (SELECT count(DISTINCT edge_location(x_edge_location).code) FILTER (WHERE edge_location(x_edge_location).latitude IS NOT NULL)
                FROM events)
        FROM events""").fetchone()
    con.close()
    # One point per minute from the first to the last request (empty minutes are zeros), three series.
    assert seen["charts"]["chart-timeline"]["seriesPoints"][:3] == [minutes] * 3
    assert seen["charts"]["chart-talkers"]["seriesPoints"] == [min(report.TOP_TALKERS, ips)]
    assert seen["charts"]["chart-map"]["seriesPoints"] == [located]

    # The findings, most severe first, as in the database, with the analyst log's drill-down queries.
    findings = db_findings(hunted / "analysis.db")
    rows = seen["findingsRows"]
    assert len(rows) == len(findings) > 0
    ranks = [SEVERITY_RANK[r["severity"]] for r in rows]
    assert ranks == sorted(ranks)
    assert sorted((r["severity"], r["hunt"], r["entity"]) for r in rows) == sorted((f[0], f[1], f[2]) for f in findings)
    assert sorted(r["sql"] for r in rows) == sorted(analyst_log_queries(hunted))

    # Every finding's window is shaded by a band of its severity.
    for sev, hunt, entity, first, last in findings:
        assert any(b["severity"] == sev and b["start"] <= first and b["end"] >= last for b in seen["bands"]), (hunt, entity)

    # "timeline" on the first finding selects its window and zooms around it.
    first_row = next(f for f in findings if (f[0], f[1], f[2]) == (rows[0]["severity"], rows[0]["hunt"], rows[0]["entity"]))
    z = seen["zoomAfterClick"]
    assert z["selected"][0][0]["xAxis"] == first_row[3]
    assert z["startValue"] < first_row[3] and z["endValue"] > first_row[4]

    assert shot.stat().st_size > 50_000


def test_hostile_log_content_stays_text(hunted, playwright, tmp_path):
    """Attacker-controlled strings (paths, agents, query strings end up in entity and evidence)
    are shown, never run; a column added to the findings does not disturb the report."""
    db = tmp_path / "analysis.db"
    shutil.copyfile(hunted / "analysis.db", db)
    payload_entity = "</script><script>window.__pwned = 1</script>"
    payload_evidence = '<img src=x onerror="window.__pwned = 2"> \u2028 & "quotes" </details>'
    con = duckdb.connect(str(db))
    con.execute("CREATE OR REPLACE TABLE findings AS SELECT *, 7 AS campaign_size FROM findings")
    con.execute("INSERT INTO findings BY NAME SELECT 'cf_scanners' AS hunt, 'high' AS severity, 'path' AS entity_type, "
                "? AS entity, min(timestamp) AS first_seen, max(timestamp) AS last_seen, 1 AS requests, ? AS evidence FROM events",
                [payload_entity, payload_evidence])
    con.close()
    out = tmp_path / "report.html"
    r = subprocess.run([sys.executable, str(ROOT / "scripts/report.py"), str(db), "-o", str(out)],
                       capture_output=True, text=True, env=ENV)
    assert r.returncode == 0, r.stderr
    seen = observe(playwright, out, tmp_path / "hostile.png")
    assert seen["pwned"] is None and seen["injectedElements"] == 0
    assert seen["consoleErrors"] == [] and seen["pageErrors"] == [] and seen["requests"] == []
    assert payload_entity in [r["entity"] for r in seen["findingsRows"]]
    assert seen["ready"] == str(len(CHART_IDS))


def make_events_db(path: Path) -> None:
    """A database holding `events` only (and no macros: they land in the in-memory default database)."""
    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    con.execute(f"LOAD '{EXT}'")
    con.execute(f"ATTACH '{path}' AS f")
    con.execute("CREATE TABLE f.events AS FROM read_cloudfront(?)", [str(ROOT / "test/data/playbook/waf.log.gz")])
    con.close()


def without_default_playbook(con: duckdb.DuckDBPyConnection) -> None:
    """Drops the macros LOAD installed into the in-memory default database."""
    for (name,) in con.execute("SELECT name FROM cloudfront_playbook()").fetchall():
        con.execute(f"DROP MACRO TABLE IF EXISTS memory.main.{name}")


def test_macros_from_the_cloudfront_catalog(tmp_path):
    """The playbook living in the `cloudfront` catalog LOAD attaches (not in the default
    database) is found qualified; summary and findings are computed when the tables are missing."""
    db = tmp_path / "events.db"
    make_events_db(db)
    con = report.open_database(db, EXT)
    without_default_playbook(con)
    with pytest.raises(duckdb.CatalogException):
        con.execute("FROM cf_top_talkers('hunt.events')")
    data = report.collect(con)
    temp = con.execute("SELECT count(*) FROM duckdb_functions() WHERE database_name = 'temp' AND function_name LIKE 'cf_%'").fetchone()[0]
    con.close()
    assert temp == 0  # the qualified names were used, not a TEMP copy
    # The WAF scenario (test/sql/playbook/cf_hunt.test): six findings, 192.0.2.50's payloads first.
    assert [(f["severity"], f["hunt"], f["entity"]) for f in data["findings"]][:1] == [("high", "cf_attacks", "192.0.2.50")]
    assert len(data["findings"]) == 6
    assert {r["metric"]: r["value"] for r in data["summary"]}["requests"] == str(data["meta"]["rows"])
    assert data["talkers"][0]["c_ip"] == "192.0.2.50"


def test_without_any_installed_playbook_temp_macros_are_used(tmp_path):
    db = tmp_path / "events.db"
    make_events_db(db)
    con = report.open_database(db, EXT)
    without_default_playbook(con)
    con.execute("DETACH cloudfront")  # nor in the catalog LOAD attaches
    data = report.collect(con)
    temp = con.execute("SELECT count(*) FROM duckdb_functions() WHERE database_name = 'temp' AND function_name = 'cf_hunt'").fetchone()[0]
    con.close()
    assert temp == 1
    assert len(data["findings"]) == 6 and data["talkers"][0]["c_ip"] == "192.0.2.50"


def test_missing_database_is_a_clear_error(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "scripts/report.py"), str(tmp_path / "nope.db")],
                       capture_output=True, text=True, env=ENV)
    assert r.returncode == 2 and "no database at" in r.stderr
