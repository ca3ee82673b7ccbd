-- cf_error_spikes: time windows where the error rate jumps above its own robust baseline.
-- Question: When did the share of 4xx or 5xx responses jump above its usual level, and was it the origin failing or clients erring?
-- Parameters:
--   tbl                            name of a table or view of read_cloudfront() rows (VARCHAR)
--   bucket := INTERVAL 1 MINUTE    time bucket (aligned to the Unix epoch, so to UTC)
--   k := 5.0                       how many scaled MADs above the median a bucket's rate must be.
--                                  The MAD is scaled by 1.4826 so it estimates a standard
--                                  deviation for normal data; 5 "sigmas" keeps a day of 1440
--                                  minute buckets free of chance alarms (3.5 is the usual outlier
--                                  cut for single values, Iglewicz & Hoaglin; stricter here
--                                  because many buckets are tested).
--   min_excess := 0.05             ... and exceed the median rate by at least this much (5
--                                  percentage points): when errors are rare the MAD is 0 and any
--                                  single error would otherwise be a "spike".
--   min_errors := 5                errors of the kind in the bucket (a rate on a handful of requests
--                                  is noise). 5 still lets a 30% origin failure show on a small
--                                  site of ~35 requests per minute (cfgen at 50k lines/day), and
--                                  benign cfgen days of 50k-1M lines never reach it together with
--                                  the min_excess rate.
--   min_clients := 5               distinct clients a 4xx (client) spike needs to be rated medium;
--                                  fewer make it 'low'. Four or fewer clients erring is their own
--                                  behaviour (a scanner, a broken bookmark, a phone fetching icons),
--                                  which the client hunts report; a site-wide 4xx spike comes from
--                                  many clients (a broken deployment, a distributed probe). On the
--                                  real blog log every 4xx burst (5-19 errors a minute on a site of
--                                  3-4 requests a minute) came from one or two readers hitting its
--                                  broken stylesheet.
-- Kinds, each with its own baseline (median and MAD of the per-bucket rate over all buckets):
--   origin     is_origin_error(): the origin failed (Origin*Error, 502/504 from CloudFront)
--   server     other 5xx (CloudFront's own 503s, edge-function errors, origin 500s passed through)
--   client     4xx: clients erring (probing, failed logins, refused requests)
-- Output: one row per (bucket, kind) that spikes, in time order:
--   bucket_start, bucket_end TIMESTAMPTZ, kind VARCHAR, requests (all in the bucket),
--   errors (of the kind), rate, baseline_rate (median), mad (scaled), threshold,
--   top_status (most frequent status of the kind), top_detail (most frequent detailed result
--   type), top_path (most frequent stem among those errors), clients (distinct clients among
--   those errors), top_client, top_client_share (the client with most of them, and its share),
--   severity: origin and server kinds 'high' with rate >= 0.10 above baseline, else 'medium';
--   client kind 'medium' with >= min_clients erring clients, else 'low'
CREATE OR REPLACE MACRO cf_error_spikes(tbl, bucket := INTERVAL 1 MINUTE, k := 5.0, min_excess := 0.05,
                                        min_errors := 5, min_clients := 5) AS TABLE
WITH _cf_args AS (
    SELECT
        TRY_CAST(bucket::VARCHAR AS INTERVAL) AS bucket,
        TRY_CAST(k::VARCHAR AS DOUBLE) AS k,
        TRY_CAST(min_excess::VARCHAR AS DOUBLE) AS min_excess,
        TRY_CAST(min_errors::VARCHAR AS BIGINT) AS min_errors,
        TRY_CAST(min_clients::VARCHAR AS BIGINT) AS min_clients
),
-- NOT MATERIALIZED: each reference re-reads these rows (a projection of the table) instead of
-- holding every row in memory; cf_hunt runs all hunts in one query, where held row sets add up
-- with input (docs/scale.md).
_cf_t AS NOT MATERIALIZED (
    SELECT to_timestamp(floor(epoch(timestamp) / epoch(a.bucket)) * epoch(a.bucket)) AS b,
           c_ip, sc_status, cs_uri_stem, x_edge_detailed_result_type AS detail,
           CASE WHEN coalesce(origin_error, false) THEN 'origin'
                WHEN sc_status BETWEEN 500 AND 599 THEN 'server'
                WHEN sc_status BETWEEN 400 AND 499 THEN 'client'
           END AS kind
    -- Parameters are checked here, where DuckDB evaluates them while binding the query: a
    -- mistake is an error naming the macro and the parameter, even on an empty table.
    FROM cf_events(CASE
        WHEN bucket IS NULL THEN error('cf_error_spikes: bucket must not be NULL')
        WHEN typeof(bucket) <> 'INTERVAL' THEN error('cf_error_spikes: bucket must be an INTERVAL such as INTERVAL 5 MINUTE, got ' || typeof(bucket))
        WHEN epoch(TRY_CAST(bucket::VARCHAR AS INTERVAL)) <= 0 THEN error('cf_error_spikes: bucket must be a positive interval, got ' || bucket::VARCHAR)
        WHEN k IS NULL THEN error('cf_error_spikes: k must not be NULL')
        WHEN NOT coalesce(isfinite(TRY_CAST(k::VARCHAR AS DOUBLE)), false) THEN error('cf_error_spikes: k must be a number, got ' || k::VARCHAR)
        WHEN TRY_CAST(k::VARCHAR AS DOUBLE) < 0 THEN error('cf_error_spikes: k must be >= 0, got ' || k::VARCHAR)
        WHEN min_excess IS NULL THEN error('cf_error_spikes: min_excess must not be NULL')
        WHEN NOT coalesce(isfinite(TRY_CAST(min_excess::VARCHAR AS DOUBLE)), false) THEN error('cf_error_spikes: min_excess must be a number, got ' || min_excess::VARCHAR)
        WHEN NOT (TRY_CAST(min_excess::VARCHAR AS DOUBLE) >= 0 AND TRY_CAST(min_excess::VARCHAR AS DOUBLE) < 1) THEN error('cf_error_spikes: min_excess must be in [0, 1) (a share of requests), got ' || min_excess::VARCHAR)
        WHEN min_errors IS NULL THEN error('cf_error_spikes: min_errors must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_errors::VARCHAR AS DOUBLE) = TRY_CAST(min_errors::VARCHAR AS BIGINT), false) THEN error('cf_error_spikes: min_errors must be a whole number, got ' || min_errors::VARCHAR)
        WHEN TRY_CAST(min_errors::VARCHAR AS BIGINT) < 1 THEN error('cf_error_spikes: min_errors must be >= 1, got ' || min_errors::VARCHAR)
        WHEN min_clients IS NULL THEN error('cf_error_spikes: min_clients must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_clients::VARCHAR AS DOUBLE) = TRY_CAST(min_clients::VARCHAR AS BIGINT), false) THEN error('cf_error_spikes: min_clients must be a whole number, got ' || min_clients::VARCHAR)
        WHEN TRY_CAST(min_clients::VARCHAR AS BIGINT) < 1 THEN error('cf_error_spikes: min_clients must be >= 1, got ' || min_clients::VARCHAR)
        ELSE tbl END) CROSS JOIN _cf_args a
),
_cf_totals AS (
    SELECT b, count(*) AS requests FROM _cf_t t GROUP BY b
),
_cf_kinds AS (
    SELECT unnest(['origin', 'server', 'client']) AS kind
),
_cf_counts AS (
    SELECT b, kind, count(*) AS errors FROM _cf_t t WHERE kind IS NOT NULL GROUP BY b, kind
),
-- Every bucket x kind, with 0 errors where none happened, so baselines see the quiet buckets.
_cf_grid AS (
    SELECT tt.b, kk.kind, tt.requests, coalesce(c.errors, 0) AS errors,
           coalesce(c.errors, 0) / tt.requests AS rate
    FROM _cf_totals tt CROSS JOIN _cf_kinds kk
    LEFT JOIN _cf_counts c ON c.b = tt.b AND c.kind = kk.kind
),
-- The median and the median absolute deviation (DuckDB's mad(), spelt out so that other engines
-- render it: the median of the distances to the median).
_cf_med AS (
    SELECT kind, median(rate) AS baseline_rate FROM _cf_grid grid GROUP BY kind
),
_cf_base AS (
    SELECT g.kind, any_value(m.baseline_rate) AS baseline_rate, 1.4826 * median(abs(g.rate - m.baseline_rate)) AS mad
    FROM _cf_grid g JOIN _cf_med m ON m.kind = g.kind GROUP BY g.kind
),
_cf_spikes AS (
    SELECT g.*, base.baseline_rate, base.mad,
           greatest(base.baseline_rate + a.k * base.mad, base.baseline_rate + a.min_excess) AS threshold
    FROM _cf_grid g JOIN _cf_base base USING (kind) CROSS JOIN _cf_args a
    WHERE g.errors >= a.min_errors
      AND g.rate > greatest(base.baseline_rate + a.k * base.mad, base.baseline_rate + a.min_excess)
),
_cf_detail AS (
    SELECT t.b, t.kind,
           mode(t.sc_status ORDER BY t.sc_status) AS top_status,
           mode(t.detail ORDER BY t.detail) AS top_detail,
           mode(t.cs_uri_stem ORDER BY t.cs_uri_stem) AS top_path,
           count(DISTINCT t.c_ip) AS clients
    FROM _cf_t t JOIN _cf_spikes s ON s.b = t.b AND s.kind = t.kind
    GROUP BY t.b, t.kind
),
_cf_top_client AS (
    SELECT t.b, t.kind, t.c_ip AS top_client, count(*) AS top_client_errors
    FROM _cf_t t JOIN _cf_spikes s ON s.b = t.b AND s.kind = t.kind
    GROUP BY t.b, t.kind, t.c_ip
    QUALIFY row_number() OVER (PARTITION BY t.b, t.kind ORDER BY count(*) DESC, t.c_ip) = 1
)
SELECT s.b AS bucket_start, s.b + a.bucket AS bucket_end, s.kind, s.requests, s.errors, s.rate,
       s.baseline_rate, s.mad, s.threshold, d.top_status, d.top_detail, d.top_path,
       d.clients, tc.top_client, tc.top_client_errors / s.errors AS top_client_share,
       CASE WHEN s.kind IN ('origin', 'server') THEN CASE WHEN s.rate - s.baseline_rate >= 0.10 THEN 'high' ELSE 'medium' END
            WHEN d.clients >= a.min_clients THEN 'medium' ELSE 'low' END AS severity
FROM _cf_spikes s JOIN _cf_detail d ON d.b = s.b AND d.kind = s.kind
LEFT JOIN _cf_top_client tc ON tc.b = s.b AND tc.kind = s.kind
CROSS JOIN _cf_args a
ORDER BY s.b, s.kind;
