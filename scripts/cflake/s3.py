"""S3 access for the scripts that read or write s3:// (make hunt, make lake): which httpfs to
load and the S3 secret, both from the environment a user of the AWS tools already has.

- httpfs: `LOAD httpfs` (DuckDB installs it on first use), or the file $CLOUDFRONT_HTTPFS names
  (e.g. the build the duckdb-extension-httpfs package ships, loaded with
  allow_extensions_metadata_mismatch since its version differs from the client's).
- The secret: from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN, AWS_REGION or
  AWS_DEFAULT_REGION) when AWS_ACCESS_KEY_ID is set, else DuckDB's credential chain (the aws
  extension). AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (the AWS SDKs' variables) name an
  S3-compatible server (MinIO, a local test server): its host:port, path-style URLs, and TLS
  only for https://.
"""
from __future__ import annotations

import os
import urllib.parse

from .sqltext import sql_str


def httpfs_statements() -> list[str]:
    """The statements that load httpfs."""
    path = os.environ.get("CLOUDFRONT_HTTPFS")
    if path:
        return ["SET allow_extensions_metadata_mismatch = true", f"LOAD {sql_str(path)}"]
    return ["LOAD httpfs"]


def secret_sql(name: str, mask: bool = False) -> str:
    """CREATE OR REPLACE SECRET `name` for s3:// from the environment (`mask`: the secret key and
    session token shown as *** for logs)."""
    key = os.environ.get("AWS_ACCESS_KEY_ID")
    if not key:
        return f"CREATE OR REPLACE SECRET {name} (TYPE s3, PROVIDER credential_chain)"
    opts = [("KEY_ID", key), ("SECRET", os.environ.get("AWS_SECRET_ACCESS_KEY", ""))]
    if os.environ.get("AWS_SESSION_TOKEN"):
        opts.append(("SESSION_TOKEN", os.environ["AWS_SESSION_TOKEN"]))
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        opts.append(("REGION", region))
    extra = []
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        u = urllib.parse.urlparse(endpoint if "://" in endpoint else "https://" + endpoint)
        opts.append(("ENDPOINT", u.netloc))
        extra = ["URL_STYLE 'path'", f"USE_SSL {'true' if u.scheme == 'https' else 'false'}"]
    parts = [f"{k} {sql_str('***' if mask and k in ('SECRET', 'SESSION_TOKEN') else v)}" for k, v in opts]
    return f"CREATE OR REPLACE SECRET {name} (TYPE s3, {', '.join(parts + extra)})"


def shell_preamble(secret_name: str, shown: bool = False) -> str:
    """Input for the duckdb shell that makes s3:// readable: httpfs and the secret `secret_name`,
    one statement a line. CREATE SECRET prints a row, so they run between `.output /dev/null` and
    `.output`, keeping that row out of the results the caller parses. `shown`: the copy for a
    reader (the analyst log), the secret key and token masked and without the .output lines."""
    sql = "".join(stmt + ";\n" for stmt in [*httpfs_statements(), secret_sql(secret_name, mask=shown)])
    return sql if shown else ".output /dev/null\n" + sql + ".output\n"
