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
-- Kinds, each with its own baseline (median and MAD of the per-bucket rate over all buckets):
--   origin     is_origin_error(): the origin failed (Origin*Error, 502/504 from CloudFront)
--   server     other 5xx (CloudFront's own 503s, edge-function errors, origin 500s passed through)
--   client     4xx: clients erring (probing, failed logins, refused requests)
-- Output: one row per (bucket, kind) that spikes, in time order:
--   bucket_start, bucket_end TIMESTAMPTZ, kind VARCHAR, requests (all in the bucket),
--   errors (of the kind), rate, baseline_rate (median), mad (scaled), threshold,
--   top_status (most frequent status of the kind), top_detail (most frequent detailed result
--   type), top_path (most frequent stem among those errors),
--   severity ('high' for origin and server kinds with rate >= 0.10 above baseline, else 'medium')
CREATE OR REPLACE MACRO cf_error_spikes(tbl, bucket := INTERVAL 1 MINUTE, k := 5.0, min_excess := 0.05,
                                        min_errors := 5) AS TABLE
WITH _cf_t AS (
    SELECT to_timestamp(floor(epoch(timestamp) / epoch(bucket)) * epoch(bucket)) AS b,
           sc_status, cs_uri_stem, x_edge_detailed_result_type AS detail,
           CASE WHEN coalesce(is_origin_error(x_edge_result_type, sc_status, x_edge_detailed_result_type), false) THEN 'origin'
                WHEN sc_status BETWEEN 500 AND 599 THEN 'server'
                WHEN sc_status BETWEEN 400 AND 499 THEN 'client'
           END AS kind
    FROM query_table(tbl)
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
_cf_base AS (
    SELECT kind, median(rate) AS baseline_rate, 1.4826 * mad(rate) AS mad FROM _cf_grid grid GROUP BY kind
),
_cf_spikes AS (
    SELECT g.*, base.baseline_rate, base.mad,
           greatest(base.baseline_rate + k * base.mad, base.baseline_rate + min_excess) AS threshold
    FROM _cf_grid g JOIN _cf_base base USING (kind)
    WHERE g.errors >= min_errors
      AND g.rate > greatest(base.baseline_rate + k * base.mad, base.baseline_rate + min_excess)
),
_cf_detail AS (
    SELECT t.b, t.kind,
           mode(t.sc_status ORDER BY t.sc_status) AS top_status,
           mode(t.detail ORDER BY t.detail) AS top_detail,
           mode(t.cs_uri_stem ORDER BY t.cs_uri_stem) AS top_path
    FROM _cf_t t JOIN _cf_spikes s ON s.b = t.b AND s.kind = t.kind
    GROUP BY t.b, t.kind
)
SELECT s.b AS bucket_start, s.b + bucket AS bucket_end, s.kind, s.requests, s.errors, s.rate,
       s.baseline_rate, s.mad, s.threshold, d.top_status, d.top_detail, d.top_path,
       CASE WHEN s.kind IN ('origin', 'server') AND s.rate - s.baseline_rate >= 0.10 THEN 'high' ELSE 'medium' END AS severity
FROM _cf_spikes s JOIN _cf_detail d ON d.b = s.b AND d.kind = s.kind
ORDER BY s.b, s.kind;
