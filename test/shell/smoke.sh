#!/bin/sh
# The duckdb shell (1.5.6, from the project's environment) loads the extension unsigned and runs a query.
set -eu
: "${CLOUDFRONT_EXTENSION:?path of the built extension}"
: "${DUCKDB_SHELL:?path of the duckdb shell}"
expected=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)
got=$("$DUCKDB_SHELL" -unsigned -noheader -csv -c "LOAD '$CLOUDFRONT_EXTENSION'; SELECT cloudfront_version();")
if [ "$got" != "$expected" ]; then
    echo "shell smoke test FAILED: cloudfront_version() returned '$got', expected '$expected'" >&2
    exit 1
fi
echo "shell smoke test passed: $("$DUCKDB_SHELL" --version | cut -d' ' -f1) loaded cloudfront $got"
