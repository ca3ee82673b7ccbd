"""The lake (`make lake`, `cf_lake`) with both its sources and the lake itself in S3, on the
loopback server of conftest.py. `make lake` runs for real (its prerequisites `release` and `venv`
taken as built), with only the AWS variables a user of the AWS tools sets and CLOUDFRONT_HTTPFS.
Expected counts come from reading the same generated files locally with read_cloudfront; the
local lake compared against is built by the same command from the local copies of the files."""
from __future__ import annotations

import csv
import io
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import BUCKET, EXT, ROOT, SHELL, shell

SRC = "lake-src"
LAKE = "lake"
LAKE_URI = f"s3://{BUCKET}/{LAKE}"
UTC_HOUR = ("strftime(timezone('UTC', timestamp), '%Y') AS year, strftime(timezone('UTC', timestamp), '%m') AS month, "
            "strftime(timezone('UTC', timestamp), '%d') AS day, strftime(timezone('UTC', timestamp), '%H') AS hour")
PARTITION_KEY = re.compile(rf"{LAKE}/year=\d{{4}}/month=\d\d/day=\d\d/hour=\d\d/b(\d{{8}}T\d{{6}}Z-[0-9a-f]{{6}})_[^/]+\.parquet")
MANIFEST_KEY = re.compile(rf"{LAKE}/_manifest/(\d{{8}}T\d{{6}}Z-[0-9a-f]{{6}})\.csv")


def make_lake(server, logs: str, lake: str, check: bool = True) -> subprocess.CompletedProcess:
    """`make lake LOGS=... LAKE=...` in the repository, with the extension under test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(server.env())
    r = subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), "-o", "release", "-o", "venv", "lake",
                        f"LOGS={logs}", f"LAKE={lake}", f"RELEASE_EXT={EXT}", f"DUCKDB_SHELL={SHELL}"],
                       capture_output=True, text=True, env=env, timeout=600)
    if check:
        assert r.returncode == 0, r.stdout + r.stderr
    return r


def lake_keys(server) -> list[str]:
    pages = server.s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=LAKE + "/")
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def rows(sql: str, server=None) -> list[str]:
    r = shell(sql, server)
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


def listed(files: list[Path]) -> str:
    return "[" + ", ".join(f"'{f}'" for f in files) + "]"


def per_hour_local(files: list[Path]) -> list[str]:
    """Rows per UTC hour of the files, read locally (the partitions a lake of them must have)."""
    return rows(f"SELECT {UTC_HOUR}, count(*) FROM read_cloudfront({listed(files)}) GROUP BY ALL ORDER BY ALL;")


def per_hour_lake(lake: str, server=None) -> list[str]:
    return rows(f"SELECT year, month, day, hour, count(*) FROM cf_lake('{lake}') GROUP BY ALL ORDER BY ALL;", server)


def lake_count(server) -> int:
    return int(rows(f"SELECT count(*) FROM cf_lake('{LAKE_URI}');", server)[0])


def manifest(server, key: str) -> list[dict]:
    body = server.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture(scope="module")
def s3_lake(server, day):
    """The lake built in S3 from all of the day's files but the last (the last is added later)."""
    first = day.files[:-1]
    for f in first:
        server.s3.upload_file(str(f), BUCKET, f"{SRC}/{f.name}")
    r = make_lake(server, f"s3://{BUCKET}/{SRC}/*.gz", LAKE_URI)
    assert f"lake (duckdb): {len(first)} new file(s)" in r.stdout, r.stdout
    return first


def test_layout_in_the_bucket(server, day, s3_lake):
    """Only Hive partitions of the UTC hours the files hold and one manifest, all of one batch."""
    keys = lake_keys(server)
    data = [k for k in keys if PARTITION_KEY.fullmatch(k)]
    manifests = [k for k in keys if MANIFEST_KEY.fullmatch(k)]
    assert sorted(data + manifests) == keys, "objects that are neither partitions nor manifests"
    assert len(manifests) == 1
    batch = MANIFEST_KEY.fullmatch(manifests[0]).group(1)
    assert {PARTITION_KEY.fullmatch(k).group(1) for k in data} == {batch}
    hours = {tuple(line.split("|")[:4]) for line in per_hour_local(s3_lake)}
    assert {tuple(re.findall(r"=(\d+)", k.split("/", 1)[1])[:4]) for k in data} == hours
    listed_files = manifest(server, manifests[0])
    assert sorted(m["path"] for m in listed_files) == [f"s3://{BUCKET}/{SRC}/{f.name}" for f in s3_lake]
    assert {m["size"] for m in listed_files} == {str(f.stat().st_size) for f in s3_lake}
    assert {m["batch"] for m in listed_files} == {batch} and {m["engine"] for m in listed_files} == {"duckdb"}


def test_cf_lake_on_s3_counts_the_files_rows(server, day, s3_lake):
    assert lake_count(server) == int(rows(f"SELECT count(*) FROM read_cloudfront({listed(s3_lake)});")[0])


def test_partitions_match_a_local_lake(server, day, s3_lake, tmp_path):
    """Rows per hour partition: the S3 lake, a local lake built from the local copies, and the
    files read locally agree."""
    local = tmp_path / "lake"
    make_lake(server, listed_glob(day, s3_lake, tmp_path), str(local))
    expected = per_hour_local(s3_lake)
    assert per_hour_lake(str(local)) == expected
    assert per_hour_lake(LAKE_URI, server) == expected


def test_s3_sources_into_a_local_lake(server, day, s3_lake, tmp_path):
    """Sources in S3, the lake on disk (staged, then moved into place): the partitions hold the
    rows of the files read locally, and the manifest names the s3:// objects."""
    names = {o["Key"].rsplit("/", 1)[-1] for o in server.s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{SRC}/")["Contents"]}
    files = [f for f in day.files if f.name in names]
    assert len(files) == len(names)
    local = tmp_path / "lake"
    r = make_lake(server, f"s3://{BUCKET}/{SRC}/*.gz", str(local))
    assert f"lake (duckdb): {len(files)} new file(s)" in r.stdout, r.stdout
    assert per_hour_lake(str(local)) == per_hour_local(files)
    assert not (local / "_staging").exists()
    [m] = list((local / "_manifest").glob("*.csv"))
    assert sorted(row["path"] for row in csv.DictReader(m.open())) == [f"s3://{BUCKET}/{SRC}/{f.name}" for f in files]


def listed_glob(day, files: list[Path], tmp_path: Path) -> str:
    """A local glob matching exactly `files` (links in a directory of their own)."""
    d = tmp_path / "src"
    d.mkdir()
    for f in files:
        (d / f.name).symlink_to(f)
    return str(d / "*.gz")


def test_rerun_then_one_more_file(server, day, s3_lake):
    """A re-run ingests nothing and writes nothing; one more file in the prefix adds its rows
    (and only them) in a second batch whose manifest lists only it."""
    before, keys = lake_count(server), lake_keys(server)
    r = make_lake(server, f"s3://{BUCKET}/{SRC}/*.gz", LAKE_URI)
    assert "lake (duckdb): nothing new to ingest" in r.stdout, r.stdout
    assert lake_keys(server) == keys and lake_count(server) == before

    last = day.files[-1]
    server.s3.upload_file(str(last), BUCKET, f"{SRC}/{last.name}")
    r = make_lake(server, f"s3://{BUCKET}/{SRC}/*.gz", LAKE_URI)
    assert "lake (duckdb): 1 new file(s)" in r.stdout, r.stdout
    added = int(rows(f"SELECT count(*) FROM read_cloudfront({listed([last])});")[0])
    assert added > 0 and lake_count(server) == before + added
    new_manifests = [k for k in lake_keys(server) if MANIFEST_KEY.fullmatch(k) and k not in keys]
    assert len(new_manifests) == 1
    assert [m["path"] for m in manifest(server, new_manifests[0])] == [f"s3://{BUCKET}/{SRC}/{last.name}"]
    assert per_hour_lake(LAKE_URI, server) == per_hour_local(day.files)


def test_orphan_in_the_bucket_stops_the_build(server, day, s3_lake):
    """On S3 a batch is written in place (no staging and rename), so a run that died before its
    manifest leaves files of a batch no manifest lists: the next run must refuse to start and
    name them, rather than ingest the same sources again and count their rows twice."""
    data = [k for k in lake_keys(server) if PARTITION_KEY.fullmatch(k)]
    orphan = data[0].rsplit("/", 1)[0] + "/b20991231T000000Z-0rphan_left-by-a-failed-run.parquet"
    server.s3.copy_object(Bucket=BUCKET, Key=orphan, CopySource={"Bucket": BUCKET, "Key": data[0]})
    stray = f"{SRC}/zz-{day.files[0].name}"  # a new source the refused run must not ingest
    server.s3.upload_file(str(day.files[0]), BUCKET, stray)
    keys = lake_keys(server)
    try:
        r = make_lake(server, f"s3://{BUCKET}/{SRC}/*.gz", LAKE_URI, check=False)
        assert r.returncode != 0
        assert "belong to no batch of the manifest" in r.stderr and f"s3://{BUCKET}/{orphan}" in r.stderr, r.stderr
        assert lake_keys(server) == keys, "the refused run wrote to the lake"
    finally:
        server.s3.delete_object(Bucket=BUCKET, Key=orphan)
        server.s3.delete_object(Bucket=BUCKET, Key=stray)


FINDING = "hunt, severity, entity_type, entity, first_seen, last_seen, requests, member_count"


def test_cf_hunt_on_the_s3_lake_matches_the_local_lake(server, day, s3_lake, tmp_path):
    """CREATE VIEW events AS FROM cf_lake('s3://...'); FROM cf_hunt('events') finds what it finds
    on a local lake of the same files (those the S3 lake's manifests list)."""
    names = {m["path"].rsplit("/", 1)[-1] for k in lake_keys(server) if MANIFEST_KEY.fullmatch(k) for m in manifest(server, k)}
    files = [f for f in day.files if f.name in names]
    assert len(files) == len(names)
    local = tmp_path / "lake"
    make_lake(server, listed_glob(day, files, tmp_path), str(local))
    query = "CREATE VIEW events AS FROM cf_lake('{}');\nSELECT {} FROM cf_hunt('events') ORDER BY ALL;"
    on_s3 = rows(query.format(LAKE_URI, FINDING), server)
    assert len(on_s3) > 0, "no findings: the comparison would prove nothing"
    assert on_s3 == rows(query.format(local, FINDING))
