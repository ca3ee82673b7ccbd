#!/usr/bin/env python3
"""Writes test/data/window/: files named by the hour, for the since/until tests
(test/sql/read_cloudfront/since_until.test). Each line is the documentation's example line
(make_fixtures.DOC_HIT) with our own date, time and client address, so every expected result can
be worked out by reading the table below. Re-run after editing:
`python3 test/data/make_window_fixtures.py`.

    file (under test/data/window/)                       lines: client  date time
    E2EXAMPLE.2026-11-20-09.aaaa0009                     192.0.2.1 09:10:00, 192.0.2.2 09:59:59
    E2EXAMPLE.2026-11-20-10.aaaa0010                     192.0.2.3 10:00:00, 192.0.2.4 10:30:00, 192.0.2.5 10:59:59
    E2EXAMPLE.2026-11-20-11.aaaa0011                     192.0.2.6 11:00:00, 192.0.2.7 11:45:00,
                                                         line 5: time 11:61:00 (not a time)
    E2EXAMPLE.2026-11-20-12.aaaa0012                     not a CloudFront log at all: reading it is an error,
                                                         so a query that succeeds did not open it
    renamed.log (no hour in the name)                    192.0.2.8 09:30:00, 192.0.2.9 10:15:00,
                                                         192.0.2.10 12:30:00, 192.0.2.11 '-' '-' (no time)
    hive/year=2026/month=11/day=20/hour=13/part-0001.log 192.0.2.12 13:20:00
All dates are 2026-11-20, UTC.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_fixtures import DOC_HIT, FIELDS_33, w3c, write  # noqa: E402


def line(ip: str, time: str, date: str = "2026-11-20") -> list:
    row = list(DOC_HIT)
    row[0], row[1], row[4] = date, time, ip
    return row


def main():
    write("window/E2EXAMPLE.2026-11-20-09.aaaa0009", w3c(FIELDS_33, [line("192.0.2.1", "09:10:00"), line("192.0.2.2", "09:59:59")]))
    write("window/E2EXAMPLE.2026-11-20-10.aaaa0010",
          w3c(FIELDS_33, [line("192.0.2.3", "10:00:00"), line("192.0.2.4", "10:30:00"), line("192.0.2.5", "10:59:59")]))
    write("window/E2EXAMPLE.2026-11-20-11.aaaa0011",
          w3c(FIELDS_33, [line("192.0.2.6", "11:00:00"), line("192.0.2.7", "11:45:00"), line("192.0.2.99", "11:61:00")]))
    write("window/E2EXAMPLE.2026-11-20-12.aaaa0012", "this is not a CloudFront log\n")
    write("window/renamed.log", w3c(FIELDS_33, [line("192.0.2.8", "09:30:00"), line("192.0.2.9", "10:15:00"),
                                                line("192.0.2.10", "12:30:00"), line("192.0.2.11", "-", date="-")]))
    write("window/hive/year=2026/month=11/day=20/hour=13/part-0001.log", w3c(FIELDS_33, [line("192.0.2.12", "13:20:00")]))


if __name__ == "__main__":
    main()
