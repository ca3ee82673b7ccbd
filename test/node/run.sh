#!/bin/sh
# Node.js client test: installs the pinned @duckdb/node-api (package-lock.json) and runs test.mjs
# with node's built-in test runner. Run from anywhere: sh test/node/run.sh
# CLOUDFRONT_EXTENSION names the extension to load (default: build/release/cloudfront.duckdb_extension
# of this repo).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# A relative CLOUDFRONT_EXTENSION is relative to the caller's directory; the default to the repo root.
ext="${CLOUDFRONT_EXTENSION:-$root/build/release/cloudfront.duckdb_extension}"
case "$ext" in
    /*) ;;
    *) ext="$(pwd)/$ext" ;;
esac
cd "$here"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "node client test FAILED: node and npm are needed (e.g. apt-get install nodejs npm)" >&2
    exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
    echo "node client test FAILED: node >= 20 is needed for node --test and @duckdb/node-api, found $(node --version)" >&2
    exit 1
fi

npm ci --no-audit --no-fund --loglevel=error >/dev/null

CLOUDFRONT_EXTENSION="$ext" node --test test.mjs
