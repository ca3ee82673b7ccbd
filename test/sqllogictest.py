#!/usr/bin/env python3
"""A small runner for DuckDB-dialect sqllogictest files, using the `duckdb` Python package.

There is no DuckDB sqllogictest runner on PyPI, so this imitates the rules of DuckDB's C++
runner (duckdb/duckdb: test/sqlite/sqllogic_parser.cpp, sqllogic_test_runner.cpp,
sqllogic_command.cpp, result_helper.cpp). The aim is "passes here => passes there": where
DuckDB's runner is strict we are strict too, and in the few places where it is accidentally
lenient we are stricter.

Usage:
    python test/sqllogictest.py --extension build/release/cloudfront.duckdb_extension test/sql

Only the standard library and `duckdb` are used; it works with duckdb 1.5.x and 2.0.x.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from typing import Optional

import duckdb

# ----------------------------------------------------------------------------------------------
# Records produced by the parser
# ----------------------------------------------------------------------------------------------


@dataclass
class Condition:
    """A loop-variable condition from `skipif i=2` / `onlyif i>=3` (sqllogic_test_runner.cpp)."""

    name: str
    op: str
    value: str
    skip_if: bool


@dataclass
class Statement:
    line: int
    sql: str
    expect: str  # 'ok' | 'error' | 'maybe'
    expected_error: str = ""
    connection: str = ""
    conditions: list = field(default_factory=list)


@dataclass
class Query:
    line: int
    sql: str
    ncols: int
    values: list  # expected lines, verbatim
    sort: str = "nosort"  # 'nosort' | 'rowsort' | 'valuesort'
    label: str = ""
    connection: str = ""
    conditions: list = field(default_factory=list)


@dataclass
class Loop:
    line: int
    name: str  # may be "a,b" for foreach with comma groups
    start: int = 0
    end: int = 0
    tokens: Optional[list] = None  # foreach values; None for a numeric loop
    body: list = field(default_factory=list)


@dataclass
class Command:
    """Any other single-line command: require, require-env, load, restart, reconnect, mode, ..."""

    line: int
    name: str
    params: list


class ParseError(Exception):
    def __init__(self, line: int, msg: str):
        super().__init__(msg)
        self.line = line
        self.msg = msg


SORT_STYLES = {"nosort": "nosort", "rowsort": "rowsort", "sort": "rowsort", "valuesort": "valuesort"}
SINGLE_LINE_COMMANDS = {
    "hash-threshold", "halt", "mode", "set", "loop", "foreach", "concurrentloop",
    "concurrentforeach", "endloop", "require", "require-env", "test-env", "load", "restart",
    "reconnect", "sleep",
}
KNOWN_COMMANDS = SINGLE_LINE_COMMANDS | {"statement", "query", "skipif", "onlyif", "reset", "unzip", "tags"}

# DuckDB expands a few named groups in `foreach` (SQLLogicTestRunner::ForEachTokenReplace).
_SIGNED = ["tinyint", "smallint", "integer", "bigint", "hugeint"]
_UNSIGNED = ["utinyint", "usmallint", "uinteger", "ubigint", "uhugeint"]
FOREACH_GROUPS = {
    "<signed>": _SIGNED,
    "<unsigned>": _UNSIGNED,
    "<integral>": _SIGNED + _UNSIGNED,
    "<numeric>": _SIGNED + _UNSIGNED + ["float", "double"],
    "<alltypes>": _SIGNED + _UNSIGNED + ["float", "double", "bool", "interval", "varchar"],
    "<compression>": ["none", "uncompressed", "rle", "bitpacking", "dictionary", "fsst", "alp", "alprd"],
}


class Parser:
    """Turns a .test file into a list of records (with 1-based line numbers).

    Line handling follows sqllogic_parser.cpp: a record starts at the first non-empty,
    non-comment line; SQL runs until an empty line, a `#` line or `----`; expected results run
    until an empty line (so a `#` line inside results is a value, as in DuckDB).
    Keyword substitution (__TEST_DIR__, ${VAR}) is applied to SQL at parse time, as DuckDB does.
    """

    def __init__(self, lines: list, keywords: "Keywords"):
        self.lines = [ln.replace("\r", "") for ln in lines]
        self.pos = 0
        self.kw = keywords
        self.skipped = 0  # statement/query records dropped by `mode skip` / skipif / onlyif

    # -- line helpers ---------------------------------------------------------------------
    @staticmethod
    def _empty_or_comment(line: str) -> bool:
        return line == "" or line.startswith("#")

    def _fail(self, msg: str, line: Optional[int] = None):
        raise ParseError(line if line is not None else self.pos + 1, msg)

    def _tokens(self) -> list:
        return self.lines[self.pos].split()

    def _extract_sql(self) -> str:
        out = []
        while self.pos < len(self.lines) and not self._empty_or_comment(self.lines[self.pos]):
            if self.lines[self.pos] == "----":
                break
            out.append(self.lines[self.pos])
            self.pos += 1
        return "\n".join(out)

    def _extract_expected_error(self) -> Optional[list]:
        """Lines after `----` up to an empty line; None when there is no `----`."""
        if self.pos >= len(self.lines) or self.lines[self.pos] != "----":
            return None
        self.pos += 1
        out = []
        while self.pos < len(self.lines) and self.lines[self.pos] != "":
            out.append(self.lines[self.pos])
            self.pos += 1
        return out

    # -- main loop ------------------------------------------------------------------------
    def parse(self) -> list:
        top: list = []
        stack: list = []  # open Loop records
        skip_level = 0
        while True:
            # skip to the next record (the rest of the current one, then blank/comment lines)
            while self.pos < len(self.lines) and self._empty_or_comment(self.lines[self.pos]):
                self.pos += 1
            if self.pos >= len(self.lines):
                break
            tokens = self._tokens()
            if tokens[0] not in KNOWN_COMMANDS:
                self._fail(f"Unrecognized command '{tokens[0]}'")
            if tokens[0] in SINGLE_LINE_COMMANDS:
                nxt = self.lines[self.pos + 1] if self.pos + 1 < len(self.lines) else ""
                if not self._empty_or_comment(nxt):
                    self._fail("all test statements need to be separated by an empty line")

            conditions: list = []
            skip = False
            while tokens[0] in ("skipif", "onlyif"):
                if len(tokens) < 2:
                    self._fail("skipif/onlyif requires a single parameter (e.g. skipif duckdb)")
                skip_if = tokens[0] == "skipif"
                cond = self._parse_conditions(tokens[1], skip_if)
                if cond is None:  # a system name: only "duckdb" is us
                    skip = skip or (tokens[1].lower() == "duckdb") == skip_if
                else:
                    conditions.extend(cond)
                self.pos += 1
                if self.pos >= len(self.lines) or self.lines[self.pos].strip() == "":
                    self._fail("skipif/onlyif must be followed by a command")
                tokens = self._tokens()
                if tokens[0] not in KNOWN_COMMANDS:
                    self._fail(f"Unrecognized command '{tokens[0]}'")
            if skip or (skip_level > 0 and tokens[0] != "mode"):
                if tokens[0] in ("statement", "query"):
                    self.skipped += 1
                self._skip_record()
                continue

            if tokens[0] in ("require-env", "test-env") and stack:
                self._fail(f"{tokens[0]} cannot be called in a loop")
            record = self._parse_record(tokens, conditions)
            if record == "halt":
                break
            if isinstance(record, Command) and record.name == "mode" and record.params[0] in ("skip", "unskip"):
                skip_level += 1 if record.params[0] == "skip" else -1
                continue
            if isinstance(record, Loop):
                (stack[-1].body if stack else top).append(record)
                stack.append(record)
                continue
            if record == "endloop":
                if not stack:
                    self._fail("endloop without active loop")
                stack.pop()
                continue
            if record is None:
                continue
            (stack[-1].body if stack else top).append(record)
        if stack:
            self._fail("Missing endloop!", stack[-1].line)
        return top

    def _skip_record(self):
        while self.pos < len(self.lines) and not self._empty_or_comment(self.lines[self.pos]):
            self.pos += 1

    @staticmethod
    def _parse_conditions(text: str, skip_if: bool) -> Optional[list]:
        if not any(c in text for c in "=<>"):
            return None
        conds = []
        for part in text.split("&&"):
            for op in ("<>", ">=", ">", "<=", "<", "="):
                if op in part:
                    name, _, value = part.partition(op)
                    conds.append(Condition(name.strip(), op, value.strip(), skip_if))
                    break
        return conds

    def _parse_record(self, tokens: list, conditions: list):
        cmd, params = tokens[0], tokens[1:]
        line = self.pos + 1
        if cmd == "statement":
            return self._parse_statement(params, line, conditions)
        if cmd == "query":
            return self._parse_query(params, line, conditions)
        self.pos += 1  # every other command is a single line
        if cmd == "halt":
            return "halt"
        if cmd == "endloop":
            return "endloop"
        if cmd in ("loop", "concurrentloop"):
            if len(params) != 3:
                self._fail("Expected loop [iterator_name] [start] [end] (e.g. loop i 1 300)", line)
            try:
                start, end = int(params[1]), int(params[2])
            except ValueError:
                self._fail("loop_start and loop_end must be a number", line)
            return Loop(line, params[0], start, end)
        if cmd in ("foreach", "concurrentforeach"):
            if len(params) < 2:
                self._fail("expected foreach [iterator_name] [m1] [m2] [etc...]", line)
            toks: list = []
            for p in params[1:]:
                toks.extend(FOREACH_GROUPS.get(p.strip().lower(), [p]))
            return Loop(line, params[0], 0, len(toks), toks)
        if cmd == "mode":
            if len(params) != 1:
                self._fail("mode requires one parameter", line)
            if params[0] not in ("skip", "unskip", "output_result", "output_hash", "no_output", "debug"):
                self._fail(f"unrecognized mode: {params[0]}", line)
            return Command(line, cmd, params)
        if cmd == "hash-threshold":
            if len(params) != 1 or not params[0].lstrip("-").isdigit():
                self._fail("hash-threshold requires a numeric parameter", line)
            return Command(line, cmd, params)
        if cmd == "require":
            if not params:
                self._fail("require requires a single parameter", line)
            return Command(line, cmd, params)
        if cmd == "require-env":
            if len(params) not in (1, 2):
                self._fail("require-env requires 1 argument: <env name> [optional: <expected env val>]", line)
            value = os.environ.get(params[0])
            if value is not None and (len(params) == 1 or value == params[1]):
                self.kw.define(params[0], value, line)
            return Command(line, cmd, params)
        if cmd == "test-env":
            if len(params) != 2:
                self._fail("test-env requires 2 arguments: <env name> <default env val>", line)
            self.kw.define(params[0], params[1], line)
            return None
        if cmd == "load":
            path = self.kw.replace(params[0]) if params else ""
            readonly = len(params) > 1 and params[1] == "readonly"
            return Command(line, cmd, [path, "readonly" if readonly else ""])
        if cmd == "restart":
            return Command(line, cmd, params)
        if cmd == "reconnect":
            return Command(line, cmd, params)
        if cmd == "sleep":
            if len(params) != 2 or not params[0].isdigit():
                self._fail("sleep requires two parameters (e.g. sleep 1 second)", line)
            return Command(line, cmd, params)
        if cmd == "tags":
            return None  # test selection tags: nothing to do here
        if cmd in ("set", "reset", "unzip"):
            self._fail(f"'{cmd}' is not supported by this runner", line)
        self._fail(f"Unrecognized command '{cmd}'", line)

    def _parse_statement(self, params: list, line: int, conditions: list) -> Statement:
        if not params or params[0] not in ("ok", "error", "maybe"):
            self._fail("statement argument should be 'ok', 'error' or 'maybe'", line)
        self.pos += 1
        sql = self._extract_sql()
        if not sql:
            self._fail("Unexpected empty statement text", line)
        err_lines = self._extract_expected_error()
        expect = params[0]
        if expect == "ok" and err_lines is not None:
            self._fail("only statement error or maybe can have an expected error message, not statement ok", line)
        if expect != "ok" and err_lines is None:
            # Newer DuckDB runners reject this; write `----` and an (optionally empty) message.
            self._fail("statement error and maybe needs to have an expected error message "
                       "(add '----' and the expected text; an empty text accepts any error)", line)
        return Statement(line, self.kw.replace(sql), expect, "\n".join(err_lines or []),
                         params[1] if len(params) > 1 else "", conditions)

    def _parse_query(self, params: list, line: int, conditions: list) -> Query:
        if not params:
            self._fail("query requires at least one parameter (query III)", line)
        bad = [c for c in params[0] if c not in "TIR"]
        if bad:
            # DuckDB's runner fails on anything but T, I and R, so we do too.
            self._fail(f"unknown type character '{bad[0]}' in '{params[0]}', expected T, I or R only", line)
        self.pos += 1
        sql = self._extract_sql()
        if not sql:
            self._fail("Unexpected empty query text", line)
        # Results: skip `----`, then every line up to the next empty one. (If the SQL stopped at a
        # `#` line, that line and what follows become expected values, as in DuckDB.)
        if self.pos < len(self.lines) and self.lines[self.pos] == "----":
            self.pos += 1
        values = []
        while self.pos < len(self.lines) and self.lines[self.pos] != "":
            values.append(self.lines[self.pos])
            self.pos += 1
        q = Query(line, self.kw.replace(sql), len(params[0]), values, conditions=conditions)
        if len(params) > 1:
            if params[1] in SORT_STYLES:
                q.sort = SORT_STYLES[params[1]]
            else:
                q.connection = params[1]
        if len(params) > 2:
            q.label = params[2]
        return q


class Keywords:
    """__TEST_DIR__, __WORKING_DIRECTORY__ and ${VAR} (for variables from require-env/test-env)."""

    def __init__(self, test_dir: str):
        self.test_dir = test_dir
        self.vars: dict = {}

    def define(self, name: str, value: str, line: int):
        if name in self.vars:
            raise ParseError(line, f"Environment variable '{name}' has already been defined")
        self.vars[name] = value

    def replace(self, text: str) -> str:
        for name, value in self.vars.items():
            text = text.replace("${" + name + "}", value)
        text = text.replace("__TEST_DIR__", self.test_dir)
        return text.replace("__WORKING_DIRECTORY__", os.getcwd())


# ----------------------------------------------------------------------------------------------
# Executing SQL and rendering results
# ----------------------------------------------------------------------------------------------

NUMERIC_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                 "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE"}
DML_TYPES = {"INSERT", "UPDATE", "DELETE", "MERGE_INTO"}
# The 1.5 Python client wraps errors raised while fetching in this text; strip it so error
# messages look like DuckDB's own.
_PENDING_WRAPPER = re.compile(
    r"^Invalid Input Error: Attempting to execute an unsuccessful or closed pending query result\nError: ")


def is_numeric(type_name: str) -> bool:
    return type_name in NUMERIC_TYPES or type_name.startswith("DECIMAL")


def error_text(exc: BaseException) -> str:
    return _PENDING_WRAPPER.sub("", str(exc))


@dataclass
class Result:
    names: list
    types: list  # DuckDB type names, e.g. "INTEGER", "DECIMAL(18,3)"
    rows: list  # list of lists of rendered strings


def render(value, type_name: str) -> str:
    """One value as DuckDB's runner renders it (SQLLogicTestConvertValue in result_helper.cpp):
    NULL -> NULL, booleans -> 1/0, otherwise CAST(x AS VARCHAR) with '' -> (empty) and
    NUL bytes -> \\0. `value` is already the VARCHAR cast done by DuckDB itself."""
    if value is None:
        return "NULL"
    if type_name == "BOOLEAN":
        return "1" if value == "true" else "0"
    if value == "":
        return "(empty)"
    return value.replace("\x00", "\\0")


def _is_dml_without_returning(con, sql: str) -> bool:
    try:
        stmts = con.extract_statements(sql)
    except duckdb.Error:
        return False  # let the real execution report the parse error
    if not stmts:
        return False
    last = stmts[-1]
    return last.type.name in DML_TYPES and not re.search(r"\bRETURNING\b", last.query, re.I)


def run_query(con, sql: str) -> Result:
    """Run SQL once and fetch every value rendered by DuckDB's own VARCHAR cast.

    The statement becomes a relation (lazy for SELECT, already materialised for other
    statements); projecting `CAST(#i AS VARCHAR)` on it makes DuckDB do the rendering, so
    timestamps, decimals, intervals and nested types print exactly as the C++ runner prints
    them. INSERT/UPDATE/DELETE without RETURNING yield a "Count" row in DuckDB, which the 1.5
    Python client's relation API drops, so those go through execute()."""
    if _is_dml_without_returning(con, sql):
        con.execute(sql)
        rows = con.fetchall()
        desc = con.description or []
        return Result([d[0] for d in desc], [str(d[1]) for d in desc],
                      [["NULL" if v is None else str(v) for v in row] for row in rows])
    rel = con.sql(sql)
    if rel is None:  # statement without a result set (1.5 client); DuckDB reports "Success"
        return Result(["Success"], ["BOOLEAN"], [])
    types = [str(t) for t in rel.types]
    names = list(rel.columns)
    if not types:
        return Result(names, types, [])
    proj = rel.project(", ".join(f"CAST(#{i + 1} AS VARCHAR)" for i in range(len(types))))
    rows = [[render(v, t) for v, t in zip(row, types)] for row in proj.fetchall()]
    return Result(names, types, rows)


def run_statement(con, sql: str):
    """Execute and drain the result: errors raised while producing rows must surface here, as
    they do with DuckDB's materialising Connection::Query. (Relations cannot be drained in
    chunks in the 2.0 client, so this uses the cursor.)"""
    con.execute(sql)
    try:
        while con.fetchmany(4096):
            pass
    except duckdb.InvalidInputException as exc:
        if "no open result set" not in str(exc):
            raise


class ValueComparer:
    """Compares a rendered result value with an expected string (TestResultHelper::CompareValues).

    Exact string match first; then `<REGEX>:`/`<!REGEX>:`; for numeric columns both strings are
    cast to the column type (by DuckDB, so its cast rules apply) and compared, FLOAT/DOUBLE with
    ApproxEqual's tolerance |expected - actual| <= |actual| * 0.01 + 1e-8; BOOLEAN accepts
    true/false/1/0. Anything else must match exactly."""

    def __init__(self):
        self._con = duckdb.connect(":memory:")

    def _cast(self, text: str, type_name: str):
        """Returns (ok, value)."""
        if text == "NULL":
            return True, None
        try:
            value = self._con.execute(f"SELECT TRY_CAST($1::VARCHAR AS {type_name})", [text]).fetchone()[0]
        except duckdb.Error:
            return False, None
        return value is not None, value

    def equal(self, actual: str, expected: str, type_name: str, keywords: Keywords) -> bool:
        if actual == expected or actual == keywords.replace(expected):
            return True
        if expected.startswith(("<REGEX>:", "<!REGEX>:")) and regex_matches(actual, expected):
            return True
        if is_numeric(type_name):
            ok_a, a = self._cast(actual, type_name)
            ok_e, e = self._cast(expected, type_name)
            if not (ok_a and ok_e):
                return False
            if a is None or e is None:
                return a is None and e is None
            if type_name in ("FLOAT", "DOUBLE"):
                if math.isnan(a) and math.isnan(e):
                    return True
                if not (math.isfinite(a) and math.isfinite(e)):
                    return a == e
                return abs(e - a) <= abs(a) * 0.01 + 0.00000001
            return a == e
        if type_name == "BOOLEAN":
            # DuckDB treats two unparseable strings as equal here; we do not.
            a, e = _bool_of(actual), _bool_of(expected)
            return a is not None and a == e
        return False


def _bool_of(text: str) -> Optional[bool]:
    low = text.lower()
    if low in ("true", "1"):
        return True
    if low in ("false", "0"):
        return False
    return None


def regex_matches(text: str, pattern_spec: str) -> bool:
    """`<REGEX>:p` must fully match (dot matches newline), `<!REGEX>:p` must not (MatchesRegex)."""
    want = pattern_spec.startswith("<REGEX>:")
    pattern = pattern_spec.split(":", 1)[1]
    try:
        matched = re.fullmatch(pattern, text, re.DOTALL) is not None
    except re.error as exc:
        raise TestFailure(f"Failed to parse regex: {exc}")
    return matched == want


def is_hash(text: str) -> bool:
    return re.fullmatch(r"[0-9]+ values hashing to [0-9a-z]{32}", text) is not None


def result_hash(values: list) -> str:
    md5 = hashlib.md5()
    for v in values:
        md5.update(v.encode("utf-8", "surrogateescape") + b"\n")
    return f"{len(values)} values hashing to {md5.hexdigest()}"


def sort_values(values: list, ncols: int, style: str) -> list:
    if style == "valuesort":
        return sorted(values)
    if style == "rowsort" and ncols:
        rows = sorted(values[i:i + ncols] for i in range(0, len(values), ncols))
        return [v for row in rows for v in row]
    return list(values)


# ----------------------------------------------------------------------------------------------
# Executor
# ----------------------------------------------------------------------------------------------


class TestFailure(Exception):
    """A failed record; the message is the body of the report."""


class SkipFile(Exception):
    """The rest of the file is skipped (a `require` that is not met)."""


class _FileFailed(Exception):
    """Stops the current file after its first failure has been reported."""


@dataclass
class Stats:
    passed: int = 0
    failed: int = 0
    skipped: int = 0


def count_records(records: list) -> int:
    n = 0
    for r in records:
        if isinstance(r, (Statement, Query)):
            n += 1
        elif isinstance(r, Loop):
            n += count_records(r.body)
    return n


def indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + ln for ln in text.split("\n"))


class FileRunner:
    """Runs one file against a fresh in-memory database (or the one `load` names)."""

    def __init__(self, path: str, display: str, opts, stats: Stats, comparer: ValueComparer):
        self.path = path
        self.display = display
        self.opts = opts
        self.stats = stats
        self.cmp = comparer
        self.root = None  # the DuckDB database handle; connections are cursors of it
        self.con = None
        self.named: dict = {}
        self.dbpath = ""
        self.readonly = False
        self.loaded_extensions: list = []  # LOAD targets re-applied after load/restart
        self.hash_threshold = 0
        self.hash_labels: dict = {}
        self.output_result = False
        self.loop_vars: list = []  # [(name, value)] outermost first

    # -- database -------------------------------------------------------------------------
    def _open(self, path: str, readonly: bool, load_extensions: bool = True):
        self._close()
        config = {"allow_unsigned_extensions": "true",
                  # like DuckDB's runner: no implicit extension install/load
                  "autoinstall_known_extensions": "false",
                  "autoload_known_extensions": "false"}
        self.root = duckdb.connect(path or ":memory:", read_only=readonly, config=config)
        self.con = self.root.cursor()
        self.dbpath, self.readonly = path, readonly
        if load_extensions:
            for target in self.loaded_extensions:
                self.con.execute(f"LOAD {target}")

    def _settings(self) -> dict:
        try:
            return dict(self.con.execute("SELECT name, value FROM duckdb_settings()").fetchall())
        except duckdb.Error:
            return {}

    def _restart(self, load_extensions: bool):
        """Reopen the database file. DuckDB's RestartCommand carries the main connection's
        settings (and search path) over to the new database, so re-apply what changed."""
        before = self._settings()
        self._open(self.dbpath, self.readonly, load_extensions)
        fresh = self._settings()
        for name, value in before.items():
            if value is not None and fresh.get(name) != value:
                try:
                    literal = "'" + value.replace("'", "''") + "'"
                    self.con.execute(f'SET "{name}" = {literal}')
                except duckdb.Error:
                    pass  # read-only or derived settings

    def _close(self):
        for c in list(self.named.values()) + [self.con, self.root]:
            if c is not None:
                try:
                    c.close()
                except duckdb.Error:
                    pass
        self.named, self.con, self.root = {}, None, None

    def _connection(self, name: str):
        if not name:
            return self.con
        if name not in self.named:
            self.named[name] = self.root.cursor()
        return self.named[name]

    # -- running --------------------------------------------------------------------------
    def run(self) -> str:
        """Returns 'passed', 'failed' or 'skipped: <reason>'."""
        test_dir = tempfile.mkdtemp(prefix="sqllogictest_")
        self.kw = Keywords(test_dir)
        try:
            with open(self.path, encoding="utf-8", errors="surrogateescape") as f:
                lines = f.read().split("\n")
            parser = Parser(lines, self.kw)
            try:
                records = parser.parse()
            except ParseError as exc:
                self._report(exc.line, None, f"Parse error: {exc.msg}")
                self.stats.failed += 1
                return "failed"
            self.stats.skipped += parser.skipped
            try:
                self._open("", False)
                self._run_records(records, 0)
            except SkipFile as exc:
                return f"skipped: {exc}"
            except _FileFailed:
                return "failed"
            except Exception as exc:  # a bug or an unexpected client error: report, keep going
                self._report(0, None, f"Runner error: {type(exc).__name__}: {exc}\n"
                             + "".join(traceback.format_exception(exc)))
                self.stats.failed += 1
                return "failed"
            return "passed"
        finally:
            self._close()
            shutil.rmtree(test_dir, ignore_errors=True)

    def _run_records(self, records: list, depth: int):
        for i, rec in enumerate(records):
            try:
                self._run_record(rec)
            except SkipFile:
                # the rest of the file is skipped (DuckDB's SKIP_TEST on a failed require)
                if depth == 0:
                    self.stats.skipped += count_records(records[i + 1:])
                raise

    def _run_record(self, rec):
        if isinstance(rec, Loop):
            self._run_loop(rec)
            return
        if isinstance(rec, Command):
            self._run_command(rec)
            return
        if not self._conditions_hold(rec):
            self.stats.skipped += 1
            return
        sql = self._loop_replace(rec.sql)
        try:
            if isinstance(rec, Statement):
                self._check_statement(rec, sql)
            else:
                self._check_query(rec, sql)
        except (TestFailure, duckdb.Error) as exc:
            self._report(rec.line, sql, str(exc))
            self.stats.failed += 1
            raise _FileFailed()
        except Exception as exc:  # e.g. a Python-client conversion problem
            self._report(rec.line, sql, f"Runner error: {type(exc).__name__}: {exc}\n"
                         + "".join(traceback.format_exception(exc)))
            self.stats.failed += 1
            raise _FileFailed()
        self.stats.passed += 1

    def _run_loop(self, loop: Loop):
        # like LoopCommand::ExecuteInternal, the body runs at least once
        idx = loop.start
        while True:
            value = loop.tokens[idx] if loop.tokens is not None else str(idx)
            self.loop_vars.append((loop.name, value))
            try:
                self._run_records(loop.body, 1)
            finally:
                self.loop_vars.pop()
            idx += 1
            if idx >= loop.end:
                break

    def _loop_replace(self, text: str) -> str:
        for name, value in self.loop_vars:
            if "," in name:
                names, values = name.split(","), value.split(",")
                if len(names) != len(values):
                    raise TestFailure(f"foreach loop: number of commas in '{name}' does not match '{value}'")
                for n, v in zip(names, values):
                    text = text.replace("${" + n + "}", v)
            else:
                text = text.replace("${" + name + "}", value)
        return text

    def _conditions_hold(self, rec) -> bool:
        for cond in rec.conditions:
            found = [v for n, v in self.loop_vars if n == cond.name]
            if not found:
                raise TestFailure(f"Condition in onlyif/skipif not found: {cond.name} must be a loop iterator name")
            value = found[-1]
            if cond.op in ("=", "<>"):
                holds = (value == cond.value) == (cond.op == "=")
            else:
                a, b = int(value), int(cond.value)
                holds = {">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[cond.op]
            if holds == cond.skip_if:
                return False
        return True

    # -- commands -------------------------------------------------------------------------
    def _run_command(self, rec: Command):
        name, params = rec.name, rec.params
        if name == "require":
            self._require(rec)
        elif name == "require-env":
            value = os.environ.get(params[0])
            if value is None:
                raise SkipFile(f"require-env {params[0]} (not set)")
            if len(params) == 2 and value != params[1]:
                raise SkipFile(f"require-env {params[0]} {params[1]} (is '{value}')")
        elif name == "load":
            path, readonly = self._loop_replace(params[0]), params[1] == "readonly"
            if path and not readonly:
                for p in (path, path + ".wal"):
                    if os.path.exists(p):
                        os.remove(p)
            self._with_line(rec, lambda: self._open(path, readonly))
        elif name == "restart":
            if not self.dbpath:
                self._fail_command(rec, 'cannot restart an in-memory database, did you forget to call "load"?')
            load_ext = not (len(params) == 1 and params[0] == "no_extension_load")
            self._with_line(rec, lambda: self._restart(load_ext))
        elif name == "reconnect":
            self.con.close()
            self.con = self.root.cursor()
        elif name == "mode":
            mode = params[0]
            if mode in ("output_result", "debug"):
                self.output_result = True
            elif mode == "no_output":
                self.output_result = False
            # output_hash only prints in DuckDB; nothing to do
        elif name == "hash-threshold":
            self.hash_threshold = int(params[0])
        elif name == "sleep":
            unit = params[1].rstrip("s")
            scale = {"second": 1, "sec": 1, "millisecond": 1e-3, "milli": 1e-3, "microsecond": 1e-6,
                     "micro": 1e-6, "nanosecond": 1e-9, "nano": 1e-9}.get(unit)
            if scale is None:
                self._fail_command(rec, f"Unrecognized sleep unit {params[1]}")
            time.sleep(int(params[0]) * scale)

    def _with_line(self, rec: Command, fn):
        try:
            fn()
        except duckdb.Error as exc:
            self._fail_command(rec, f"{rec.name} failed: {error_text(exc)}")

    def _fail_command(self, rec: Command, msg: str):
        self._report(rec.line, None, msg)
        self.stats.failed += 1
        raise _FileFailed()

    def _require(self, rec: Command):
        param = rec.params[0].lower()
        ext_path = self.opts.extension
        ext_name = os.path.basename(ext_path).split(".")[0].lower() if ext_path else "cloudfront"
        if param == ext_name:
            if not ext_path:
                self._fail_command(rec, f"require {param}: pass --extension PATH to load it")
            target = "'" + os.path.abspath(ext_path).replace("'", "''") + "'"
            try:
                self.con.execute(f"LOAD {target}")
            except duckdb.Error as exc:
                self._fail_command(rec, f"require {param}: could not load {ext_path}: {error_text(exc)}")
            self.loaded_extensions.append(target)
            return
        present = self._require_builtin(param, rec.params[1:])
        if present is None:  # an extension: try to load it; if it cannot be loaded, skip the file
            if not re.fullmatch(r"[a-z0-9_]+", param):
                raise SkipFile(f"require {param} (not an extension name)")
            try:
                self.con.execute(f"LOAD {param}")
            except duckdb.Error as exc:
                first = error_text(exc).split("\n", 1)[0]
                raise SkipFile(f"require {param} ({first})")
            self.loaded_extensions.append(param)
        elif not present:
            raise SkipFile(f"require {' '.join(rec.params)}")

    @staticmethod
    def _require_builtin(param: str, args: list) -> Optional[bool]:
        """The non-extension `require` flags of sqllogic_test_runner.cpp; None = an extension."""
        windows = sys.platform.startswith("win")
        if param in ("windows", "mingw"):
            return windows and param == "windows"
        if param in ("notwindows", "notmingw"):
            return not windows or param == "notmingw"
        if param == "64bit":
            return sys.maxsize > 2 ** 32
        if param in ("vector_size", "exact_vector_size"):
            # the Python wheels use STANDARD_VECTOR_SIZE 2048
            n = int(args[0]) if args and args[0].isdigit() else 0
            return n <= 2048 if param == "vector_size" else n == 2048
        if param in ("block_size",):
            return bool(args) and args[0] == "262144"
        if param in ("skip_reload", "noforcestorage", "nothreadsan", "strinline", "noalternativeverify",
                     "no_alternative_verify", "no_latest_storage", "no_vector_verification",
                     "no_extension_autoloading", "allow_unsigned_extensions", "ram", "disk_space",
                     "longdouble"):
            return True
        return None

    # -- statements -----------------------------------------------------------------------
    def _check_statement(self, st: Statement, sql: str):
        con = self._connection(st.connection)
        try:
            run_statement(con, sql)
            error = None
        except duckdb.Error as exc:
            error = error_text(exc)
        if self.output_result:
            print(f"{self.display}:{st.line}: {'OK' if error is None else error}")
        if st.expect == "ok":
            if error is not None:
                raise TestFailure(f"Query unexpectedly failed (statement ok):\n{indent(error)}")
            return
        if error is not None and any(m in error for m in ("INTERNAL", "differs from original result!")):
            raise TestFailure(f"Query failed with an internal error (never expected):\n{indent(error)}")
        if error is None:
            if st.expect == "error":
                raise TestFailure("Query unexpectedly succeeded (statement error): an error was expected"
                                  + (f" containing:\n{indent(st.expected_error)}" if st.expected_error else ""))
            return
        exp = st.expected_error
        if not exp or exp in error or self.kw.replace(exp) in error:
            return
        if exp.startswith(("<REGEX>:", "<!REGEX>:")) and regex_matches(error + "\n", exp):
            return
        raise TestFailure(f"Error message mismatch.\nExpected error:\n{indent(exp)}\nActual error:\n{indent(error)}")

    # -- queries --------------------------------------------------------------------------
    def _check_query(self, q: Query, sql: str):
        con = self._connection(q.connection)
        try:
            res = run_query(con, sql)
        except duckdb.Error as exc:
            raise TestFailure(f"Query unexpectedly failed:\n{indent(error_text(exc))}")
        ncols = len(res.types)
        actual = sort_values([v for row in res.rows for v in row], ncols, q.sort)
        nrows = len(res.rows)
        if self.output_result:
            print(f"{self.display}:{q.line}:\n" + self._format_rows(actual, ncols, "    "))
        expected = [self._loop_replace(v) for v in q.values]

        result_is_hash = len(expected) == 1 and is_hash(expected[0])
        if q.label or result_is_hash or (self.hash_threshold > 0 and len(actual) > self.hash_threshold):
            digest = result_hash(actual)
            if q.label:
                stored = self.hash_labels.setdefault(q.label, digest)
                if stored != digest:
                    raise TestFailure(f"Wrong result hash for label '{q.label}':\n    expected {stored}\n"
                                      f"    actual   {digest}\nActual result:\n{self._format_rows(actual, ncols)}")
            if result_is_hash and expected[0] != digest:
                raise TestFailure(f"Wrong result hash:\n    expected {expected[0]}\n    actual   {digest}\n"
                                  f"Actual result:\n{self._format_rows(actual, ncols)}")
            return

        def mismatch(msg: str):
            raise TestFailure(f"{msg}\nExpected result:\n{self._format_expected(expected)}\n"
                              f"Actual result:\n{self._format_rows(actual, ncols)}")

        col_mismatch = q.ncols != ncols
        col_msg = (f"Wrong column count: the query header declares {q.ncols} column(s) "
                   f"but the result has {ncols}")
        if ncols == 0:
            mismatch("The query returned no columns")
        row_wise = ncols > 1 and len(expected) == nrows
        if not row_wise:
            row_wise = all("\t" in v for v in expected)
        if row_wise:
            expected_rows = len(expected)
        elif len(expected) % ncols != 0:
            mismatch(col_msg if col_mismatch else
                     f"Expected {len(expected)} values, not divisible by the {ncols} result columns")
        else:
            expected_rows = len(expected) // ncols
        if expected_rows != nrows:
            mismatch(col_msg if col_mismatch else f"Wrong row count: expected {expected_rows} rows, got {nrows}")
        if row_wise:
            flat = []
            for i, line in enumerate(expected):
                # DuckDB splits on tabs and drops empty pieces (StringUtil::Split)
                parts = [p for p in line.split("\t") if p] or [line]
                if len(parts) != ncols:
                    mismatch(col_msg if col_mismatch else
                             f"Expected row {i + 1} has {len(parts)} tab-separated values, the result has "
                             f"{ncols} columns (values in a row are separated by a TAB)")
                flat.extend(parts)
            expected_flat = flat
        else:
            expected_flat = expected
        for i, (a, e) in enumerate(zip(actual, expected_flat)):
            col = i % ncols
            if not self.cmp.equal(a, e, res.types[col], self.kw):
                mismatch(f"Wrong result: mismatch on row {i // ncols + 1}, column {col + 1} "
                         f"(\"{res.names[col]}\", {res.types[col]}):\n    actual:   {a}\n    expected: {e}")
        if col_mismatch:
            mismatch(col_msg + " (the values match)")

    # -- output ---------------------------------------------------------------------------
    @staticmethod
    def _format_rows(values: list, ncols: int, prefix: str = "    ") -> str:
        if not values:
            return prefix + "(no rows)"
        ncols = ncols or 1
        return "\n".join(prefix + "\t".join(values[i:i + ncols]) for i in range(0, len(values), ncols))

    @staticmethod
    def _format_expected(values: list) -> str:
        return "\n".join("    " + v for v in values) if values else "    (no rows)"

    def _report(self, line: int, sql: Optional[str], msg: str):
        bar = "=" * 80
        where = f"{self.display}:{line}"
        if self.loop_vars:
            where += "  [" + ", ".join(f"{n}={v}" for n, v in self.loop_vars) + "]"
        out = [bar, f"FAIL {where}", "-" * 80]
        if sql is not None:
            out += [indent(sql), "-" * 80]
        out += [msg, bar]
        print("\n".join(out), flush=True)


# ----------------------------------------------------------------------------------------------
# CLI
# ----------------------------------------------------------------------------------------------


def find_tests(paths: list, substr: Optional[str]) -> list:
    files = []
    for p in paths:
        if os.path.isdir(p):
            for dirpath, _, names in os.walk(p):
                files += [os.path.join(dirpath, n) for n in names if n.endswith(".test")]
        elif os.path.isfile(p):
            files.append(p)
        else:
            print(f"sqllogictest: no such file or directory: {p}", file=sys.stderr)
    files = sorted(set(files))
    if substr:
        files = [f for f in files if substr in f]
    return files


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Run DuckDB sqllogictest files with the duckdb Python package.")
    ap.add_argument("paths", nargs="*", help="test files or directories (searched recursively for *.test)")
    ap.add_argument("--extension", help="extension file loaded by `require <name>` (name = file name up to the first '.')")
    ap.add_argument("--filter", help="only run files whose path contains this substring")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each file with its status and timing")
    opts = ap.parse_args(argv)

    files = find_tests(opts.paths, opts.filter)
    tz = duckdb.connect().execute("SELECT current_setting('TimeZone')").fetchone()[0]
    print(f"sqllogictest: duckdb {duckdb.__version__} (python {sys.version.split()[0]}, TimeZone {tz}), "
          f"{len(files)} file(s)", flush=True)
    stats = Stats()
    comparer = ValueComparer()
    failed_files = []
    for path in files:
        display = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
        start = time.monotonic()
        status = FileRunner(path, display, opts, stats, comparer).run()
        if status == "failed":
            failed_files.append(display)
        if opts.verbose or status.startswith("skipped"):
            print(f"{status.split(':')[0].upper():7} {display} ({time.monotonic() - start:.2f}s)"
                  + (f": {status.split(': ', 1)[1]}" if ":" in status else ""), flush=True)
    if failed_files:
        print("failed files:\n" + "\n".join("    " + f for f in failed_files))
    if not files:
        print("sqllogictest: no test files found")
    elif stats.passed + stats.failed == 0:
        print("sqllogictest: no records were run")
    print(f"sqllogictest: {stats.passed} passed, {stats.failed} failed, {stats.skipped} skipped")
    return 1 if stats.failed or not files or stats.passed + stats.failed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
