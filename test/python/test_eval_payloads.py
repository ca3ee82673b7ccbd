"""scripts/eval_payloads.py's exclusion rule for "recall on intact payloads": damage() must leave
every intact payload form in (traversal templates in each separator spelling, Windows paths with
their backslashes, command injection with real spaces) and take out only values whose text shows
the data set's own damage. The values below are written here by hand in the forms FuzzDB and the
HttpParamsDataset use; none is read from the data set."""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("eval_payloads", ROOT / "scripts" / "eval_payloads.py")
ev = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ev)


@pytest.mark.parametrize("value", [
    # Traversal templates: {file} after a plain or an encoded separator, however deep.
    "/../../{file}",
    "/..\\..\\{file}",
    "/..%2f..%2f{file}",
    "/..%c0%af{file}",
    "/..%5c{file}",
    "/0x2e0x2e0x5c{file}",
    "/..%u2215{file}",
    "/%uff0e%uff0e/{file}",
    "/aaaaaaaa/../../{file}",
    # Windows and Unix paths with their separators.
    "..\\..\\..\\etc\\passwd",
    "c:\\boot.ini",
    "..\\..\\web-inf\\web.xml",
    "file:///etc/passwd",
    # Command injection sent with real spaces; SQL injection and XSS.
    "| dir c:",
    "; cat /etc/passwd",
    "1' or '1'='1",
    "<script>alert(1)</script>",
    # A dot run before a separator is a real traversal form.
    "/..../..../{file}",
])
def test_intact_payloads_stay_in(value):
    assert ev.damage(value) is None


@pytest.mark.parametrize("value,reason", [
    ('+|+dir+c:",10,cmdi,anom $+|+dir+c:"', "csv rows merged"),
    ("$+|+dir+c:/", "already URL-encoded"),
    ("/aaaa....{file}", "template separator lost"),
    ("/./.{file}", "template separator lost"),
    ("/ii{file}", "template separator lost"),
    ("/{file}", "template separator lost"),
    ("//////{file}", "template separator lost"),
    ("........etcpasswd", "path separator lost"),
    ("c:inetpubwwwrootglobal.asa", "path separator lost"),
    ("c:oot.ini", "path separator lost"),
    ("web-infweb.xml", "path separator lost"),
    ("asdf3334", "no attack syntax"),
])
def test_damaged_values_are_left_out_with_their_reason(value, reason):
    assert ev.damage(value) == reason


def test_form_encoding_is_a_browsers():
    # WHATWG application/x-www-form-urlencoded: space as "+", only A-Z a-z 0-9 * - . _ kept.
    assert ev.form_encode("a b+c/é*-._~") == "a+b%2Bc%2F%C3%A9*-._%7E"
