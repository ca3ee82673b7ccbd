"""SQL text built in Python: string literals and lists of them, for every script that writes SQL
(scripts/hunt.py, scripts/report.py and the lake's modules). It lives in `cflake` because every
way those scripts run puts scripts/ on the import path (run as scripts/*.py, `python -m
cflake...` from scripts/ or with PYTHONPATH=scripts), and it imports nothing of ours, so
cflake.s3 can use it without importing lakelib (which imports s3).
"""
from __future__ import annotations


def sql_str(s: str) -> str:
    """A SQL string literal: single quotes doubled (a backslash is no escape in a standard SQL
    string, so nothing else needs quoting)."""
    return "'" + s.replace("'", "''") + "'"


def sql_list(items: list[str]) -> str:
    """A SQL list of string literals."""
    return "[" + ", ".join(sql_str(i) for i in items) + "]"
