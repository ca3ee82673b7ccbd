#!/usr/bin/env python3
"""The hunt report: one self-contained HTML page from a hunt's analysis.db.

    python scripts/report.py hunt-out/analysis.db -o hunt-out/report.html

`make hunt` writes it as OUT/report.html. It shows the summary, a timeline of requests and of
4xx/5xx per minute with every finding's window (first_seen..last_seen) shaded and one lane per
hunt, the findings most severe first with the drill-down SQL of the analyst log, the top
talkers, and the edge locations on a world map and a ranked chart.

Self-contained: Apache ECharts, topojson-client and the world-atlas map (pinned in
scripts/report_assets/package-lock.json, installed by `make report-assets`) and our own
report.js/report.css are inlined; the page's Content-Security-Policy forbids every network
request and runs only those scripts (by hash), so log content can neither call out nor execute.
Tables are rendered here (escaped) and read without JavaScript; charts are drawn from an
embedded JSON block.

The database is opened read-only with DuckDB for Python; the extension is loaded for
edge_location() and the playbook macros (cf_top_talkers, and cf_summary/cf_hunt when the hunt's
tables are missing). Columns are selected by name, so hunts may add columns to cf_hunt freely.
"""
from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import html
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

import duckdb

SCRIPTS = Path(__file__).resolve().parent
ROOT = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))
from cflake.sqltext import sql_str  # noqa: E402
from hunt import drill_query  # noqa: E402  (one drill-down query for the log and the report)

ASSETS = SCRIPTS / "report_assets"
MODULES = ASSETS / "node_modules"
# Inlined third-party files, and the licence texts the page carries for them.
LIBRARIES = {
    "echarts": MODULES / "echarts/dist/echarts.min.js",
    "topojson": MODULES / "topojson-client/dist/topojson-client.min.js",
    "world": MODULES / "world-atlas/countries-110m.json",
}
LICENCES = [
    ("Apache ECharts (Apache-2.0)", [MODULES / "echarts/LICENSE", MODULES / "echarts/NOTICE"]),
    ("ZRender, bundled in ECharts (BSD-3-Clause)", [MODULES / "zrender/LICENSE"]),
    ("topojson-client (ISC)", [MODULES / "topojson-client/LICENSE"]),
    ("world-atlas (ISC; map data: Natural Earth, public domain)", [MODULES / "world-atlas/LICENSE"]),
]
SEVERITY_ORDER = "CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END"
MAX_TIMELINE_POINTS = 6000
TOP_TALKERS = 15
HUNT = "hunt"  # the alias under which the hunt's database is attached
EVENTS = f"{HUNT}.events"


class ReportError(RuntimeError):
    """The report cannot be written (the message says why)."""


class AssetsMissing(ReportError):
    """The pinned charting assets are not installed."""


# ----------------------------------------------------------------------------------- database
def open_database(db: Path, extension: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the extension loaded and `db` attached read-only as `hunt`.

    The default database is in-memory so that LOAD can install the playbook however the
    extension does it (into the default database, or an attached `cloudfront` catalog whose
    names resolve unqualified only when the default database is in-memory); a read-only
    instance could not. The hunt's file is never written."""
    if not db.is_file():
        raise ReportError(f"no database at {db}")
    con = duckdb.connect(":memory:", config={"allow_unsigned_extensions": "true"})
    con.execute("SET TimeZone = 'UTC'")
    con.execute("LOAD " + sql_str(extension))
    con.execute(f"ATTACH {sql_str(str(db))} AS {HUNT} (READ_ONLY)")
    return con


def playbook_rows(con: duckdb.DuckDBPyConnection, name: str, sql: str) -> list[dict[str, Any]]:
    """Runs `sql` with `{m}` standing for playbook macro `name`, wherever the extension put the
    playbook: unqualified (the default database or the search path); else qualified with the
    `cloudfront` catalog; else with the macro's catalog added to the search path (so that a macro
    calling other macros, like cf_hunt, finds them too); else after installing the playbook as
    TEMP macros (a database where LOAD could install none)."""
    def attempt(m: str) -> list[dict[str, Any]] | None:
        try:
            return rows(con, sql.format(m=m))
        except duckdb.CatalogException as e:
            if "Function with name" not in str(e):  # some other catalog error, not where the macros are
                raise
            return None

    for m in (name, f"cloudfront.{name}"):
        found = attempt(m)
        if found is not None:
            return found
    where = con.execute("SELECT database_name, schema_name FROM duckdb_functions() WHERE function_name = ? "
                        "AND database_name <> 'temp' ORDER BY database_name = 'cloudfront' DESC LIMIT 1", [name]).fetchone()
    if where:
        path = con.execute("SELECT current_setting('search_path')").fetchone()[0]
        con.execute("SET search_path = " + sql_str(",".join(p for p in (path, f"{where[0]}.{where[1]}") if p)))
        found = attempt(name)
        if found is not None:
            return found
    temp = con.execute("SELECT string_agg(temp_sql, ';\n') FROM cloudfront_playbook()").fetchone()
    if not temp or not temp[0]:
        raise ReportError(f"the playbook macro {name} is not available on this connection")
    con.execute(temp[0])
    return rows(con, sql.format(m=name))


def has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main' "
                            "AND database_name = ?", [table, HUNT]).fetchone()[0])


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def collect(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Everything the page shows, as plain JSON-able values."""
    if not has_table(con, "events"):
        raise ReportError("the database has no `events` table (is it a make hunt analysis.db?)")
    columns = {c for (c,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'events' AND schema_name = 'main' AND database_name = ?",
        [HUNT]).fetchall()}
    meta = rows(con, "SELECT count(*) AS rows, epoch_ms(min(timestamp)) AS first_ms, epoch_ms(max(timestamp)) AS last_ms, "
                     "min(timestamp)::VARCHAR AS first_seen, max(timestamp)::VARCHAR AS last_seen"
                     + (", count(DISTINCT filename) AS files" if "filename" in columns else "") + f" FROM {EVENTS}")[0]

    if has_table(con, "summary"):
        summary = rows(con, f"SELECT metric, value, detail FROM {HUNT}.summary ORDER BY ord")
    else:
        summary = playbook_rows(con, "cf_summary", "SELECT metric, value, detail FROM {m}('" + EVENTS + "') ORDER BY ord")

    findings_sql = f"""
        SELECT hunt, severity, entity_type, entity::VARCHAR AS entity, first_seen::VARCHAR AS first_seen,
               last_seen::VARCHAR AS last_seen, epoch_ms(first_seen) AS first_ms, epoch_ms(last_seen) AS last_ms,
               requests::BIGINT AS requests, evidence
        FROM {{source}}
        ORDER BY {SEVERITY_ORDER}, requests DESC NULLS LAST, hunt, entity"""
    if has_table(con, "findings"):
        findings = rows(con, findings_sql.format(source=f"{HUNT}.findings"))
    else:
        findings = playbook_rows(con, "cf_hunt", findings_sql.format(source="{m}('" + EVENTS + "')"))
    for f in findings:
        f["sql"] = drill_query(f)

    span_min = max(1.0, ((meta["last_ms"] or 0) - (meta["first_ms"] or 0)) / 60000)
    bucket = max(1, math.ceil(span_min / MAX_TIMELINE_POINTS))
    timeline = con.execute(f"""
        WITH b AS (
            SELECT time_bucket(to_minutes(?::BIGINT), timestamp) AS t, count(*) AS n,
                   count(*) FILTER (WHERE sc_status BETWEEN 400 AND 499) AS c4,
                   count(*) FILTER (WHERE sc_status BETWEEN 500 AND 599) AS c5
            FROM {EVENTS} WHERE timestamp IS NOT NULL GROUP BY ALL),
        g AS (SELECT unnest(generate_series(min(t), max(t), to_minutes(?::BIGINT))) AS t FROM b)
        SELECT epoch_ms(g.t), coalesce(n, 0), coalesce(c4, 0), coalesce(c5, 0)
        FROM g LEFT JOIN b USING (t) ORDER BY 1""", [bucket, bucket]).fetchall()

    talkers = playbook_rows(con, "cf_top_talkers", f"""
        SELECT c_ip, requests, share, distinct_uris, bytes_out, error_rate, ua_category
        FROM {{m}}('{EVENTS}', n := {TOP_TALKERS})""")
    edges = rows(con, f"""
        WITH e AS (SELECT x_edge_location AS pop, count(*) AS n,
                          count(*) FILTER (WHERE sc_status >= 400) AS errors
                   FROM {EVENTS} WHERE x_edge_location IS NOT NULL GROUP BY ALL),
             g AS (SELECT *, edge_location(pop) AS loc FROM e)
        SELECT coalesce(loc.code, upper(left(pop, 3))) AS code, any_value(loc.city) AS city,
               any_value(loc.country) AS country, any_value(loc.country_code) AS country_code,
               any_value(loc.latitude) AS lat, any_value(loc.longitude) AS lon,
               sum(n)::BIGINT AS requests, sum(errors)::BIGINT AS errors, count(*) AS pops
        FROM g GROUP BY 1 ORDER BY requests DESC, code""")
    return {"meta": meta, "summary": summary, "findings": findings, "bucket_minutes": bucket,
            "timeline": timeline, "talkers": talkers, "edges": edges}


# ------------------------------------------------------------------------------------- render
def fmt_int(v: Any) -> str:
    return f"{int(v):,}" if v is not None else "–"


def esc(v: Any) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def duration(first_ms: int | None, last_ms: int | None) -> str:
    if first_ms is None or last_ms is None:
        return ""
    s = max(0, (last_ms - first_ms) // 1000)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def short_ts(ts: str | None) -> str:
    """'2026-11-20 17:21:00+00' -> '2026-11-20 17:21:00' (the page says UTC once)."""
    return (ts or "").removesuffix("+00")


def script_tag(code: str, hashes: list[str]) -> str:
    code = code.replace("</script", "<\\/script")
    hashes.append("'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'")
    return f"<script>{code}</script>"


def json_block(element_id: str, value: Any) -> str:
    text = json.dumps(value, separators=(",", ":"), default=str)
    # Inside <script> nothing may close the element or open a comment: escape <, > and &.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def summary_cards(data: dict[str, Any]) -> str:
    s = {r["metric"]: r for r in data["summary"]}
    sev: dict[str, int] = {}
    for f in data["findings"]:
        sev[f["severity"]] = sev.get(f["severity"], 0) + 1

    def card(label: str, value: str, detail: str = "", cls: str = "") -> str:
        return (f'<div class="card {cls}"><div class="label">{esc(label)}</div><div class="value">{esc(value)}</div>'
                f'<div class="detail">{esc(detail)}</div></div>')

    def metric(name: str) -> dict[str, Any]:
        return s.get(name) or {"value": None, "detail": ""}

    ratio = metric("cache_hit_ratio")["value"]
    cards = [
        card("Requests", fmt_int(metric("requests")["value"] or data["meta"]["rows"]), metric("last_seen")["detail"] or ""),
        card("Clients", fmt_int(metric("distinct_clients")["value"]), "distinct c-ip"),
        card("Bytes out", (metric("bytes_out")["detail"] or "").split(" sent")[0], "sent to viewers (sc-bytes)"),
        card("4xx", fmt_int(metric("status_4xx")["value"]), metric("status_4xx")["detail"] or "", "warn"),
        card("5xx", fmt_int(metric("status_5xx")["value"]), metric("status_5xx")["detail"] or "", "bad"),
        card("Cache hit ratio", f"{100 * float(ratio):.1f}%" if ratio not in (None, "") else "–",
             "Hit + RefreshHit of all requests"),
        card("Findings", str(len(data["findings"])),
             " · ".join(f"{sev[k]} {k}" for k in ("high", "medium", "low") if sev.get(k)) or "none", "findings"),
    ]
    return "".join(cards)


def findings_table(findings: list[dict[str, Any]]) -> str:
    if not findings:
        return '<p class="empty">No findings: every hunt of the playbook came back empty.</p>'
    out = ['<table class="findings" id="findings-table"><thead><tr><th>#</th><th>Severity</th><th>Hunt</th>'
           '<th>Entity</th><th>Window (UTC)</th><th class="num">Requests</th><th>Evidence and drill-down</th>'
           '</tr></thead><tbody>']
    for i, f in enumerate(findings):
        sev = esc(f["severity"])
        out.append(
            f'<tr class="finding sev-{sev}" data-index="{i}" data-severity="{sev}" data-hunt="{esc(f["hunt"])}">'
            f'<td class="num">{i + 1}</td><td><span class="badge {sev}">{sev}</span></td>'
            f'<td class="hunt">{esc(f["hunt"])}</td>'
            f'<td class="entity"><span class="etype">{esc(f["entity_type"])}</span> <code>{esc(f["entity"])}</code></td>'
            f'<td class="window">{esc(short_ts(f["first_seen"]))}<br>→ {esc(short_ts(f["last_seen"]))}'
            f'<br><span class="dur">{esc(duration(f["first_ms"], f["last_ms"]))}</span>'
            f'<button type="button" class="zoom" data-index="{i}" title="Show this window on the timeline">timeline ↑</button></td>'
            f'<td class="num">{fmt_int(f["requests"])}</td>'
            f'<td class="evidence">{esc(f["evidence"])}<details><summary>drill-down SQL</summary>'
            f'<pre class="sql"><code>{esc(f["sql"])}</code></pre>'
            f'<button type="button" class="copy" data-index="{i}">copy</button></details></td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def talkers_table(talkers: list[dict[str, Any]], flagged: dict[str, list[str]]) -> str:
    out = ['<table class="compact" id="talkers-table"><thead><tr><th>Client</th><th class="num">Requests</th>'
           '<th class="num">Share</th><th class="num">URIs</th><th class="num">Errors</th><th>Agent</th><th>Flagged by</th>'
           '</tr></thead><tbody>']
    for t in talkers:
        hunts = flagged.get(str(t["c_ip"]), [])
        out.append(
            f'<tr class="{"flagged" if hunts else ""}"><td><code>{esc(t["c_ip"])}</code></td><td class="num">{fmt_int(t["requests"])}</td>'
            f'<td class="num">{100 * (t["share"] or 0):.2f}%</td><td class="num">{fmt_int(t["distinct_uris"])}</td>'
            f'<td class="num">{100 * (t["error_rate"] or 0):.0f}%</td><td>{esc(t["ua_category"])}</td>'
            f'<td>{esc(", ".join(hunts))}</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def edges_table(edges: list[dict[str, Any]], flagged: set[str], total: int) -> str:
    out = ['<table class="compact" id="edges-table"><thead><tr><th>Edge</th><th>City</th><th>Country</th>'
           '<th class="num">Requests</th><th class="num">Share</th><th class="num">Errors</th></tr></thead><tbody>']
    for e in edges:
        out.append(
            f'<tr class="{"flagged" if e["code"] in flagged else ""}"><td><code>{esc(e["code"])}</code></td><td>{esc(e["city"] or "unknown")}</td>'
            f'<td>{esc(e["country"] or "")}</td><td class="num">{fmt_int(e["requests"])}</td>'
            f'<td class="num">{100 * e["requests"] / max(total, 1):.1f}%</td>'
            f'<td class="num">{100 * e["errors"] / max(e["requests"], 1):.1f}%</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def load_assets() -> dict[str, str]:
    missing = [str(p) for p in LIBRARIES.values() if not p.is_file()]
    if missing:
        raise AssetsMissing("the report's charting assets are not installed (missing " + ", ".join(missing) +
                            "): run `make report-assets` (npm ci in scripts/report_assets; needs Node.js with npm)")
    assets = {k: p.read_text() for k, p in LIBRARIES.items()}
    assets["app"] = (ASSETS / "report.js").read_text()
    assets["css"] = (ASSETS / "report.css").read_text()
    return assets


def licence_notices() -> str:
    parts = []
    for title, files in LICENCES:
        text = "\n\n".join(f.read_text().strip() for f in files if f.is_file())
        parts.append(f"<details><summary>{esc(title)}</summary><pre>{esc(text)}</pre></details>")
    return "".join(parts)


def render(data: dict[str, Any], assets: dict[str, str], source: str | None, analyst_log: str | None,
           database: str) -> str:
    meta = data["meta"]
    findings = data["findings"]
    flagged_ips: dict[str, list[str]] = {}
    for f in findings:
        if f["entity_type"] == "ip":
            flagged_ips.setdefault(str(f["entity"]), [])
            if f["hunt"] not in flagged_ips[str(f["entity"])]:
                flagged_ips[str(f["entity"])].append(f["hunt"])
    flagged_edges = {str(f["entity"]) for f in findings if f["entity_type"] == "edge_location"}
    now = dt.datetime.now(dt.timezone.utc)
    bucket = data["bucket_minutes"]
    per = "minute" if bucket == 1 else f"{bucket} minutes"
    payload = {
        "meta": meta, "bucket_minutes": bucket,
        "timeline": data["timeline"],
        "findings": [{k: f[k] for k in ("hunt", "severity", "entity_type", "entity", "first_ms", "last_ms",
                                         "requests", "evidence", "sql")} for f in findings],
        "talkers": [{**t, "hunts": flagged_ips.get(str(t["c_ip"]), [])} for t in data["talkers"]],
        "edges": [{**e, "flagged": e["code"] in flagged_edges} for e in data["edges"]],
    }
    hashes: list[str] = []
    scripts = (script_tag(assets["echarts"], hashes) + script_tag(assets["topojson"], hashes)
               + '<script type="application/json" id="world-map">' + assets["world"].replace("<", "\\u003c") + "</script>"
               + json_block("report-data", payload) + script_tag(assets["app"], hashes))
    csp = ("default-src 'none'; script-src " + " ".join(hashes) + "; style-src 'unsafe-inline'; "
           "img-src data: blob:; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'")
    info = [("Source", source or database), ("Time range (UTC)",
             f"{short_ts(meta['first_seen'])} → {short_ts(meta['last_seen'])}"),
            ("Rows", fmt_int(meta["rows"]))]
    if meta.get("files") is not None:
        info.append(("Files with rows", fmt_int(meta["files"])))
    info.append(("Database", database))
    if analyst_log:
        info.append(("Analyst log", analyst_log))
    info_html = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in info)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CloudFront hunt report — {esc(short_ts(meta['first_seen'])[:10])}</title>
<style>{assets['css']}</style></head>
<body>
<header><div class="wrap"><h1>CloudFront hunt report</h1>
<p class="sub">generated {now:%Y-%m-%d %H:%M} UTC by <code>make hunt</code> · all times UTC</p>
<dl class="info">{info_html}</dl></div></header>
<main class="wrap">
<section id="summary"><h2>Summary</h2><div class="cards">{summary_cards(data)}</div></section>
<section id="timeline"><h2>Timeline <span class="hint">requests and 4xx/5xx per {esc(per)}; shaded: every finding's window
(first_seen → last_seen) by severity, <span class="sw high"></span>high <span class="sw medium"></span>medium
<span class="sw low"></span>low; lanes: each hunt's findings. Drag the slider or scroll to zoom.</span></h2>
<div class="chart tall" id="chart-timeline" data-chart="timeline"></div>
<div class="chart lanes" id="chart-lanes" data-chart="timeline"></div></section>
<section id="findings"><h2>Findings <span class="hint">{len(findings)}, most severe first; each with the SQL that shows its events
(run it in <code>duckdb -unsigned {esc(database)}</code> after LOAD)</span></h2>
<div class="filters" id="severity-filter">{''.join(
        f'<label><input type="checkbox" value="{s}" checked> {s}</label>' for s in ("high", "medium", "low"))}</div>
<div class="chart" id="chart-hunts" data-chart="hunts"></div>
{findings_table(findings)}</section>
<section id="talkers" class="two"><div><h2>Top talkers <span class="hint">cf_top_talkers, red = flagged by a hunt</span></h2>
<div class="chart" id="chart-talkers" data-chart="talkers"></div></div>
<div class="side">{talkers_table(data['talkers'], flagged_ips)}</div></section>
<section id="edges"><h2>Edge locations <span class="hint">where viewers were served (edge_location()); bubble area = requests,
red = flagged by cf_geo_spikes</span></h2>
<div class="two"><div class="chart map" id="chart-map" data-chart="map"></div>
<div class="chart" id="chart-edges" data-chart="edges"></div></div>
<details class="more"><summary>all {len(data['edges'])} edge locations</summary>{edges_table(data['edges'], flagged_edges, meta['rows'] or 0)}</details>
</section>
</main>
<footer class="wrap"><p>Charts: Apache ECharts; map: world-atlas (Natural Earth). Everything is inlined: this file makes no
network request. Third-party licences:</p>{licence_notices()}</footer>
{scripts}
</body></html>
"""


def write_report(db: Path, out: Path, extension: str, source: str | None = None,
                 analyst_log: str | None = None) -> Path:
    """Writes `out` (via a .partial file, so a failed run leaves no half-written report)."""
    assets = load_assets()
    con = open_database(Path(db), extension)
    try:
        data = collect(con)
    finally:
        con.close()
    page = render(data, assets, source, analyst_log, str(db))
    tmp = Path(str(out) + ".partial")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("database", type=Path, help="a make hunt analysis.db (tables events, summary, findings)")
    ap.add_argument("-o", "--output", type=Path, help="default: report.html next to the database")
    ap.add_argument("--extension", default=os.environ.get(
        "CLOUDFRONT_EXTENSION", str(ROOT / "build/release/cloudfront.duckdb_extension")))
    ap.add_argument("--source", help="what the logs were (shown in the header)")
    args = ap.parse_args(argv)
    out = args.output or args.database.parent / "report.html"
    try:
        write_report(args.database, out, args.extension, args.source)
    except (ReportError, duckdb.Error) as e:
        print(f"report: error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
