#!/bin/sh
# Seeds fuzz/corpus/<target>/ from the test fixtures and the committed fuzz/seeds/<target>/.
# Idempotent; corpus directories are gitignored (libFuzzer adds to them while it runs).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
data="$root/test/data"
for t in header scan decode scalars glob; do
    mkdir -p "$here/corpus/$t"
    if [ -d "$here/seeds/$t" ]; then
        cp "$here/seeds/$t"/* "$here/corpus/$t/" 2>/dev/null || true
    fi
done
# The scan target's first three bytes are options (see scan_options in src/lib.rs): flags, line
# limit, read size. Each fixture is seeded with a few combinations.
i=0
for f in $(find "$data" -type f ! -name '*.py' ! -name '*.parquet' | sort); do
    i=$((i + 1))
    size=$(wc -c < "$f")
    [ "$size" -gt 200000 ] && continue
    base=$(basename "$f")
    k=0
    for opts in '\000\000\000' '\000\000\007' '\004\000\000' '\014\000\001' '\100\000\000' '\020\040\003'; do
        k=$((k + 1))
        { printf "$opts"; cat "$f"; } > "$here/corpus/scan/$i-$k-$base"
    done
    # Headers: every #Fields line of the fixture.
    grep -a '^#Fields:' "$f" 2>/dev/null | head -3 | awk -v d="$here/corpus/header" -v n="$i" '{ f = d "/" n "-" NR; printf "%s", $0 > f; close(f) }' || true
    # Field values for decode/scalars: a sample of tab-separated fields.
    if [ "$size" -lt 100000 ]; then
        grep -av '^#' "$f" 2>/dev/null | head -20 | tr '\t' '\n' | sort -u | head -200 | awk -v d="$here/corpus" -v n="$i" '
            length($0) > 2 { f1 = d "/decode/" n "-" NR; f2 = d "/scalars/" n "-" NR;
                             printf "\002%s", $0 > f1; close(f1); printf "\030\001\223\001%s", $0 > f2; close(f2) }' || true
    fi
done
echo "corpus: $(for t in header scan decode scalars glob; do printf '%s=%s ' $t "$(ls "$here/corpus/$t" | wc -l)"; done)"
