-- cf_geo_spikes: edge locations whose audience suddenly departs from their own baseline, or that appear for the first time.
-- Question: Which edge locations (airport code = first 3 letters of x-edge-location) suddenly serve far more distinct clients than usual, or start serving traffic never seen there before in the data?
-- Parameters:
--   tbl                                name of a table or view of read_cloudfront() rows (VARCHAR)
--   bucket := INTERVAL 10 MINUTE       time bucket (aligned to the Unix epoch / UTC)
--   k := 5.0                           a bucket spikes when its distinct clients reach k x the
--                                      location's baseline (rolling median of distinct clients
--                                      per bucket, at least 1)...
--   min_clients := 20                  ... and at least this many distinct clients.
--                                      The measure is distinct clients, not requests: one
--                                      browsing session is 20-60 requests through one PoP, so
--                                      request counts at small locations jump 20-50x by
--                                      chance, while distinct clients do not. Measured on cfgen
--                                      benign days: the largest benign departure was 10 clients
--                                      against a median of 2 (5x), and 7 against 1; k = 5 with a
--                                      floor of 20 clients stays above both.
--   min_new_clients := 10              distinct clients in a bucket that make a location seen
--                                      for the first time a finding (lower than min_clients:
--                                      a location with no history has no baseline to beat).
--   baseline_span := INTERVAL 3 HOUR   the rolling median covers +/- this span around the bucket
--                                      (follows the daily cycle; a spike of under an hour barely
--                                      moves a median over 36 buckets).
-- A location is "new" when its first request in the table comes more than baseline_span after
-- the table's first request (so the data had a chance to show it before).
-- Output: one row per (location, bucket) that spikes or is new with enough clients, in time order:
--   edge_location VARCHAR (airport code), pops VARCHAR (distinct x-edge-location values seen),
--   city, country VARCHAR (edge_location()), bucket_start, bucket_end TIMESTAMPTZ, requests,
--   clients, baseline_clients DOUBLE, ratio DOUBLE (clients / max(baseline, 1)),
--   new_location BOOLEAN, location_first_seen TIMESTAMPTZ,
--   severity ('high' for a new location, 'medium' for a spike at a known one)
CREATE OR REPLACE MACRO cf_geo_spikes(tbl, bucket := INTERVAL 10 MINUTE, k := 5.0, min_clients := 20,
                                      min_new_clients := 10, baseline_span := INTERVAL 3 HOUR) AS TABLE
WITH _cf_args AS (
    SELECT
        TRY_CAST(bucket::VARCHAR AS INTERVAL) AS bucket,
        TRY_CAST(k::VARCHAR AS DOUBLE) AS k,
        TRY_CAST(min_clients::VARCHAR AS BIGINT) AS min_clients,
        TRY_CAST(min_new_clients::VARCHAR AS BIGINT) AS min_new_clients,
        TRY_CAST(baseline_span::VARCHAR AS INTERVAL) AS baseline_span
),
-- NOT MATERIALIZED: each reference re-reads these rows (a projection of the table) instead of
-- holding every row in memory; cf_hunt runs all hunts in one query, where held row sets add up
-- with input (docs/scale.md).
_cf_t AS NOT MATERIALIZED (
    SELECT timestamp, c_ip, x_edge_location, edge_city, edge_country,
           upper(left(x_edge_location, 3)) AS loc,
           to_timestamp(floor(epoch(timestamp) / epoch(a.bucket)) * epoch(a.bucket)) AS b
    -- Parameters are checked here, where DuckDB evaluates them while binding the query: a
    -- mistake is an error naming the macro and the parameter, even on an empty table.
    FROM cf_events(CASE
        WHEN bucket IS NULL THEN error('cf_geo_spikes: bucket must not be NULL')
        WHEN typeof(bucket) <> 'INTERVAL' THEN error('cf_geo_spikes: bucket must be an INTERVAL such as INTERVAL 5 MINUTE, got ' || typeof(bucket))
        WHEN epoch(TRY_CAST(bucket::VARCHAR AS INTERVAL)) <= 0 THEN error('cf_geo_spikes: bucket must be a positive interval, got ' || bucket::VARCHAR)
        WHEN k IS NULL THEN error('cf_geo_spikes: k must not be NULL')
        WHEN NOT coalesce(isfinite(TRY_CAST(k::VARCHAR AS DOUBLE)), false) THEN error('cf_geo_spikes: k must be a number, got ' || k::VARCHAR)
        WHEN TRY_CAST(k::VARCHAR AS DOUBLE) <= 0 THEN error('cf_geo_spikes: k must be > 0, got ' || k::VARCHAR)
        WHEN min_clients IS NULL THEN error('cf_geo_spikes: min_clients must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_clients::VARCHAR AS DOUBLE) = TRY_CAST(min_clients::VARCHAR AS BIGINT), false) THEN error('cf_geo_spikes: min_clients must be a whole number, got ' || min_clients::VARCHAR)
        WHEN TRY_CAST(min_clients::VARCHAR AS BIGINT) < 1 THEN error('cf_geo_spikes: min_clients must be >= 1, got ' || min_clients::VARCHAR)
        WHEN min_new_clients IS NULL THEN error('cf_geo_spikes: min_new_clients must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_new_clients::VARCHAR AS DOUBLE) = TRY_CAST(min_new_clients::VARCHAR AS BIGINT), false) THEN error('cf_geo_spikes: min_new_clients must be a whole number, got ' || min_new_clients::VARCHAR)
        WHEN TRY_CAST(min_new_clients::VARCHAR AS BIGINT) < 1 THEN error('cf_geo_spikes: min_new_clients must be >= 1, got ' || min_new_clients::VARCHAR)
        WHEN baseline_span IS NULL THEN error('cf_geo_spikes: baseline_span must not be NULL')
        WHEN typeof(baseline_span) <> 'INTERVAL' THEN error('cf_geo_spikes: baseline_span must be an INTERVAL such as INTERVAL 5 MINUTE, got ' || typeof(baseline_span))
        WHEN epoch(TRY_CAST(baseline_span::VARCHAR AS INTERVAL)) <= 0 THEN error('cf_geo_spikes: baseline_span must be a positive interval, got ' || baseline_span::VARCHAR)
        ELSE tbl END) CROSS JOIN _cf_args a
    WHERE x_edge_location IS NOT NULL
),
_cf_span AS (
    SELECT min(timestamp) AS data_first FROM _cf_t t
),
_cf_buckets AS (
    SELECT DISTINCT b FROM _cf_t t
),
_cf_locs AS (
    SELECT loc, min(timestamp) AS first_seen, min(edge_city) AS city, min(edge_country) AS country,
           string_agg(DISTINCT x_edge_location, ',' ORDER BY x_edge_location) AS pops
    FROM _cf_t t GROUP BY loc
),
_cf_counts AS (
    SELECT loc, b, count(*) AS requests, count(DISTINCT c_ip) AS clients FROM _cf_t t GROUP BY loc, b
),
-- Every location x bucket, 0 where the location served nobody, so quiet buckets count.
_cf_grid AS (
    SELECT l.loc, bb.b, coalesce(c.requests, 0) AS requests, coalesce(c.clients, 0) AS clients
    FROM _cf_locs l CROSS JOIN _cf_buckets bb
    LEFT JOIN _cf_counts c ON c.loc = l.loc AND c.b = bb.b
),
_cf_rolling AS (
    SELECT g.*, median(g.clients) OVER (PARTITION BY g.loc ORDER BY g.b
                                        RANGE BETWEEN a.baseline_span PRECEDING AND a.baseline_span FOLLOWING) AS baseline
    FROM _cf_grid g CROSS JOIN _cf_args a
),
_cf_flagged AS (
    SELECT r.*, l.first_seen, l.pops, l.city, l.country,
           l.first_seen > s.data_first + a.baseline_span AS new_location, a.bucket AS width
    FROM _cf_rolling r JOIN _cf_locs l USING (loc) CROSS JOIN _cf_span s CROSS JOIN _cf_args a
    WHERE (r.clients >= a.min_clients AND r.clients >= a.k * greatest(r.baseline, 1))
       OR (l.first_seen > s.data_first + a.baseline_span AND r.clients >= a.min_new_clients)
)
SELECT f.loc AS edge_location, f.pops, f.city, f.country,
       f.b AS bucket_start, f.b + f.width AS bucket_end, f.requests, f.clients,
       f.baseline::DOUBLE AS baseline_clients, f.clients / greatest(f.baseline, 1) AS ratio,
       f.new_location, f.first_seen AS location_first_seen,
       CASE WHEN f.new_location THEN 'high' ELSE 'medium' END AS severity
FROM _cf_flagged f
ORDER BY f.b, f.loc;
