#!/usr/bin/env python3
"""Writes the small hand-made log fixtures the SQL-logic tests read.

Every value is written by hand from AWS's CloudFront documentation (the "Standard logging
reference" example lines of 2019-12-04 and 2019-12-13, the field lists, the real-time and v2
field descriptions; see docs/format-facts.md), so expected results in the tests can be worked
out by reading this file. Re-run after editing: `python3 test/data/make_fixtures.py`.
Output is deterministic (gzip mtime 0).
"""
import gzip
import io
from pathlib import Path

HERE = Path(__file__).resolve().parent

FIELDS_33 = ("date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) "
             "cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol "
             "cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type "
             "cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte "
             "x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end").split()
assert len(FIELDS_33) == 33

UA_2019 = ("Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)"
           "%20Chrome/78.0.3904.108%20Safari/537.36")

# The documentation's example lines (values by field, 33 fields each).
DOC_HIT = ["2019-12-04", "21:02:31", "LAX1", "392", "192.0.2.100", "GET", "d111111abcdef8.cloudfront.net",
           "/index.html", "200", "-", UA_2019, "-", "-", "Hit",
           "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==", "d111111abcdef8.cloudfront.net", "https",
           "23", "0.001", "-", "TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", "Hit", "HTTP/2.0", "-", "-", "11040",
           "0.001", "Hit", "text/html", "78", "-", "-"]
DOC_ERROR = ["2019-12-13", "22:36:27", "SEA19-C1", "900", "192.0.2.200", "GET", "d111111abcdef8.cloudfront.net",
             "/favicon.ico", "502", "http://www.example.com/", UA_2019, "-", "-", "Error",
             "1pkpNfBQ39sYMnjjUQjmH2w1wdJnbHYTbag21o_3OfcQgPzdL2RSSQ==", "www.example.com", "http", "675",
             "0.102", "-", "-", "-", "Error", "HTTP/1.1", "-", "-", "25260", "0.102", "OriginDnsError",
             "text/html", "507", "-", "-"]

# Our own lines for quirks the docs describe.
# A viewer that hung up (sc-status 000, all three result types Error), an IPv6 client, a
# double-encoded 2019-era user agent, an x-forwarded-for list with a \x20 escape, a range.
HUNG_UP = ["2019-12-13", "23:00:00", "FRA56-P1", "0", "2001:db8:85a3::8a2e:370:7334", "GET",
           "d111111abcdef8.cloudfront.net", "/video.mp4", "000", "-",
           "Mozilla/5.0%2520(X11;%2520Linux%2520x86_64)", "-", "-", "Error",
           "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", "www.example.com", "https", "410",
           "0.000", "203.0.113.9,\\x20198.51.100.7", "TLSv1.3", "TLS_AES_128_GCM_SHA256", "Error", "HTTP/2.0",
           "-", "-", "51234", "-", "Error", "-", "-", "-", "-"]
RANGE = ["2019-12-13", "23:59:59", "NRT57-P2", "1048700", "198.51.100.7", "GET", "d111111abcdef8.cloudfront.net",
         "/big.bin", "206", "https://www.example.com/page?x=1", "curl/7.55.1", "a=1&b=%2527x", "session=abc",
         "Miss", "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB==", "www.example.com", "https", "120",
         "1.250", "198.51.100.7, 203.0.113.9", "TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", "Miss", "HTTP/1.1",
         "-", "-", "443", "0.050", "Miss", "application/octet-stream", "1048576", "0", "1048575"]
# Every typed column is '-' (date and time too: the fused timestamp is NULL).
ALL_DASH = ["-"] * 33


def w3c(fields, rows, trailing_tab=False):
    out = io.StringIO()
    out.write("#Version: 1.0\n")
    out.write("#Fields: " + " ".join(fields) + "\n")
    for r in rows:
        assert len(r) == len(fields), (len(r), len(fields))
        out.write("\t".join(r) + ("\t" if trailing_tab else "") + "\n")
    return out.getvalue()


def gz(text: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as g:
        g.write(text)
    return buf.getvalue()


def write(name, data):
    path = HERE / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def main():
    std = w3c(FIELDS_33, [DOC_HIT, DOC_ERROR, HUNG_UP, RANGE, ALL_DASH])
    write("standard/E2EXAMPLE.2019-12-13-23.abcd1234", std)
    # The same file gzipped, and one delivery made of two gzip members (first two lines, last three).
    write("gzip/E2EXAMPLE.2019-12-13-23.abcd1234.gz", gz(std.encode()))
    first = w3c(FIELDS_33, [DOC_HIT, DOC_ERROR])
    second = "\n".join(w3c(FIELDS_33, [HUNG_UP, RANGE, ALL_DASH]).split("\n")[2:])
    write("gzip/two-members.gz", gz(first.encode()) + gz(second.encode()))

    # A 24-field header of 2016-2017 (the first 24 of today's fields) with the doc's 2014 values
    # style, and a 2013-style 18-field file, read together with the 33-field one.
    f24 = FIELDS_33[:24]
    write("eras/E2EXAMPLE.2016-10-01-10.aaaa1111",
          w3c(f24, [["2016-10-01", "10:00:01", "FRA2", "182", "192.0.2.10", "GET", "d111111abcdef8.cloudfront.net",
                     "/view/my/file.html", "200", "www.displaymyfiles.com",
                     "Mozilla/4.0%2520(compatible;%2520MSIE%25205.0b1;%2520Mac_PowerPC)", "-", "zip=98101",
                     "RefreshHit", "MRVMF7KydIvxMWfJIglgwHQwZsbG2IhRJ07sn9AkKUFSHS9EXAMPLE==",
                     "d111111abcdef8.cloudfront.net", "http", "-", "0.001", "-", "-", "-", "RefreshHit", "HTTP/1.1"]]))
    f18 = FIELDS_33[:18]
    write("eras/E2EXAMPLE.2013-11-01-00.bbbb2222",
          w3c(f18, [["2013-11-01", "00:00:05", "IAD12", "4000", "192.0.2.11", "GET", "d111111abcdef8.cloudfront.net",
                     "/old.html", "304", "-", "Mozilla/5.0%2520(compatible)", "-", "-", "Hit",
                     "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC==", "d111111abcdef8.cloudfront.net", "http",
                     "300"]]))

    # v2 W3C: a subset of fields in another order, with a trailing tab; then a #Fields change.
    sub = ["c-ip", "sc-status", "date", "time", "cs-uri-stem", "asn", "c-country"]
    text = w3c(sub, [["198.51.100.20", "404", "2024-11-20", "13:05:09", "/missing", "16509", "US"]], trailing_tab=True)
    text += "#Fields: date time c-ip cs(User-Agent)\n"
    text += "2024-11-20\t13:05:10\t198.51.100.21\tcurl/8.5.0\n"
    write("v2/w3c-subset.log", text)

    # v2 JSON: every value a string, '-' for empty (as in real deliveries), keys as CloudFront names.
    json_lines = [
        '{"timestamp":"1732107909","c-ip":"203.0.113.50","sc-status":"200","cs-uri-stem":"/a","cs(User-Agent)":"Mozilla/5.0%20(X11)","time-taken":"0.010","sc-bytes":"1200","x-edge-location":"IAD89-C1"}',
        '{"date":"2024-11-20","time":"13:05:10","c-ip":"2001:db8::5","sc-status":"-","cs-uri-stem":"/b","sc-bytes":"-","c-country":"DE"}',
    ]
    write("v2/json.log", "\n".join(json_lines) + "\n")

    # Real-time: no header, epoch timestamp with milliseconds, fields given by the user.
    rt_fields = ["timestamp", "c-ip", "sc-status", "cs-host", "cs-uri-stem", "x-host-header", "cs-user-agent", "cs-headers"]
    rt = [["1598574722.123", "192.0.2.100", "200", "www.example.com", "/index.html?x=1", "d111111abcdef8.cloudfront.net",
           "Mozilla/5.0%20(X11)", "Host:www.example.com%0AAccept:*/*"],
          ["1598574723.5", "2001:db8::9", "403", "www.example.com", "/login", "d111111abcdef8.cloudfront.net",
           "-", "-"]]
    write("realtime/stream-1-2020-08-28-00-32-02-aaaa", "".join("\t".join(r) + "\n" for r in rt))

    # Bad input.
    bad = w3c(FIELDS_33, [DOC_HIT])
    bad += "\t".join(DOC_HIT[:20]) + "\n"                       # line 4: 20 fields
    row = list(DOC_HIT); row[3] = "12x"; bad += "\t".join(row) + "\n"       # line 5: sc-bytes not a number
    row = list(DOC_HIT); row[0] = "2026-02-30"; bad += "\t".join(row) + "\n"  # line 6: impossible date
    bad += "\t".join(DOC_ERROR) + "\n"                          # line 7: fine
    write("bad/bad-lines.log", bad)
    # ignore_errors: line 3 is refused at cs-bytes after its long user agent was converted; line 4
    # (a short agent, inlined by DuckDB) reuses the refused row's slot; line 5 has a long agent.
    write("refused/long-text.log", w3c(["date", "time", "cs(User-Agent)", "cs-bytes"], [
        ["2024-11-20", "13:05:09", "Mozilla/5.0-refused-row-agent", "12x"],
        ["2024-11-20", "13:05:10", "curl/8.5.0", "100"],
        ["2024-11-20", "13:05:11", "Wget/1.21.4-linux-gnu", "200"]]))
    write("bad/empty.log", "")
    whole = gz(std.encode())
    write("bad/truncated.gz", whole[: len(whole) // 2])
    write("bad/cut-in-header.gz", whole[:5])  # gzip magic, then the stream ends inside the header
    write("bad/not-a-log.txt", "hello world\nthis is not a CloudFront log\n")


if __name__ == "__main__":
    main()
