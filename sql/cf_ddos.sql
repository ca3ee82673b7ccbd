-- cf_ddos: request floods, both site-wide rate spikes and single clients over a per-IP rate limit.
-- Question: When did the request rate jump far above its baseline (from how many sources, against what, through which edge), and which clients flooded on their own?
-- Parameters:
--   tbl                                    name of a table or view of read_cloudfront() rows (VARCHAR)
--   bucket := INTERVAL 1 MINUTE            time bucket of the rate (aligned to the Unix epoch / UTC)
--   k := 4.0                               a bucket is a spike when its requests exceed k x the
--                                          baseline. Measured: on cfgen days the busiest benign
--                                          minute was 1.95x its rolling median (benign traffic
--                                          swings ~3x over a day, but slowly); an application-
--                                          layer flood worth an alarm multiplies it (cfgen's
--                                          is ~10x). 4 sits between, with margin both ways.
--   per_ip_limit := 100                    requests by one client within per_ip_window that make it
--   per_ip_window := INTERVAL 5 MINUTE     a flood: AWS WAF Security Automations v3's HTTP-flood
--                                          default (RequestThreshold 100 requests per 5 minutes
--                                          per IP, docs/format-facts.md section 7). The window
--                                          slides: a client's peak count over any 5-minute span.
--   baseline_span := INTERVAL 1 HOUR       the baseline is the median requests per bucket within
--                                          +/- this span around the bucket (a rolling median
--                                          follows the daily cycle; a flood of a few minutes
--                                          barely moves a median over 2 hours of buckets).
--   min_requests := 100                    a spike bucket needs at least this many requests (so a
--                                          near-idle site's 1 -> 5 requests is not a "flood"): the
--                                          absolute floor next to the ratio, since a quiet site's
--                                          baseline is a few requests a minute (the real blog log:
--                                          median 3-4 per minute) and any burst is "80x" it.
-- Output: one row per finding, rate spikes first (in time order) then client floods (largest first):
--   kind VARCHAR ('rate_spike' or 'client_flood'),
--   entity VARCHAR (the bucket start as ISO 8601 UTC for rate_spike; the c_ip for client_flood),
--   window_start, window_end TIMESTAMPTZ (the bucket; or the client's peak window, ending at
--   its last request in that window), requests BIGINT (in the bucket / in the peak window),
--   baseline DOUBLE (rolling median per bucket / per_ip_limit), ratio (requests / baseline),
--   distinct_sources BIGINT, top_target VARCHAR (most requested stem), top_target_share,
--   top_edge_location VARCHAR, total_requests (the client's requests over the whole table;
--   NULL for rate spikes), top_client VARCHAR, top_client_share DOUBLE (the client sending most
--   of the bucket's requests and its share; the client itself for a client flood),
--   severity: for a spike 'high' when ratio >= 2 x k and at least 10 sources send it (a surge from
--   one to a few sources is those clients' flood, reported per client), else 'medium'; for a
--   client 'high' at >= 5 x the limit, else 'medium'
CREATE OR REPLACE MACRO cf_ddos(tbl, bucket := INTERVAL 1 MINUTE, k := 4.0, per_ip_limit := 100,
                                per_ip_window := INTERVAL 5 MINUTE, baseline_span := INTERVAL 1 HOUR,
                                min_requests := 100) AS TABLE
WITH _cf_args AS (
    SELECT
        TRY_CAST(bucket::VARCHAR AS INTERVAL) AS bucket,
        TRY_CAST(k::VARCHAR AS DOUBLE) AS k,
        TRY_CAST(per_ip_limit::VARCHAR AS BIGINT) AS per_ip_limit,
        TRY_CAST(per_ip_window::VARCHAR AS INTERVAL) AS per_ip_window,
        TRY_CAST(baseline_span::VARCHAR AS INTERVAL) AS baseline_span,
        TRY_CAST(min_requests::VARCHAR AS BIGINT) AS min_requests
),
-- NOT MATERIALIZED: each reference re-reads these rows (a projection of the table) instead of
-- holding every row in memory; cf_hunt runs all hunts in one query, where held row sets add up
-- with input (docs/scale.md).
_cf_t AS NOT MATERIALIZED (
    SELECT timestamp, c_ip, cs_uri_stem, x_edge_location,
           to_timestamp(floor(epoch(timestamp) / epoch(a.bucket)) * epoch(a.bucket)) AS b
    -- Parameters are checked here, where DuckDB evaluates them while binding the query: a
    -- mistake is an error naming the macro and the parameter, even on an empty table.
    FROM query_table(CASE
        WHEN bucket IS NULL THEN error('cf_ddos: bucket must not be NULL')
        WHEN typeof(bucket) <> 'INTERVAL' THEN error('cf_ddos: bucket must be an INTERVAL such as INTERVAL 5 MINUTE, got ' || typeof(bucket))
        WHEN epoch(TRY_CAST(bucket::VARCHAR AS INTERVAL)) <= 0 THEN error('cf_ddos: bucket must be a positive interval, got ' || bucket::VARCHAR)
        WHEN k IS NULL THEN error('cf_ddos: k must not be NULL')
        WHEN NOT coalesce(isfinite(TRY_CAST(k::VARCHAR AS DOUBLE)), false) THEN error('cf_ddos: k must be a number, got ' || k::VARCHAR)
        WHEN TRY_CAST(k::VARCHAR AS DOUBLE) <= 0 THEN error('cf_ddos: k must be > 0, got ' || k::VARCHAR)
        WHEN per_ip_limit IS NULL THEN error('cf_ddos: per_ip_limit must not be NULL')
        WHEN NOT coalesce(TRY_CAST(per_ip_limit::VARCHAR AS DOUBLE) = TRY_CAST(per_ip_limit::VARCHAR AS BIGINT), false) THEN error('cf_ddos: per_ip_limit must be a whole number, got ' || per_ip_limit::VARCHAR)
        WHEN TRY_CAST(per_ip_limit::VARCHAR AS BIGINT) < 1 THEN error('cf_ddos: per_ip_limit must be >= 1, got ' || per_ip_limit::VARCHAR)
        WHEN per_ip_window IS NULL THEN error('cf_ddos: per_ip_window must not be NULL')
        WHEN typeof(per_ip_window) <> 'INTERVAL' THEN error('cf_ddos: per_ip_window must be an INTERVAL such as INTERVAL 5 MINUTE, got ' || typeof(per_ip_window))
        WHEN epoch(TRY_CAST(per_ip_window::VARCHAR AS INTERVAL)) <= 0 THEN error('cf_ddos: per_ip_window must be a positive interval, got ' || per_ip_window::VARCHAR)
        WHEN baseline_span IS NULL THEN error('cf_ddos: baseline_span must not be NULL')
        WHEN typeof(baseline_span) <> 'INTERVAL' THEN error('cf_ddos: baseline_span must be an INTERVAL such as INTERVAL 5 MINUTE, got ' || typeof(baseline_span))
        WHEN epoch(TRY_CAST(baseline_span::VARCHAR AS INTERVAL)) <= 0 THEN error('cf_ddos: baseline_span must be a positive interval, got ' || baseline_span::VARCHAR)
        WHEN min_requests IS NULL THEN error('cf_ddos: min_requests must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_requests::VARCHAR AS DOUBLE) = TRY_CAST(min_requests::VARCHAR AS BIGINT), false) THEN error('cf_ddos: min_requests must be a whole number, got ' || min_requests::VARCHAR)
        WHEN TRY_CAST(min_requests::VARCHAR AS BIGINT) < 1 THEN error('cf_ddos: min_requests must be >= 1, got ' || min_requests::VARCHAR)
        ELSE tbl END) CROSS JOIN _cf_args a
),
_cf_per_bucket AS (
    SELECT b, count(*) AS requests FROM _cf_t t GROUP BY b
),
_cf_rolling AS (
    SELECT pb.b, pb.requests,
           median(pb.requests) OVER (ORDER BY pb.b RANGE BETWEEN a.baseline_span PRECEDING AND a.baseline_span FOLLOWING) AS baseline
    FROM _cf_per_bucket pb CROSS JOIN _cf_args a
),
_cf_spikes AS (
    SELECT r.* FROM _cf_rolling r CROSS JOIN _cf_args a WHERE r.requests >= a.min_requests AND r.requests > a.k * r.baseline
),
_cf_spike_rows AS (
    SELECT t.* FROM _cf_t t WHERE t.b IN (SELECT b FROM _cf_spikes spikes)
),
_cf_spike_src AS (
    SELECT b, count(DISTINCT c_ip) AS distinct_sources FROM _cf_spike_rows spike_rows GROUP BY b
),
_cf_spike_target AS (
    SELECT b, cs_uri_stem, count(*) AS n FROM _cf_spike_rows spike_rows GROUP BY b, cs_uri_stem
    QUALIFY row_number() OVER (PARTITION BY b ORDER BY count(*) DESC, cs_uri_stem) = 1
),
_cf_spike_edge AS (
    SELECT b, x_edge_location FROM _cf_spike_rows spike_rows GROUP BY b, x_edge_location
    QUALIFY row_number() OVER (PARTITION BY b ORDER BY count(*) DESC, x_edge_location) = 1
),
_cf_spike_client AS (
    SELECT b, c_ip, count(*) AS n FROM _cf_spike_rows spike_rows GROUP BY b, c_ip
    QUALIFY row_number() OVER (PARTITION BY b ORDER BY count(*) DESC, c_ip) = 1
),
_cf_rate_spikes AS (
    SELECT 'rate_spike' AS kind, strftime(timezone('UTC', s.b), '%Y-%m-%dT%H:%M:%SZ') AS entity,
           s.b AS window_start, s.b + a.bucket AS window_end, s.requests, s.baseline::DOUBLE AS baseline,
           s.requests / s.baseline AS ratio, src.distinct_sources, tg.cs_uri_stem AS top_target,
           tg.n / s.requests AS top_target_share, e.x_edge_location AS top_edge_location,
           NULL::BIGINT AS total_requests, cl.c_ip AS top_client, cl.n / s.requests AS top_client_share,
           CASE WHEN s.requests >= 2 * a.k * s.baseline AND src.distinct_sources >= 10 THEN 'high' ELSE 'medium' END AS severity
    FROM _cf_spikes s
    JOIN _cf_spike_src src USING (b)
    JOIN _cf_spike_target tg USING (b)
    JOIN _cf_spike_edge e USING (b)
    JOIN _cf_spike_client cl USING (b)
    CROSS JOIN _cf_args a
),
-- Per-client sliding count, only for clients with enough requests overall to ever reach the limit.
_cf_heavy AS (
    SELECT c_ip, count(*) AS total_requests FROM _cf_t t GROUP BY c_ip
    HAVING count(*) >= (SELECT args.per_ip_limit FROM _cf_args args)
),
_cf_sliding AS (
    SELECT t.c_ip, t.timestamp,
           count(*) OVER (PARTITION BY t.c_ip ORDER BY t.timestamp
                          RANGE BETWEEN a.per_ip_window PRECEDING AND CURRENT ROW) AS n
    FROM _cf_t t CROSS JOIN _cf_args a WHERE t.c_ip IN (SELECT c_ip FROM _cf_heavy heavy)
),
_cf_peaks AS (
    SELECT c_ip, timestamp AS peak_end, n AS peak
    FROM _cf_sliding sliding
    QUALIFY row_number() OVER (PARTITION BY c_ip ORDER BY n DESC, timestamp) = 1
),
_cf_floods AS (
    SELECT p.*, h.total_requests FROM _cf_peaks p JOIN _cf_heavy h USING (c_ip) CROSS JOIN _cf_args a
    WHERE p.peak >= a.per_ip_limit
),
_cf_flood_rows AS (
    SELECT t.c_ip, t.cs_uri_stem, t.x_edge_location
    FROM _cf_t t JOIN _cf_floods f ON f.c_ip = t.c_ip CROSS JOIN _cf_args a
    WHERE t.timestamp > f.peak_end - a.per_ip_window AND t.timestamp <= f.peak_end
),
_cf_flood_target AS (
    SELECT c_ip, cs_uri_stem, count(*) AS n FROM _cf_flood_rows flood_rows GROUP BY c_ip, cs_uri_stem
    QUALIFY row_number() OVER (PARTITION BY c_ip ORDER BY count(*) DESC, cs_uri_stem) = 1
),
_cf_flood_edge AS (
    SELECT c_ip, x_edge_location FROM _cf_flood_rows flood_rows GROUP BY c_ip, x_edge_location
    QUALIFY row_number() OVER (PARTITION BY c_ip ORDER BY count(*) DESC, x_edge_location) = 1
),
_cf_client_floods AS (
    SELECT 'client_flood' AS kind, f.c_ip AS entity, f.peak_end - a.per_ip_window AS window_start,
           f.peak_end AS window_end, f.peak AS requests, a.per_ip_limit::DOUBLE AS baseline,
           f.peak / a.per_ip_limit AS ratio, 1::BIGINT AS distinct_sources, tg.cs_uri_stem AS top_target,
           tg.n / f.peak AS top_target_share, e.x_edge_location AS top_edge_location,
           f.total_requests, f.c_ip AS top_client, 1.0::DOUBLE AS top_client_share,
           CASE WHEN f.peak >= 5 * a.per_ip_limit THEN 'high' ELSE 'medium' END AS severity
    FROM _cf_floods f
    JOIN _cf_flood_target tg USING (c_ip)
    JOIN _cf_flood_edge e USING (c_ip)
    CROSS JOIN _cf_args a
)
SELECT * EXCLUDE (o) FROM (
    SELECT *, 0 AS o FROM _cf_rate_spikes rate_spikes
    UNION ALL
    SELECT *, 1 AS o FROM _cf_client_floods client_floods
)
ORDER BY o, CASE WHEN o = 0 THEN epoch(window_start) ELSE -requests END, entity;
