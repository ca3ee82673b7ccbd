#!/usr/bin/env python3
"""Writes the hostile-input fixtures that test/sql/hostile/*.test read.

Each fixture is small and written byte by byte here, so the expected results in the tests can be
worked out by reading this file. Big or odd inputs (the 10 MB line, sc_bytes = 2^64) are made
by the tests themselves in `__TEST_DIR__` with DuckDB's COPY, and a file without read
permission or deleted during a scan by test/python/test_hostile.py.
Re-run after editing: `python3 test/data/hostile/make_hostile.py`. Deterministic (gzip mtime 0).
"""
import bz2
import gzip
import lzma
from pathlib import Path

HERE = Path(__file__).resolve().parent

FIELDS_33 = ("date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) "
             "cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol "
             "cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type "
             "cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte "
             "x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end").split()
assert len(FIELDS_33) == 33

# One ordinary request; every fixture line is this one with a few fields replaced.
BASE = {
    "date": "2026-11-20", "time": "10:00:00", "x-edge-location": "IAD89-C1", "sc-bytes": "1000",
    "c-ip": "192.0.2.1", "cs-method": "GET", "cs(Host)": "d111111abcdef8.cloudfront.net",
    "cs-uri-stem": "/index.html", "sc-status": "200", "cs(Referer)": "-", "cs(User-Agent)": "Mozilla/5.0%20(X11)",
    "cs-uri-query": "-", "cs(Cookie)": "-", "x-edge-result-type": "Hit", "x-edge-request-id": "REQ1",
    "x-host-header": "www.example.com", "cs-protocol": "https", "cs-bytes": "100", "time-taken": "0.010",
    "x-forwarded-for": "-", "ssl-protocol": "TLSv1.3", "ssl-cipher": "TLS_AES_128_GCM_SHA256",
    "x-edge-response-result-type": "Hit", "cs-protocol-version": "HTTP/2.0", "fle-status": "-",
    "fle-encrypted-fields": "-", "c-port": "443", "time-to-first-byte": "0.005",
    "x-edge-detailed-result-type": "Hit", "sc-content-type": "text/html", "sc-content-len": "1000",
    "sc-range-start": "-", "sc-range-end": "-",
}
assert list(BASE) == FIELDS_33

HEADER = b"#Version: 1.0\n#Fields: " + " ".join(FIELDS_33).encode() + b"\n"

# The 22 of the 33 fields that read as VARCHAR.
TEXT_FIELDS = ["x-edge-location", "c-ip", "cs-method", "cs(Host)", "cs-uri-stem", "cs(Referer)", "cs(User-Agent)",
               "cs-uri-query", "cs(Cookie)", "x-edge-result-type", "x-edge-request-id", "x-host-header",
               "cs-protocol", "x-forwarded-for", "ssl-protocol", "ssl-cipher", "x-edge-response-result-type",
               "cs-protocol-version", "fle-status", "fle-encrypted-fields", "x-edge-detailed-result-type",
               "sc-content-type"]
assert len(TEXT_FIELDS) == 22


def line(**changes) -> bytes:
    """The base line with fields replaced; keys are field names with '-', '(' and ')' as '_'."""
    values = {k: (v.encode() if isinstance(v, str) else v) for k, v in BASE.items()}
    for key, value in changes.items():
        name = next(f for f in FIELDS_33 if f.replace("-", "_").replace("(", "_").replace(")", "").lower() == key)
        values[name] = value.encode() if isinstance(value, str) else value
    return b"\t".join(values[f] for f in FIELDS_33)


def gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def fixtures() -> dict:
    f = {}
    three = HEADER + b"".join(line(c_ip=f"192.0.2.{i}", sc_bytes=str(i)) + b"\n" for i in (1, 2, 3))

    # gzip: a member cut in half; a whole member followed by text that is not gzip; a whole
    # member followed by 512 zero bytes (padding some copy tools leave); an empty member.
    whole = gz(three)
    f["truncated.gz"] = whole[: len(whole) // 2]
    f["trailing-garbage.gz"] = whole + b"this is not gzip\n"
    f["trailing-zeros.gz"] = whole + b"\0" * 512
    f["empty-member.gz"] = gz(b"")
    f["three.gz"] = whole
    # A longer member cut at 70%: the headers decompress (so bind succeeds) and the cut is met
    # while scanning, after about 2,100 of the 3,000 lines.
    many = HEADER + b"".join(line(c_ip=f"192.0.{i // 250}.{i % 250}", sc_bytes=str(i)) + b"\n" for i in range(3000))
    long_member = gz(many)
    f["truncated-body.gz"] = long_member[: len(long_member) * 7 // 10]

    # Zero bytes, with and without a .gz name.
    f["zero.log"] = b""
    f["zero.gz"] = b""

    # Only headers (one v2 extra field, c-country, which becomes a column), no data line.
    f["headers-only.log"] = b"#Version: 1.0\n#Fields: " + " ".join(FIELDS_33 + ["c-country"]).encode() + b"\n"

    # Duplicate fields: c-ip twice, cs(Host) and cs-host (the same column), x-Foo and x-foo (the
    # same unknown column), and unknown fields (x-foo, x-new-thing).
    f["duplicate-fields.log"] = (
        b"#Version: 1.0\n#Fields: date time c-ip c-ip cs(Host) cs-host x-Foo x-foo x-new-thing\n"
        b"2026-11-20\t10:00:00\t192.0.2.1\t192.0.2.2\th1.example\th2.example\tfoo1\tfoo2\tnew\n"
    )

    # Field counts: 33 (good), 32 (too few), 34 (too many), 33 + a trailing tab (tolerated),
    # 33 + two trailing tabs (35 fields: too many), 1 field, and a good line at the end.
    fields = HEADER
    fields += line(c_ip="192.0.2.1") + b"\n"                        # line 3: good
    fields += b"\t".join(line().split(b"\t")[:32]) + b"\n"           # line 4: 32 fields
    fields += line() + b"\textra\n"                                  # line 5: 34 fields
    fields += line(c_ip="192.0.2.6") + b"\t\n"                       # line 6: trailing tab, good
    fields += line() + b"\t\t\n"                                     # line 7: 35 fields
    fields += b"just-one-field\n"                                    # line 8: 1 field
    fields += line(c_ip="192.0.2.9") + b"\n"                         # line 9: good
    f["field-counts.log"] = fields

    # NUL bytes inside text fields (kept: DuckDB's VARCHAR holds them) and inside a number
    # (not an integer: the line is bad).
    f["nul.log"] = (HEADER
                    + line(cs_user_agent=b"curl\x00/8", cs_uri_stem=b"/a\x00b") + b"\n"   # line 3
                    + line(sc_bytes=b"10\x000") + b"\n")                                  # line 4

    # Invalid UTF-8 in every VARCHAR field of line 3: field number k (1-based in TEXT_FIELDS)
    # holds b"v<k>\xff". Line 4 has the harder shapes in three fields:
    #   cs-method  b"G\xc0\xae" (overlong '.', two invalid bytes) -> 'G' U+FFFD U+FFFD
    #   c-ip       b"1\xe2\x82" (a truncated 3-byte sequence)     -> '1' U+FFFD
    #   cs(User-Agent) b"ua%FF\xfe%2541" (decoded two levels: %FF -> 0xFF, %2541 -> %41 -> 'A')
    #                                                             -> 'ua' U+FFFD U+FFFD 'A'
    #   cs(Referer) b"r%C3%A9" (valid once decoded: 'ré')
    bad_utf8 = {}
    for k, name in enumerate(TEXT_FIELDS, 1):
        key = name.replace("-", "_").replace("(", "_").replace(")", "").lower()
        bad_utf8[key] = b"v%d\xff" % k
    f["invalid-utf8.log"] = (HEADER + line(**bad_utf8) + b"\n"
                             + line(cs_method=b"G\xc0\xae", c_ip=b"1\xe2\x82", cs_user_agent=b"ua%FF\xfe%2541",
                                    cs_referer=b"r%C3%A9") + b"\n")

    # CRLF everywhere (headers too), a bare CR inside a field, and the last field non-NULL so a
    # kept '\r' would make it fail to convert.
    crlf = HEADER.replace(b"\n", b"\r\n")
    crlf += line(c_ip="192.0.2.1", sc_range_end="99") + b"\r\n"
    crlf += line(c_ip="192.0.2.2", cs_uri_query=b"a=1\rb=2", sc_range_end="100") + b"\r\n"
    f["crlf.log"] = crlf

    # No newline after the last line; and a last line ending in a lone CR.
    f["no-final-newline.log"] = HEADER + line(c_ip="192.0.2.1") + b"\n" + line(c_ip="192.0.2.2", sc_range_end="7")
    f["final-cr.log"] = HEADER + line(c_ip="192.0.2.1", sc_range_end="8") + b"\r"

    # Numbers at and beyond the limits of their types (sc_bytes BIGINT, sc_status and c_port
    # INTEGER, time_taken DOUBLE). Line 3 is good at the limits; lines 4-9 are each bad in one
    # column.
    nums = HEADER
    nums += line(sc_bytes="9223372036854775807", sc_status="2147483647", c_port="-2147483648",
                 time_taken="1e308", cs_bytes="-9223372036854775808") + b"\n"       # line 3: good
    nums += line(sc_bytes="9223372036854775808") + b"\n"                            # line 4: i64::MAX + 1
    nums += line(cs_bytes="-9223372036854775809") + b"\n"                           # line 5: i64::MIN - 1
    nums += line(sc_status="2147483648") + b"\n"                                    # line 6: i32::MAX + 1
    nums += line(time_taken="1e309") + b"\n"                                        # line 7: infinite
    nums += line(c_port="0x1BB") + b"\n"                                            # line 8: hex
    nums += line(sc_content_len="+") + b"\n"                                        # line 9: sign only
    f["numbers.log"] = nums

    # Impossible dates and times; each of lines 4-9 is bad in date or time. Line 3: 2024-02-29
    # (leap year) is good, as is line 10 (2000-02-29: divisible by 400).
    dates = HEADER
    dates += line(date="2024-02-29") + b"\n"              # line 3: good
    dates += line(date="2026-02-30") + b"\n"              # line 4
    dates += line(date="2026-02-29") + b"\n"              # line 5: not a leap year
    dates += line(date="2100-02-29") + b"\n"              # line 6: divisible by 100, not 400
    dates += line(date="2026-13-01") + b"\n"              # line 7
    dates += line(time="24:00:00") + b"\n"                # line 8
    dates += line(time="23:59:60") + b"\n"                # line 9: leap second
    dates += line(date="2000-02-29") + b"\n"              # line 10: good
    f["dates.log"] = dates

    # A 2013-era standard log (18 fields: no x-edge-detailed-result-type) with refusals and
    # failures, for the NULL contract of the classifiers (issue 11): line 3 Error/403 (a WAF
    # block), 4 LimitExceeded/503 (block and rate limit), 5 Error/502 (origin error), 6 Hit/200
    # (nothing), 7 Error/429 (rate limit only).
    old = b"#Version: 1.0\n#Fields: " + " ".join(FIELDS_33[:18]).encode() + b"\n"
    for result, status in (("Error", "403"), ("LimitExceeded", "503"), ("Error", "502"), ("Hit", "200"), ("Error", "429")):
        old += b"\t".join(line(x_edge_result_type=result, sc_status=status).split(b"\t")[:18]) + b"\n"
    f["old-waf.log"] = old

    # Issue 11 (5): zero padding and then text after the member (an error, unlike padding alone).
    f["zeros-then-garbage.gz"] = whole + b"\0" * 100 + b"junk"

    # Issue 11 (8): the three-line log in other compression formats, each named .gz. bzip2 and
    # xz from Python's standard library; zstd written by hand as one frame (RFC 8878: magic
    # 28 B5 2F FD, frame header descriptor 0xA0 = single segment with a 4-byte content size,
    # the size, then one raw block whose 3-byte header says last block, type raw, and size).
    f["bzip2-named.gz"] = bz2.compress(three)
    f["xz-named.gz"] = lzma.compress(three, format=lzma.FORMAT_XZ)
    assert len(three) < 1 << 21
    block_header = ((len(three) << 3) | 1).to_bytes(3, "little")
    f["zstd-named.gz"] = b"\x28\xb5\x2f\xfd" + b"\xa0" + len(three).to_bytes(4, "little") + block_header + three

    # Issue 11 (8): lines of only TABs (lines 4 and 6; line 5 is only spaces, skipped; line 7
    # is empty) between good lines 3 and 8.
    f["tabs.log"] = (HEADER + line(c_ip="192.0.2.1") + b"\n" + b"\t" * 32 + b"\n" + b"   \n"
                     + b" \t \t\n" + b"\n" + line(c_ip="192.0.2.2") + b"\n")

    # Issue 11 (8): decoded user agents and referers with control characters: line 3's user
    # agent is "curl%1B]0;owned%07%1B[2J" (a window-title and a clear-screen sequence), its
    # referer "a%0D%0Ab" (CR LF); line 4's user agent is double-encoded, "x%251By" (-> ESC).
    f["control-decoded.log"] = (HEADER
                                + line(cs_user_agent="curl%1B]0;owned%07%1B[2J", cs_referer="a%0D%0Ab") + b"\n"
                                + line(cs_user_agent="x%251By") + b"\n")
    return f


def main():
    for name, data in fixtures().items():
        (HERE / name).write_bytes(data)
    (HERE / "a-directory").mkdir(exist_ok=True)
    (HERE / "a-directory" / "README").write_text(
        "A directory for hostile/directory.test: read_cloudfront must refuse it as a file.\n")


if __name__ == "__main__":
    main()
