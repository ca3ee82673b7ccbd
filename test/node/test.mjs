// Loads the cloudfront extension into DuckDB through @duckdb/node-api (node's own test runner:
// `node --test test.mjs`) and checks values worked out by hand from test/data/make_fixtures.py.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXTENSION = path.resolve(ROOT, process.env.CLOUDFRONT_EXTENSION ?? 'build/release/cloudfront.duckdb_extension');
const STANDARD = path.join(ROOT, 'test/data/standard/E2EXAMPLE.2019-12-13-23.abcd1234');
const sqlString = (s) => `'${s.replaceAll("'", "''")}'`;

let instance;
let con;

before(async () => {
  assert.ok(existsSync(EXTENSION), `extension not built: ${EXTENSION} (run make release)`);
  instance = await DuckDBInstance.create(':memory:', { allow_unsigned_extensions: 'true' });
  con = await instance.connect();
  await con.run(`LOAD ${sqlString(EXTENSION)}`);
});

after(() => {
  con?.closeSync();
  instance?.closeSync();
});

async function rows(sql) {
  const reader = await con.runAndReadAll(sql);
  return reader.getRowObjectsJS();
}

test('engine is DuckDB >= 1.5.6 and the extension reports its version', async () => {
  const [r] = await rows('SELECT version() AS v, cloudfront_version() AS cv');
  const [major, minor, patch] = r.v.replace(/^v/, '').split('.').map(Number);
  assert.ok(major > 1 || (major === 1 && (minor > 5 || (minor === 5 && patch >= 6))), `engine ${r.v}`);
  assert.match(r.cv, /^\d+\.\d+\.\d+/);
  console.log(`# @duckdb/node-api engine ${r.v}, cloudfront ${r.cv}`);
});

test('read_cloudfront: counts, sums and types of the standard fixture', async () => {
  const [r] = await rows(`
    SELECT count(*) AS n, sum(sc_bytes) AS bytes, count(DISTINCT c_ip) AS ips,
           count(*) FILTER (WHERE timestamp IS NULL) AS null_ts,
           min(timestamp) AS first, max(timestamp) AS last
    FROM read_cloudfront(${sqlString(STANDARD)})`);
  assert.equal(r.n, 5n);
  assert.equal(r.bytes, 1049992n); // 392 + 900 + 0 + 1048700 (+ NULL)
  assert.equal(r.ips, 4n);
  assert.equal(r.null_ts, 1n); // the all-dash line
  assert.equal(r.first.toISOString(), '2019-12-04T21:02:31.000Z');
  assert.equal(r.last.toISOString(), '2019-12-13T23:59:59.000Z');
});

test('read_cloudfront: per-row values, decoding and NULLs', async () => {
  const got = await rows(`
    SELECT c_ip, sc_status, sc_bytes, cs_uri_stem, cs_user_agent, sc_range_end, time_taken
    FROM read_cloudfront(${sqlString(STANDARD)}) ORDER BY sc_bytes NULLS LAST`);
  assert.deepEqual(got.map((r) => [r.c_ip, r.sc_status, r.sc_bytes]), [
    ['2001:db8:85a3::8a2e:370:7334', 0, 0n],
    ['192.0.2.100', 200, 392n],
    ['192.0.2.200', 502, 900n],
    ['198.51.100.7', 206, 1048700n],
    [null, null, null],
  ]);
  // The 2019 user agent, double-encoded (%2520) in the log, comes out decoded.
  assert.equal(got[0].cs_user_agent, 'Mozilla/5.0 (X11; Linux x86_64)');
  assert.equal(got[3].sc_range_end, 1048575n);
  assert.equal(got[3].time_taken, 1.25);
  assert.equal(got[4].cs_uri_stem, null);
});

test('scalars: uri_entropy, ua_category, is_origin_error, ip_prefix', async () => {
  const got = await rows(`
    SELECT cs_uri_stem AS uri, round(uri_entropy(cs_uri_stem), 6) AS h, ua_category(cs_user_agent) AS ua,
           is_origin_error(x_edge_result_type, sc_status, x_edge_detailed_result_type) AS origin_err,
           ip_prefix(c_ip, 24) AS net
    FROM read_cloudfront(${sqlString(STANDARD)}) ORDER BY sc_bytes NULLS LAST`);
  // /video.mp4: 10 distinct bytes -> log2(10); /index.html: 11 distinct -> log2(11);
  // /favicon.ico: f a v i c o n . c o -> i,c,o twice -> 3.084963; /big.bin: b,i twice of 8 -> 2.5.
  assert.deepEqual(got.map((r) => [r.uri, r.h]), [
    ['/video.mp4', 3.321928],
    ['/index.html', 3.459432],
    ['/favicon.ico', 3.084963],
    ['/big.bin', 2.5],
    [null, null],
  ]);
  assert.deepEqual(got.map((r) => r.ua), ['other', 'browser', 'browser', 'library', 'empty']);
  assert.deepEqual(got.map((r) => r.origin_err), [false, false, true, false, null]); // 502 OriginDnsError
  assert.deepEqual(got.map((r) => r.net), ['2001:d00::/24', '192.0.2.0/24', '192.0.2.0/24', '198.51.100.0/24', null]);
});

test('a scalar with a bound parameter (prepared statement)', async () => {
  const prepared = await con.prepare('SELECT url_decode_cf($1) AS d, encoding_depth($1) AS depth');
  prepared.bind(['a=1&b=%2527x']);
  const [r] = (await prepared.runAndReadAll()).getRowObjectsJS();
  assert.deepEqual(r, { d: "a=1&b='x", depth: 2 });
});

test('playbook macros: cf_summary and cf_top_talkers', async () => {
  await con.run(`CREATE OR REPLACE TABLE ev AS FROM read_cloudfront(${sqlString(STANDARD)})`);
  const summary = Object.fromEntries((await rows(`SELECT metric, value FROM cf_summary('ev')`)).map((r) => [r.metric, r.value]));
  assert.equal(summary.requests, '5');
  assert.equal(summary.distinct_clients, '4');
  assert.equal(summary.bytes_out, '1049992');
  assert.equal(summary.first_seen, '2019-12-04T21:02:31Z');
  assert.equal(summary.last_seen, '2019-12-13T23:59:59Z');
  assert.equal(summary.status_2xx, '2'); // 200, 206
  assert.equal(summary.status_5xx, '1'); // 502
  assert.equal(summary.status_other, '2'); // 000 and NULL
  assert.equal(summary.cache_hit_ratio, '0.2000'); // one Hit of 5

  const top = await rows(`SELECT c_ip, requests, bytes_out, error_rate FROM cf_top_talkers('ev', n := 2)`);
  // Every client sent one request: ties are broken by c_ip.
  assert.deepEqual(top, [
    { c_ip: '192.0.2.100', requests: 1n, bytes_out: 392n, error_rate: 0 },
    { c_ip: '192.0.2.200', requests: 1n, bytes_out: 900n, error_rate: 1 },
  ]);
});
