#!/usr/bin/env python3
"""Writes eval/truth/<dataset>.json: the ground truth of the real access logs in ../shared/realtraffic.

Every item below was found by reading the raw log (zcat, grep, awk, sort, uniq); `how_found` gives
the command or criterion and this script applies exactly that criterion to the raw lines, so the
committed JSON can be regenerated and checked by anyone who has the data:

    .venv/bin/python eval/truth/build_truth.py            # rewrites eval/truth/*.json

Addresses are never written: actors are salted hashes (scripts/realtraffic.py explains the salt).
Attack items say what the playbook is expected to report (`expect`): the minimum severity at
which the item counts as found at its expected severity, and how much of a multi-address actor a
finding (or the findings together) must cover. Benign items are entities verified to be benign;
the evaluator reports every one that cf_hunt flags, with the severity.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "scripts"))

import realtraffic as rt  # noqa: E402

ASSET = (".css", ".js", ".jpg", ".jpeg", ".png", ".gif", ".ico")


def item(kind, iid, title, how, hits, salt, expect=None, note=None, unit="ip"):
    """One truth entry from the raw hits that make it up."""
    ips = sorted({h.ip for h in hits})
    entry = {
        "id": iid,
        "title": title,
        "how_found": how,
        "requests": len(hits),
        "addresses": len(ips),
        "first_seen": rt.iso(min(h.ts for h in hits)),
        "last_seen": rt.iso(max(h.ts for h in hits)),
        "actors": sorted(rt.actor_hash(salt, ip) for ip in ips),
        "prefixes": sorted({rt.actor_hash(salt, rt.prefix_of(ip)) for ip in ips}),
        "statuses": dict(sorted(Counter(str(h.status) for h in hits).items())),
        "user_agents": len({h.ua for h in hits}),
    }
    if kind == "attack":
        entry["expect"] = expect or {"min_severity": "medium", "min_actor_share": 0.5}
    if note:
        entry["note"] = note
    return entry


def almhuette(hits, salt):
    by_ip = {}
    for h in hits:
        by_ip.setdefault(h.ip, []).append(h)
    admin_post = [h for h in hits if h.method == "POST" and h.path == "/administrator/index.php"]
    posts_per_ip = Counter(h.ip for h in admin_post)
    brute = [ip for ip, n in posts_per_ip.items() if n >= 100]
    android = [ip for ip in brute if "Android 2.2" in by_ip[ip][0].ua]
    msie = [ip for ip in brute if "MSIE 7.0" in by_ip[ip][0].ua]
    slow = [ip for ip, n in posts_per_ip.items() if 3 <= n < 100]
    contact_posters = {h.ip for h in hits if h.method == "POST" and h.path == "/index.php"
                       and "option=com_contact" in h.target}
    attacks = [
        item("attack", "alm-admin-bruteforce-android", "Joomla admin password brute force: 1,186 POST "
             "/administrator/index.php in 4 minutes from one address, fixed Android 2.2 user agent",
             "zcat machine.6.extra.log.gz | awk '$6==\"\\\"POST\" && $7==\"/administrator/index.php\"' | "
             "awk '{print $1}' | sort | uniq -c | sort -rn   # the address with 1,186; its user agent: Android 2.2",
             by_ip[android[0]], salt, {"min_severity": "medium", "min_actor_share": 1.0}),
        item("attack", "alm-admin-bruteforce-msie7", "Joomla admin password brute force: 1,503 requests "
             "(GET/POST pairs on /administrator/index.php, HTTP/1.0, MSIE 7 user agent) in three bursts of "
             "501 (21:36, 04:37 and 11:54 UTC)",
             "same command: the address with 750 POSTs; zcat ... | grep '^<that address> ' | awk '{print "
             "substr($4,2,14)}' | uniq -c   # 501 per burst",
             by_ip[msie[0]], salt, {"min_severity": "medium", "min_actor_share": 1.0}),
        item("attack", "alm-admin-slow-guesser", "Slow admin login guessing: 5 GET+POST pairs on "
             "/administrator/index.php over 19 hours, HTTP/1.0, Firefox/19 user agent",
             "same command: the address with 5 POSTs (3 <= POSTs < 100)",
             by_ip[slow[0]], salt, {"min_severity": "low", "min_actor_share": 1.0},
             note="low and slow: only a login-endpoint view across clients can see it"),
        item("attack", "alm-contact-spam-proxies", "Contact-form spam through a proxy pool: 15 addresses in "
             "185.194.12-15.x, 196.18-19.x and 193.42.104-107.x repeat GET/POST/GET on "
             "/index.php?option=com_contact..., rotating 197 browser user agents",
             "zcat ... | grep 'POST /index.php?option=com_contact' | awk '{print $1}' | sort -u   # 15 "
             "addresses; all their lines: grep -E '^(185\\.194\\.|196\\.1[89]\\.|193\\.42\\.)'",
             [h for h in hits if h.ip in contact_posters], salt,
             {"min_severity": "medium", "min_actor_share": 0.5}),
        item("attack", "alm-jinc-upload-exploit", "Known exploit: 4 POSTs to the JInc Joomla extension's "
             "php-ofc-library/ofc_upload_image.php?name=style.php (arbitrary file upload), all 404",
             "zcat ... | grep ofc_upload_image.php",
             [h for h in hits if "ofc_upload_image.php" in h.path], salt,
             {"min_severity": "low", "min_actor_share": 1.0}),
        item("attack", "alm-wp-webshell-probe", "Web-shell probe: POST /wp-content/plugins/log.php twice, "
             "11 hours apart, 404 (no WordPress here)",
             "zcat ... | grep 'wp-content/plugins/log.php'",
             [h for h in hits if h.path == "/wp-content/plugins/log.php"], salt,
             {"min_severity": "low", "min_actor_share": 1.0}),
        item("attack", "alm-backup-probe-distributed", "Distributed backup-file probe: /backup.sql, "
             "/backup.tar.gz, /backup.zip and /backup.tar, one each from 4 addresses within 2 seconds, "
             "same Opera user agent, self-referer, all 404",
             "zcat ... | grep -E 'GET /backup\\.'",
             [h for h in hits if h.path.startswith("/backup.")], salt,
             {"min_severity": "low", "min_actor_share": 0.5}),
        item("attack", "alm-wp-login-probes", "WordPress login probes on a Joomla site: GET /wp-login.php from "
             "3 addresses (4 requests), all 404",
             "zcat ... | grep 'GET /wp-login.php'",
             [h for h in hits if h.path == "/wp-login.php"], salt,
             {"min_severity": "low", "min_actor_share": 0.5}),
    ]
    notable = [
        item("notable", "alm-log-harvesting", "Log harvesting: the site's public /apache-log/access.log "
             "(~600 MB) downloaded in full (>= 100 MB answers) by many addresses",
             "zcat ... | awk '$7==\"/apache-log/access.log\" && $10 >= 100000000'",
             [h for h in hits if h.path == "/apache-log/access.log" and h.nbytes >= 100_000_000], salt,
             note="the site publishes its log itself; reported for information, not counted in recall"),
    ]
    slack = [h for h in hits if h.ua.startswith("Slackbot")]
    readers = []
    for ip, hs in by_ip.items():
        n = len(hs)
        assets = sum(h.path.lower().endswith(ASSET) for h in hs)
        bad = any(("administrator" in h.path or "apache-log" in h.path or "wp-" in h.path) for h in hs)
        if n >= 30 and assets / n >= 0.8 and not any(h.method == "POST" for h in hs) and not bad:
            readers.extend(hs)
    benign = [
        item("benign", "alm-googlebot", "Googlebot (Googlebot and Googlebot smartphone user agents) from "
             "66.249.64.0/24, inside Google's published googlebot.json ranges",
             "zcat ... | grep -i -E 'googlebot|Nexus 5X Build/MMB29P' | awk '{print $1}' | sort -u   # all 66.249.64.x",
             [h for h in hits if h.ip.startswith("66.249.")], salt),
        item("benign", "alm-bingbot", "bingbot from 157.55.39.0/24, 207.46.13.0/24 and 40.77.167.0/24 "
             "(Microsoft's published bingbot.json ranges)",
             "zcat ... | grep bingbot | awk '{print $1}' | sort -u",
             [h for h in hits if "bingbot" in h.ua], salt),
        item("benign", "alm-bingpreview", "BingPreview link previews from 11 addresses in 40.77.192-253.x "
             "(Microsoft; not in bingbot.json)",
             "zcat ... | grep BingPreview",
             [h for h in hits if "BingPreview" in h.ua], salt),
        item("benign", "alm-slack-link-expander", "Slack's link expander: 16 AWS addresses fetch "
             "/apache-log/access.log in 64 KB ranges (206) within a minute, twice",
             "zcat ... | grep Slackbot",
             slack, salt),
        item("benign", "alm-heavy-readers", "People reading many pages with a browser: >= 30 requests, "
             ">= 80% of them page assets, no POST, no admin/log/WordPress path (gallery pages load ~100 "
             "thumbnails in a minute; the site's broken /templates/_system/css/general.css gives each a few 404s)",
             "awk per address: requests >= 30, share of .css/.js/.jpg/.png/.gif/.ico >= 0.8, no POST, no "
             "/administrator, /apache-log or /wp- path",
             readers, salt),
        item("benign", "alm-seo-crawlers", "Declared SEO crawlers: SemrushBot, AhrefsBot, DotBot, MJ12bot "
             "(robots.txt and a few pages)",
             "zcat ... | grep -E 'SemrushBot|AhrefsBot|DotBot|MJ12bot'",
             [h for h in hits if any(b in h.ua for b in ("SemrushBot", "AhrefsBot", "DotBot", "MJ12bot"))], salt),
    ]
    return attacks, notable, benign


def basjes(hits, salt):
    join = [h for h in hits if h.method == "POST" and h.path.endswith("/join_form")]
    login = [h for h in hits if h.method == "POST" and h.path.endswith("/login_form")]
    join_ips = {h.ip for h in join}
    login_ips = {h.ip for h in login}
    attacks = [
        item("attack", "basjes-registration-spam", "Registration spam on the Plone CMS: POST /join_form from "
             f"{len(join_ips)} addresses rotating browser user agents, 1-2 POSTs each, each after GET of a "
             "content page and GET /join_form one second earlier, then GET require_login?came_from=...join_form",
             "zcat hackers-access.log.gz | grep '\"POST [^ ]*/join_form' | awk '{print $1}' | sort -u | wc -l",
             join, salt, {"min_severity": "medium", "min_actor_share": 0.5}),
        item("attack", "basjes-login-guessing", "Login guessing: POST /login_form (answered 200, the login "
             f"page again) from {len(login_ips)} addresses, mostly 1-2 attempts each",
             "zcat hackers-access.log.gz | grep '\"POST [^ ]*/login_form' | awk '{print $1}' | sort -u | wc -l",
             login, salt, {"min_severity": "medium", "min_actor_share": 0.5}),
    ]
    notable = [
        item("notable", "basjes-whole-botnet", "Every one of the 520 addresses in this log requested a form "
             "(join_form, login_form or require_login): the log is an extract of the bot traffic",
             "zcat ... | grep -E 'join_form|login_form|require_login' | awk '{print $1}' | sort -u | wc -l   # 520",
             hits, salt, note="context: there is no verified benign entity in this log"),
    ]
    return attacks, notable, []


BUILDERS = {"almhuette-raith-2019-04": almhuette, "basjes-hackers-2015-10": basjes}


def main() -> int:
    shared = rt.shared_dir()
    if shared is None:
        print("realtraffic data not found (set CF_REALTRAFFIC): nothing written")
        return 1
    for dataset, build in BUILDERS.items():
        raw = rt.raw_bytes(shared, dataset)
        salt = rt.salt_of(raw)
        hits = rt.parse(raw)
        attacks, notable, benign = build(hits, salt)
        doc = {
            "dataset": dataset,
            "raw_file": f"{dataset}/{rt.DATASETS[dataset]}",
            "lines": len(hits),
            "span": [rt.iso(min(h.ts for h in hits)), rt.iso(max(h.ts for h in hits))],
            "converted_with": f"python3 to_cloudfront.py --out DIR {dataset}/{rt.DATASETS[dataset]}",
            "actor_naming": "actors/prefixes are sha256(salt + '|' + address or /24 prefix)[:16], salt = "
                            "sha256 hex of the uncompressed raw log (scripts/realtraffic.py); no address is written",
            "how_built": "eval/truth/build_truth.py applies each item's criterion to the raw lines",
            "attacks": attacks,
            "notable": notable,
            "benign": benign,
        }
        out = HERE / f"{dataset}.json"
        out.write_text(json.dumps(doc, indent=1) + "\n")
        print(f"wrote {out.relative_to(HERE.parent.parent)}: {len(attacks)} attacks, {len(notable)} notable, "
              f"{len(benign)} benign")
    return 0


if __name__ == "__main__":
    sys.exit(main())
