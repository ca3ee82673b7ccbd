"""The real access logs of ../shared/realtraffic for the detection evaluation: where they are, how to
parse the raw Apache lines, how to convert them with the folder's own to_cloudfront.py, and how
actors are named without writing their addresses down.

Actor names: the almhuette log holds real visitors' addresses, which must never be committed or
reported. Every address (and every /24 or /48 prefix) is therefore named by a salted hash:

    actor_hash(x) = sha256(salt + "|" + x)[:16]      salt = sha256 of the uncompressed raw log, hex

The salt comes from the data itself, so a hash cannot be reversed by trying the 2^32 IPv4
addresses without the log (and with the log there is nothing left to hide). The evaluator hashes
cf_hunt's entities the same way to compare them with the ground truth in eval/truth/.

Location of the data: $CF_REALTRAFFIC, else ../shared/realtraffic next to the repository, else next
to the main checkout when this is a git worktree (git rev-parse --git-common-dir).
"""

from __future__ import annotations

import gzip
import hashlib
import ipaddress
import os
import re
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# dataset name -> raw log inside its folder
DATASETS = {
    "almhuette-raith-2019-04": "machine.6.extra.log.gz",
    "basjes-hackers-2015-10": "hackers-access.log.gz",
}


def shared_dir() -> Path | None:
    """The realtraffic folder, or None when it is not on this machine."""
    env = os.environ.get("CF_REALTRAFFIC")
    candidates = [Path(env)] if env else []
    candidates.append(ROOT.parent / "shared" / "realtraffic")
    try:
        common = subprocess.run(["git", "rev-parse", "--path-format=absolute", "--git-common-dir"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.strip()
        candidates.append(Path(common).parent.parent / "shared" / "realtraffic")
    except (OSError, subprocess.CalledProcessError):
        pass
    for c in candidates:
        if (c / "to_cloudfront.py").exists():
            return c
    return None


def raw_bytes(shared: Path, dataset: str) -> bytes:
    return gzip.decompress((shared / dataset / DATASETS[dataset]).read_bytes())


def salt_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def actor_hash(salt: str, value: str) -> str:
    return hashlib.sha256(f"{salt}|{value}".encode()).hexdigest()[:16]


def prefix_of(ip: str) -> str:
    """The /24 (IPv4) or /48 (IPv6) network of an address, as CIDR text."""
    addr = ipaddress.ip_address(ip)
    bits = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{bits}", strict=False))


def convert(shared: Path, dataset: str, out: Path) -> None:
    """Runs the folder's to_cloudfront.py on the dataset into out/ (hourly .gz files)."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["python3", str(shared / "to_cloudfront.py"), "--out", str(out),
                    str(shared / dataset / DATASETS[dataset])], check=True, capture_output=True)


# ------------------------------------------------------------------------------ raw log parsing
_Q = r'"((?:[^"\\]|\\.)*)"'
LINE_RE = re.compile(r"^(\S+) \S+ \S+ \[([^\]]+)\] " + _Q + r" (\d{3}) (\d+|-)(?: " + _Q + " " + _Q + r")?")
MONTHS = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}


@dataclass
class Hit:
    line: int
    ip: str
    ts: datetime  # UTC
    method: str
    target: str  # request target as logged (path?query)
    version: str
    status: int
    nbytes: int
    referer: str
    ua: str

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


def _ts(text: str) -> datetime:
    # 02/Apr/2019:22:04:19 +0200
    d, mon, rest = text.split("/", 2)
    y, hh, mm, ss_zone = rest.split(":", 3)
    ss, zone = ss_zone.split(" ")
    sign = 1 if zone[0] == "+" else -1
    off = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])) * sign
    local = datetime(int(y), MONTHS[mon], int(d), int(hh), int(mm), int(ss))
    return (local - off).replace(tzinfo=timezone.utc)


def parse(raw: bytes) -> list[Hit]:
    hits = []
    for n, line in enumerate(raw.decode("latin-1").splitlines(), 1):
        m = LINE_RE.match(line)
        if not m:
            continue
        ip, ts, req, status, nbytes, ref, ua = m.groups()
        parts = req.split(" ")
        method = parts[0] if parts else ""
        version = parts[-1] if len(parts) >= 3 and parts[-1].startswith("HTTP/") else ""
        target = " ".join(parts[1:-1] if version else parts[1:])
        hits.append(Hit(n, ip, _ts(ts), method, target, version, int(status),
                        0 if nbytes == "-" else int(nbytes), ref or "-", ua or "-"))
    return hits


def iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")
