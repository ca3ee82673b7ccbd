"""S3 on loopback: a moto S3 server on 127.0.0.1 (started and stopped here, with IAM
authentication on, so wrong credentials are refused), DuckDB's httpfs from PyPI
(duckdb-extension-httpfs, a 1.5.5 build that the 1.5.6 shell loads with
allow_extensions_metadata_mismatch), and the 1.5.6 shell running the SQL a user would type.

The server's request log (werkzeug's access log on its stderr) counts the objects a query
fetched, independently of what the extension reports."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXT = os.environ.get("CLOUDFRONT_EXTENSION", str(ROOT / "build/release/cloudfront.duckdb_extension"))
SHELL = os.environ.get("DUCKDB_SHELL", str(ROOT / ".venv/bin/duckdb"))
CFGEN = ROOT / "target/release/cfgen"
BUCKET = "cf-logs"
LEGACY_PREFIX = "AWSLogs/123456789012/CloudFront"
HIVE_PREFIX = "v2/DistributionId=E2EXAMPLE123ABC"


def httpfs_path() -> str:
    import duckdb_extension_httpfs  # the PyPI package: ships the extension file, no code to call

    found = sorted(Path(duckdb_extension_httpfs.__file__).parent.glob("extensions/*/httpfs.duckdb_extension"))
    if not found:
        pytest.fail("duckdb-extension-httpfs is installed but has no httpfs.duckdb_extension")
    return str(found[-1])


@dataclass
class S3Server:
    url: str
    port: int
    key: str
    secret: str
    log: Path
    proc: subprocess.Popen
    s3: object = field(repr=False)

    def mark(self) -> int:
        """The current end of the request log (requests after it are the next query's)."""
        time.sleep(0.2)  # the access log line is written after the response
        return self.log.stat().st_size

    def fetched(self, since_mark: int) -> dict[str, int]:
        """Object keys requested (GET or HEAD) after `since_mark`, with how many requests each."""
        time.sleep(0.2)
        with self.log.open("rb") as f:
            f.seek(since_mark)
            text = f.read().decode("utf-8", "replace")
        counts: dict[str, int] = {}
        for m in re.finditer(rf'"(?:GET|HEAD) /{BUCKET}/([^ ?"]+)[^"]*" \d{{3}}', text):
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
        return counts

    def secret_sql(self, key: str | None = None, secret: str | None = None) -> str:
        return (f"CREATE OR REPLACE SECRET loopback (TYPE s3, KEY_ID '{key or self.key}', SECRET '{secret or self.secret}', "
                f"REGION 'us-east-1', ENDPOINT '127.0.0.1:{self.port}', URL_STYLE 'path', USE_SSL false);\n")

    def env(self) -> dict[str, str]:
        """The standard AWS variables make hunt reads, for this server."""
        return {"AWS_ACCESS_KEY_ID": self.key, "AWS_SECRET_ACCESS_KEY": self.secret, "AWS_REGION": "us-east-1",
                "AWS_ENDPOINT_URL_S3": self.url, "CLOUDFRONT_HTTPFS": httpfs_path()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    import boto3

    log = tmp_path_factory.mktemp("moto") / "requests.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # IAM authentication is enforced after the first 3 requests (creating the user, its policy
    # and its key, below); from then on only that key is accepted.
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "3"}
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                stdout=subprocess.DEVNULL, stderr=err, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the moto S3 server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.1)
        iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup")
        iam.create_user(UserName="analyst")
        iam.put_user_policy(UserName="analyst", PolicyName="s3", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="analyst")["AccessKey"]
        s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                          aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
        s3.create_bucket(Bucket=BUCKET)
        yield S3Server(url, port, key["AccessKeyId"], key["SecretAccessKey"], log, proc, s3)
    finally:
        # The server and anything it started: its own process group.
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


@dataclass
class Day:
    dir: Path
    files: list[Path]
    lines: int


@pytest.fixture(scope="session")
def day(server, tmp_path_factory):
    """A generated day (24 hourly gzip files) uploaded twice: under the legacy prefix with legacy
    names, and under v2 Hive-compatible hour partitions."""
    if not CFGEN.exists():
        pytest.fail("target/release/cfgen is missing: run `make cfgen`")
    out = tmp_path_factory.mktemp("day")
    subprocess.run([str(CFGEN), "--out", str(out), "--lines", "12000", "--seed", "5"], check=True, capture_output=True)
    files = sorted(out.glob("*.gz"))
    for f in files:
        hour = f.name.split(".")[1][-2:]
        server.s3.upload_file(str(f), BUCKET, f"{LEGACY_PREFIX}/{f.name}")
        server.s3.upload_file(str(f), BUCKET, f"{HIVE_PREFIX}/year=2026/month=11/day=20/hour={hour}/{f.name.replace('.', '-', 2)}")
    return Day(out, files, json.loads((out / "truth.json").read_text())["lines"])


def shell(sql: str, server: S3Server | None = None, secret: str | None = None) -> subprocess.CompletedProcess:
    """Runs `sql` in the 1.5.6 shell with httpfs, the extension and (by default) the loopback
    secret, one value per line (`-list -noheader`)."""
    pre = (".output /dev/null\nSET allow_extensions_metadata_mismatch = true;\n"
           f"LOAD '{httpfs_path()}';\nLOAD '{EXT}';\n")
    if server is not None:
        pre += secret if secret is not None else server.secret_sql()
    pre += ".output\n"  # what follows prints
    return subprocess.run([SHELL, "-unsigned", "-bail", "-list", "-noheader"], input=pre + sql, capture_output=True,
                          text=True, timeout=300)


def local_count(files: list[Path], where: str = "true") -> int:
    """Rows of local files, with the extension on DuckDB 1.5.6 (no S3 involved)."""
    listed = ", ".join(f"'{f}'" for f in files)
    r = shell(f"SELECT count(*) FROM read_cloudfront([{listed}]) WHERE {where};")
    assert r.returncode == 0, r.stderr
    return int(r.stdout.strip())
