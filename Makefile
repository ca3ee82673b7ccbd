# cloudfront DuckDB extension.
#   make            build build/release/cloudfront.duckdb_extension
#   make test       every test (cargo, SQL-logic on DuckDB 1.5.6 and 2.0.x, shell smoke, clients)
#   make hunt       the main job: hunt through LOGS (or a generated sample day), OUT/report.html
#   make wheel      the Python package (dist/*.whl) with the compiled extension
#   make bench      reader, scalar and decompression benchmarks
#   make lake       LOGS='glob' LAKE=dir [ENGINE=spark]: the enriched Parquet lake (docs/scale.md)
#   make spark-hunt LAKE=dir OUT=dir: cf_hunt as Spark SQL over the lake
#   make athena-sql LAKE_URI=s3://... OUT=dir: the lake's Athena table and every hunt in Trino SQL
# Targets `configure`, `debug`, `release`, `test_debug`, `test_release`, `clean` are the ones the
# community-extensions CI calls for C API extensions.

EXTENSION_NAME := cloudfront
CAPI_VERSION   := v1.5.6
PYTHON         ?= python3
CARGO          ?= cargo
VENV           := .venv
VENV156        := .venv-duckdb156
PY             := $(VENV)/bin/python
PY156          := $(VENV156)/bin/python
DUCKDB_SHELL   := $(VENV)/bin/duckdb
RELEASE_EXT    := build/release/$(EXTENSION_NAME).duckdb_extension
DEBUG_EXT      := build/debug/$(EXTENSION_NAME).duckdb_extension
CFGEN          := target/release/cfgen
# uv, found at recipe time (a recursive variable), so a uv installed by `ensure-uv` is used.
UV              = $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
# The cdylib's file name differs per platform.
ifeq ($(shell uname -s),Darwin)
LIB_FILE       := lib$(EXTENSION_NAME).dylib
else
LIB_FILE       := lib$(EXTENSION_NAME).so
endif

.PHONY: all release debug configure venv test test_release test_debug test_rust test_sql test_shell test_skill generated fmt \
        test_python test_clients test_s3 test_fuzz clean ensure-uv bench hunt eval fuzz cfgen \
        lake spark-hunt athena-sql test_lake \
        wheel report-assets ensure-chromium test_package test_report

all: release

# ---------------------------------------------------------------------------------------- build
release:
	$(CARGO) build --release --lib
	$(PYTHON) scripts/extension_metadata.py target/release/$(LIB_FILE) $(RELEASE_EXT) --capi-version $(CAPI_VERSION)

debug:
	$(CARGO) build --lib
	$(PYTHON) scripts/extension_metadata.py target/debug/$(LIB_FILE) $(DEBUG_EXT) --capi-version $(CAPI_VERSION)

cfgen:
	$(CARGO) build --release -p cfgen

# ------------------------------------------------------------------------- python environments
# Two environments managed by uv from pinned requirement files: DuckDB 2.0.x (Python) with the
# DuckDB 1.5.6 shell, and DuckDB 1.5.6 (Python) so the SQL-logic tests run on both engines.
ensure-uv:
	@command -v uv >/dev/null 2>&1 || test -x $(HOME)/.local/bin/uv || \
	  $(PYTHON) -m pip install --quiet --user uv || $(PYTHON) -m pip install --quiet uv

$(VENV)/.done: test/requirements.txt | ensure-uv
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(VENV)
	$(UV) pip sync --quiet --python $(VENV)/bin/python test/requirements.txt
	touch $@

$(VENV156)/.done: test/requirements-duckdb156.txt | ensure-uv
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(VENV156)
	$(UV) pip sync --quiet --python $(VENV156)/bin/python test/requirements-duckdb156.txt
	touch $@

configure venv: $(VENV)/.done $(VENV156)/.done

# ----------------------------------------------------------------------------------------- test
test: test_release

test_release: release venv cfgen report-assets
	$(MAKE) --no-print-directory EXT=$(RELEASE_EXT) test_rust test_fuzz test_sql test_shell test_python test_clients test_package test_report test_s3 test_skill test_lake

test_debug: debug venv cfgen report-assets
	$(MAKE) --no-print-directory EXT=$(DEBUG_EXT) test_rust test_fuzz test_sql test_shell test_python test_clients test_package test_report test_s3 test_skill test_lake

EXT ?= $(RELEASE_EXT)

# Clippy on every target with warnings as errors (not_unsafe_ptr_arg_deref included: a safe
# function that dereferences a pointer it is given must be `unsafe fn`; see src/ext/capi).
test_rust:
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings -D clippy::not_unsafe_ptr_arg_deref
	$(CARGO) test --workspace --quiet

# One formatting style (rustfmt.toml) for the workspace and the fuzz crate.
fmt:
	$(CARGO) fmt --all
	cd fuzz && $(CARGO) fmt

# Files generated from the Rust tables (docs/function_descriptions.csv, ...): rewrites them; the
# tests fail while they are out of date.
generated:
	CF_UPDATE_GENERATED=1 $(CARGO) test --workspace --quiet generated_

# Short fuzz pass for make test: replays fuzz/seeds/ and runs the stable-toolchain mutation loop
# 5 s per target (make fuzz runs the libFuzzer targets for longer).
test_fuzz:
	cd fuzz && CARGO_TARGET_DIR=$(CURDIR)/target CF_FUZZ_SECONDS=5 $(CARGO) test --tests --quiet

FUZZ_SECONDS ?= 60
fuzz:
	sh fuzz/run.sh $(FUZZ_SECONDS)

test_sql:
	@echo "== SQL-logic tests on DuckDB 2.0.x"
	$(PY) test/sqllogictest.py --extension $(EXT) test/sql
	@echo "== SQL-logic tests on DuckDB 1.5.6"
	$(PY156) test/sqllogictest.py --extension $(EXT) test/sql

test_shell:
	@echo "== duckdb 1.5.6 shell smoke test"
	CLOUDFRONT_EXTENSION=$(EXT) DUCKDB_SHELL=$(DUCKDB_SHELL) sh test/shell/smoke.sh

test_python:
	CLOUDFRONT_EXTENSION=$(EXT) DUCKDB_SHELL=$(DUCKDB_SHELL) $(PY) -m pytest -q test/python test/runner_tests
	CLOUDFRONT_EXTENSION=$(EXT) $(PY156) -m pytest -q test/python/test_extension_metadata.py test/runner_tests
	CLOUDFRONT_EXTENSION=$(EXT) DUCKDB_SHELL=$(DUCKDB_SHELL) $(PY156) -m pytest -q test/python/test_hostile.py -k "not concurrent and not long_scan and not deleted"

test_clients:
	@echo "== client tests: Python on DuckDB 1.5.6, Node.js (@duckdb/node-api), shell output modes"
	CLOUDFRONT_EXTENSION=$(EXT) $(PY156) -m pytest -q -rs test/python/test_clients.py
	CLOUDFRONT_EXTENSION=$(EXT) sh test/node/run.sh
	CLOUDFRONT_EXTENSION=$(EXT) DUCKDB_SHELL=$(DUCKDB_SHELL) sh test/shell/modes.sh

# The Python package: builds the wheel (cargo reuses target/, so after `make` nothing is compiled
# again), installs it into fresh virtual environments and uses it with DuckDB 2.0.x and polars.
test_package: venv | ensure-uv
	UV=$(UV) CARGO_TARGET_DIR=$(CURDIR)/target $(PY) -m pytest -q -rs test/package

# s3:// on loopback: the tests start a moto S3 server on 127.0.0.1 and stop it; httpfs comes from
# PyPI (duckdb-extension-httpfs, in the 1.5.6 environment) and runs in the 1.5.6 shell.
test_s3: venv cfgen
	CLOUDFRONT_EXTENSION=$(EXT) DUCKDB_SHELL=$(DUCKDB_SHELL) $(PY156) -m pytest -q -rs test/s3

# skills/cloudfront-analyst/SKILL.md executed block by block on a generated day, local and in a
# loopback S3 bucket (test/skill; the 1.5.6 shell, httpfs from PyPI, moto started and stopped there).
test_skill: venv cfgen report-assets
	CLOUDFRONT_EXTENSION=$(EXT) DUCKDB_SHELL=$(DUCKDB_SHELL) $(PY156) -m pytest -q -rs test/skill

# make hunt's report.html in headless Chromium (installed by ensure-chromium; see test/report).
test_report: venv cfgen report-assets ensure-chromium
	CLOUDFRONT_EXTENSION=$(EXT) DUCKDB_SHELL=$(DUCKDB_SHELL) $(PY) -m pytest -q -rs test/report

# Debian's chromium for the browser test, when missing: installed with apt-get when we are root;
# otherwise the test skips and says why (under CI=true it fails instead).
ensure-chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "== installing chromium with apt-get (for the report's browser test)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 chromium >/dev/null) \
	      || echo "chromium could not be installed: the report's browser test will say so"; \
	  else echo "chromium is missing and apt-get cannot run here (not root?): the report's browser test will skip"; fi; }

# dist/cloudfront_duckdb-<version>-py3-none-<platform>.whl (and the sdist).
wheel: | ensure-uv
	CARGO_TARGET_DIR=$(CURDIR)/target $(UV) build --out-dir dist

clean:
	$(CARGO) clean
	rm -rf build

# The lake's tests: both builders on a generated day, Spark SQL and Trino SQL rendered from the
# macros (test/lake). Spark runs in local mode; without Java they skip and say why (CI installs it).
test_lake: venv cfgen
	CLOUDFRONT_EXTENSION=$(EXT) $(PY) -m pytest -q -rs test/lake

# ------------------------------------------------------------------------------------ main job
# make hunt [LOGS='path, glob or comma-separated list'] [OUT=hunt-out] [SINCE=2026-11-20T10:00] [UNTIL=...]
# (s3:// globs are listed by DuckDB's glob(); credentials from AWS_* variables, see scripts/hunt.py)
OUT ?= hunt-out
hunt: release venv cfgen report-assets
	CLOUDFRONT_EXTENSION=$(RELEASE_EXT) DUCKDB_SHELL=$(DUCKDB_SHELL) $(PY) scripts/hunt.py --out "$(OUT)" $(if $(LOGS),--logs "$(LOGS)") $(if $(SINCE),--since "$(SINCE)") $(if $(UNTIL),--until "$(UNTIL)")

# The report's charting library and world map (exact versions in scripts/report_assets/package-lock.json),
# inlined into OUT/report.html. Without npm, make hunt still runs and says why there is no report.
REPORT_ASSETS := scripts/report_assets/node_modules/.package-lock.json
$(REPORT_ASSETS): scripts/report_assets/package-lock.json
	cd scripts/report_assets && npm ci --no-audit --no-fund --loglevel=error

report-assets:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(REPORT_ASSETS); \
	else echo "npm is missing: make hunt will not write report.html (install Node.js with npm)"; fi

# ----------------------------------------------------------------------------------------- lake
# make lake LOGS='path, glob or comma-separated list (local or s3://)' LAKE=dir [ENGINE=duckdb|spark]
#   [SPARK_MASTER=local[2]] [FILES_PER_TASK=n]; re-runs ingest only files not in LAKE/_manifest.
#   s3:// in LOGS or LAKE (ENGINE=duckdb): the SQL runs in the duckdb shell with httpfs (LOAD httpfs,
#   or the file CLOUDFRONT_HTTPFS names), credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
#   [AWS_SESSION_TOKEN, AWS_REGION] else the credential chain, and AWS_ENDPOINT_URL_S3 (or
#   AWS_ENDPOINT_URL) for an S3-compatible server (docs/scale.md).
ENGINE ?= duckdb
SPARK_MASTER ?= local[2]
lake: release venv
	@test -n "$(LOGS)" -a -n "$(LAKE)" || { echo "usage: make lake LOGS='glob' LAKE=dir [ENGINE=duckdb|spark]"; exit 2; }
	PYTHONPATH=$(CURDIR)/scripts CLOUDFRONT_EXTENSION=$(abspath $(RELEASE_EXT)) DUCKDB_SHELL=$(abspath $(DUCKDB_SHELL)) $(PY) -m cflake.build --logs "$(LOGS)" --lake "$(if $(findstring ://,$(LAKE)),$(LAKE),$(abspath $(LAKE)))" \
	  --engine $(ENGINE) --master "$(SPARK_MASTER)" $(if $(FILES_PER_TASK),--files-per-task $(FILES_PER_TASK))

# make spark-hunt LAKE=dir OUT=dir [HUNT_ARGS='--all --param cf_ddos.per_ip_limit=200']
spark-hunt: release venv
	@test -n "$(LAKE)" || { echo "usage: make spark-hunt LAKE=dir OUT=dir"; exit 2; }
	cd scripts && CLOUDFRONT_EXTENSION=$(CURDIR)/$(RELEASE_EXT) ../$(PY) -m cflake.spark --lake "$(abspath $(LAKE))" --out "$(abspath $(OUT))" \
	  --master "$(SPARK_MASTER)" $(HUNT_ARGS)

# make athena-sql LAKE_URI=s3://bucket/prefix OUT=dir [DATABASE=cloudfront] [TABLE=events]
DATABASE ?= cloudfront
TABLE ?= events
athena-sql: release venv
	@test -n "$(LAKE_URI)" || { echo "usage: make athena-sql LAKE_URI=s3://bucket/prefix OUT=dir"; exit 2; }
	cd scripts && CLOUDFRONT_EXTENSION=$(CURDIR)/$(RELEASE_EXT) ../$(PY) -m cflake.athena --lake-uri "$(LAKE_URI)" --out "$(abspath $(OUT))" \
	  --database "$(DATABASE)" --table "$(TABLE)"

# ---------------------------------------------------------------------------------------- bench
# The engines compared (DuckDB, polars, chDB, DataFusion) live in their own environment, pinned in
# test/requirements-bench.txt (chDB is large and no test needs it). BENCH_QUICK=1 for one quick round.
VENVBENCH      := .venv-bench
$(VENVBENCH)/.done: test/requirements-bench.txt | ensure-uv
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(VENVBENCH)
	$(UV) pip sync --quiet --python $(VENVBENCH)/bin/python test/requirements-bench.txt
	touch $@

bench: release venv cfgen $(VENVBENCH)/.done
	$(CARGO) build --release --example decompress_floor
	CLOUDFRONT_EXTENSION=$(RELEASE_EXT) $(VENVBENCH)/bin/python scripts/bench.py
	CLOUDFRONT_EXTENSION=$(RELEASE_EXT) $(VENVBENCH)/bin/python scripts/bench_memory.py
	CLOUDFRONT_EXTENSION=$(RELEASE_EXT) $(PY) scripts/bench_lake.py $(LAKE_BENCH_ARGS)

# ------------------------------------------------------------------------------- detection eval
eval: release venv cfgen eval-payloads
	CLOUDFRONT_EXTENSION=$(RELEASE_EXT) $(PY) scripts/eval_playbook.py

# attack_types() on the labelled requests of ../shared/realtraffic/payloads (skipped when absent).
.PHONY: eval-payloads
eval-payloads: release venv
	CLOUDFRONT_EXTENSION=$(RELEASE_EXT) $(PY) scripts/eval_payloads.py
