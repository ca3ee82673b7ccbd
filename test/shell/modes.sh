#!/bin/sh
# The duckdb shell (1.5.6, from the project's environment) in -json and -csv output modes: a
# read_cloudfront query and the scalars, compared with text worked out by hand from
# test/data/make_fixtures.py (the standard fixture: five lines, see test/python/test_clients.py).
# Usage: DUCKDB_SHELL=.venv/bin/duckdb CLOUDFRONT_EXTENSION=build/release/cloudfront.duckdb_extension sh test/shell/modes.sh
set -eu
: "${CLOUDFRONT_EXTENSION:?path of the built extension}"
: "${DUCKDB_SHELL:?path of the duckdb shell}"
root=$(cd "$(dirname "$0")/../.." && pwd)
std="$root/test/data/standard/E2EXAMPLE.2019-12-13-23.abcd1234"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
failures=0

# TimeZone UTC: TIMESTAMPTZ values print in the session's time zone, which defaults to the machine's.
setup="LOAD '$CLOUDFRONT_EXTENSION'; SET TimeZone = 'UTC';"

# One row per line, by bytes sent. Worked out from the fixture: the 000 status reads 0, '-' is NULL,
# the user agents are URL-decoded (the X11 one twice: %2520 -> %20 -> ' '), x-forwarded-for keeps
# CloudFront's \x20 escape as logged (so JSON doubles the backslash), time-taken 0.000 is 0.0.
rows_sql="SELECT c_ip, sc_status, sc_bytes, timestamp, time_taken, x_edge_location, cs_user_agent, x_forwarded_for
FROM read_cloudfront('$std') ORDER BY sc_bytes NULLS LAST;"
# Aggregates: 392 + 900 + 0 + 1048700 bytes, four distinct clients, one line with no timestamp.
agg_sql="SELECT count(*) AS n, sum(sc_bytes) AS bytes, count(DISTINCT c_ip) AS ips, count(*) - count(timestamp) AS no_ts
FROM read_cloudfront('$std');"
# Scalars on literal values: /big.bin is 8 bytes, b and i twice: 2*(2/8)*2 + 4*(1/8)*3 = 2.5 bits;
# %2527 is a quote encoded twice (depth 2); Error/403/Error is AWS WAF's default block; sqlmap is a
# scanner; NRT is Tokyo Narita (data/edge_locations.tsv); the /48 of the fixture's IPv6 client.
scalar_sql="SELECT uri_entropy('/big.bin') AS h, url_decode_cf('a=1&b=%2527x') AS q, encoding_depth('a=1&b=%2527x') AS depth,
is_waf_block('Error', 403, 'Error') AS waf, ua_category('sqlmap/1.7.2#stable (https://sqlmap.org)') AS ua,
edge_location('NRT57-P2') AS e, ip_prefix('2001:db8:85a3::8a2e:370:7334', 48) AS net;"

check() { # name mode sql expected-file
    if ! "$DUCKDB_SHELL" -unsigned "-$2" -c "$setup $3" >"$tmp/$1.got" 2>"$tmp/$1.err"; then
        echo "shell modes test FAILED: $1: the shell exited with an error:" >&2
        cat "$tmp/$1.err" >&2
        failures=$((failures + 1))
    elif ! diff -u "$4" "$tmp/$1.got" >"$tmp/$1.diff"; then
        echo "shell modes test FAILED: $1: output differs from the expected text (- expected, + got):" >&2
        cat "$tmp/$1.diff" >&2
        failures=$((failures + 1))
    else
        echo "ok $1"
    fi
}

cat >"$tmp/rows.json" <<'JSON'
[{"c_ip":"2001:db8:85a3::8a2e:370:7334","sc_status":0,"sc_bytes":0,"timestamp":"2019-12-13 23:00:00+00","time_taken":0.0,"x_edge_location":"FRA56-P1","cs_user_agent":"Mozilla/5.0 (X11; Linux x86_64)","x_forwarded_for":"203.0.113.9,\\x20198.51.100.7"},
{"c_ip":"192.0.2.100","sc_status":200,"sc_bytes":392,"timestamp":"2019-12-04 21:02:31+00","time_taken":0.001,"x_edge_location":"LAX1","cs_user_agent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36","x_forwarded_for":null},
{"c_ip":"192.0.2.200","sc_status":502,"sc_bytes":900,"timestamp":"2019-12-13 22:36:27+00","time_taken":0.102,"x_edge_location":"SEA19-C1","cs_user_agent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36","x_forwarded_for":null},
{"c_ip":"198.51.100.7","sc_status":206,"sc_bytes":1048700,"timestamp":"2019-12-13 23:59:59+00","time_taken":1.25,"x_edge_location":"NRT57-P2","cs_user_agent":"curl/7.55.1","x_forwarded_for":"198.51.100.7, 203.0.113.9"},
{"c_ip":null,"sc_status":null,"sc_bytes":null,"timestamp":null,"time_taken":null,"x_edge_location":null,"cs_user_agent":null,"x_forwarded_for":null}]
JSON

# CSV: values containing a comma are quoted; NULL prints as the shell's null value, NULL.
cat >"$tmp/rows.csv" <<'CSV'
c_ip,sc_status,sc_bytes,timestamp,time_taken,x_edge_location,cs_user_agent,x_forwarded_for
2001:db8:85a3::8a2e:370:7334,0,0,2019-12-13 23:00:00+00,0.0,FRA56-P1,Mozilla/5.0 (X11; Linux x86_64),"203.0.113.9,\x20198.51.100.7"
192.0.2.100,200,392,2019-12-04 21:02:31+00,0.001,LAX1,"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36",NULL
192.0.2.200,502,900,2019-12-13 22:36:27+00,0.102,SEA19-C1,"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36",NULL
198.51.100.7,206,1048700,2019-12-13 23:59:59+00,1.25,NRT57-P2,curl/7.55.1,"198.51.100.7, 203.0.113.9"
NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL
CSV

# sum(BIGINT) is a HUGEINT, which the JSON mode prints as a string (JSON numbers lose precision past 2^53).
cat >"$tmp/agg.json" <<'JSON'
[{"n":5,"bytes":"1049992","ips":4,"no_ts":1}]
JSON
cat >"$tmp/agg.csv" <<'CSV'
n,bytes,ips,no_ts
5,1049992,4,1
CSV

cat >"$tmp/scalars.json" <<'JSON'
[{"h":2.5,"q":"a=1&b='x","depth":2,"waf":true,"ua":"scanner","e":{"code":"NRT","airport":"Tokyo Narita International","city":"Tokyo","country":"Japan","country_code":"JP","region":"Asia","latitude":35.76,"longitude":140.39},"net":"2001:db8:85a3::/48"}]
JSON
# CSV prints a STRUCT in DuckDB's text form, quoted because it contains commas.
cat >"$tmp/scalars.csv" <<'CSV'
h,q,depth,waf,ua,e,net
2.5,"a=1&b='x",2,true,scanner,"{'code': NRT, 'airport': Tokyo Narita International, 'city': Tokyo, 'country': Japan, 'country_code': JP, 'region': Asia, 'latitude': 35.76, 'longitude': 140.39}",2001:db8:85a3::/48
CSV

check rows.json json "$rows_sql" "$tmp/rows.json"
check rows.csv csv "$rows_sql" "$tmp/rows.csv"
check agg.json json "$agg_sql" "$tmp/agg.json"
check agg.csv csv "$agg_sql" "$tmp/agg.csv"
check scalars.json json "$scalar_sql" "$tmp/scalars.json"
check scalars.csv csv "$scalar_sql" "$tmp/scalars.csv"

if [ "$failures" -ne 0 ]; then
    echo "shell modes test FAILED: $failures of 6 checks" >&2
    exit 1
fi
echo "shell modes test passed: $("$DUCKDB_SHELL" --version | cut -d' ' -f1), -json and -csv, 6 checks"
