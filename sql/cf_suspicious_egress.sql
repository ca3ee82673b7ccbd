-- cf_suspicious_egress: clients that take out far more data than the rest of the population.
-- Question: Which clients downloaded outsized volumes (bytes out far above the population's p99) or many large objects, as in bulk data exfiltration?
-- Parameters:
--   tbl                                 name of a table or view of read_cloudfront() rows (VARCHAR)
--   factor := 10.0                      a client's bytes out must exceed factor x the p99 of
--                                       bytes out per client ...
--   min_bytes := 1000000000             ... and at least this many bytes (1 GB), so a tiny site's
--                                       p99 does not make a few MB "outsized". Measured on cfgen
--                                       benign days: p99 per client ~21 MB, maximum ~45 MB (video
--                                       range requests), i.e. 2x the p99; 10x leaves margin.
--   large_object_bytes := 100000000     a response of at least this many sc-bytes (100 MB) is a
--                                       "large object" (benign cfgen traffic has none; video is
--                                       fetched in 0.5-2 MB ranges) ...
--   min_large_objects := 10             ... and this many of them flag a client on their own.
-- Also reported: a robust z-score of log10(bytes out) against all clients,
-- (log10(b) - median) / (1.4826 x MAD), for ranking and context.
-- Output: one row per flagged client, most bytes first:
--   c_ip, requests, bytes_out BIGINT, bytes_out_human VARCHAR, population_p99 DOUBLE,
--   times_p99 DOUBLE, robust_z DOUBLE, large_objects BIGINT, largest_object BIGINT,
--   distinct_uris, top_path (stem with most bytes), user_agent (most frequent, decoded),
--   first_seen, last_seen,
--   severity ('high' when bytes_out >= 100 x p99 and >= min_bytes, or large_objects >=
--   5 x min_large_objects; else 'medium')
CREATE OR REPLACE MACRO cf_suspicious_egress(tbl, factor := 10.0, min_bytes := 1000000000,
                                             large_object_bytes := 100000000, min_large_objects := 10) AS TABLE
WITH _cf_args AS (
    SELECT
        TRY_CAST(factor::VARCHAR AS DOUBLE) AS factor,
        TRY_CAST(min_bytes::VARCHAR AS BIGINT) AS min_bytes,
        TRY_CAST(large_object_bytes::VARCHAR AS BIGINT) AS large_object_bytes,
        TRY_CAST(min_large_objects::VARCHAR AS BIGINT) AS min_large_objects
),
-- NOT MATERIALIZED: each reference re-reads these rows (a projection of the table) instead of
-- holding every row in memory; cf_hunt runs all hunts in one query, where held row sets add up
-- with input (docs/scale.md).
_cf_t AS NOT MATERIALIZED (
    SELECT c_ip, timestamp, cs_uri_stem, sc_bytes, cs_user_agent
    -- Parameters are checked here, where DuckDB evaluates them while binding the query: a
    -- mistake is an error naming the macro and the parameter, even on an empty table.
    FROM query_table(CASE
        WHEN factor IS NULL THEN error('cf_suspicious_egress: factor must not be NULL')
        WHEN NOT coalesce(isfinite(TRY_CAST(factor::VARCHAR AS DOUBLE)), false) THEN error('cf_suspicious_egress: factor must be a number, got ' || factor::VARCHAR)
        WHEN TRY_CAST(factor::VARCHAR AS DOUBLE) <= 0 THEN error('cf_suspicious_egress: factor must be > 0, got ' || factor::VARCHAR)
        WHEN min_bytes IS NULL THEN error('cf_suspicious_egress: min_bytes must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_bytes::VARCHAR AS DOUBLE) = TRY_CAST(min_bytes::VARCHAR AS BIGINT), false) THEN error('cf_suspicious_egress: min_bytes must be a whole number, got ' || min_bytes::VARCHAR)
        WHEN TRY_CAST(min_bytes::VARCHAR AS BIGINT) < 1 THEN error('cf_suspicious_egress: min_bytes must be >= 1, got ' || min_bytes::VARCHAR)
        WHEN large_object_bytes IS NULL THEN error('cf_suspicious_egress: large_object_bytes must not be NULL')
        WHEN NOT coalesce(TRY_CAST(large_object_bytes::VARCHAR AS DOUBLE) = TRY_CAST(large_object_bytes::VARCHAR AS BIGINT), false) THEN error('cf_suspicious_egress: large_object_bytes must be a whole number, got ' || large_object_bytes::VARCHAR)
        WHEN TRY_CAST(large_object_bytes::VARCHAR AS BIGINT) < 1 THEN error('cf_suspicious_egress: large_object_bytes must be >= 1, got ' || large_object_bytes::VARCHAR)
        WHEN min_large_objects IS NULL THEN error('cf_suspicious_egress: min_large_objects must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_large_objects::VARCHAR AS DOUBLE) = TRY_CAST(min_large_objects::VARCHAR AS BIGINT), false) THEN error('cf_suspicious_egress: min_large_objects must be a whole number, got ' || min_large_objects::VARCHAR)
        WHEN TRY_CAST(min_large_objects::VARCHAR AS BIGINT) < 1 THEN error('cf_suspicious_egress: min_large_objects must be >= 1, got ' || min_large_objects::VARCHAR)
        ELSE tbl END)
),
_cf_per AS (
    SELECT c_ip, count(*) AS requests, coalesce(sum(sc_bytes), 0)::BIGINT AS bytes_out,
           count(*) FILTER (WHERE sc_bytes >= (SELECT args.large_object_bytes FROM _cf_args args)) AS large_objects,
           max(sc_bytes) AS largest_object, count(DISTINCT cs_uri_stem) AS distinct_uris,
           min(timestamp) AS first_seen, max(timestamp) AS last_seen
    FROM _cf_t t GROUP BY c_ip
),
_cf_pop0 AS (
    SELECT quantile_cont(bytes_out, 0.99) AS p99, median(log10(greatest(bytes_out, 1))) AS med_log
    FROM _cf_per per
),
-- The median absolute deviation (DuckDB's mad(), spelt out so that other engines render it).
_cf_pop AS (
    SELECT any_value(p0.p99) AS p99, any_value(p0.med_log) AS med_log,
           1.4826 * median(abs(log10(greatest(per.bytes_out, 1)) - p0.med_log)) AS mad_log
    FROM _cf_per per CROSS JOIN _cf_pop0 p0
),
_cf_flagged AS (
    SELECT per.*, pop.p99, pop.med_log, pop.mad_log, a.min_bytes AS bytes_needed, a.min_large_objects AS objects_needed
    FROM _cf_per per CROSS JOIN _cf_pop pop CROSS JOIN _cf_args a
    WHERE (per.bytes_out > a.factor * pop.p99 AND per.bytes_out >= a.min_bytes)
       OR per.large_objects >= a.min_large_objects
),
_cf_top_path AS (
    SELECT c_ip, cs_uri_stem FROM _cf_t t WHERE c_ip IN (SELECT c_ip FROM _cf_flagged flagged)
    GROUP BY c_ip, cs_uri_stem
    QUALIFY row_number() OVER (PARTITION BY c_ip ORDER BY sum(sc_bytes) DESC NULLS LAST, cs_uri_stem) = 1
),
_cf_ua AS (
    SELECT c_ip, cs_user_agent FROM _cf_t t WHERE c_ip IN (SELECT c_ip FROM _cf_flagged flagged)
    GROUP BY c_ip, cs_user_agent
    QUALIFY row_number() OVER (PARTITION BY c_ip ORDER BY count(*) DESC, cs_user_agent) = 1
)
SELECT f.c_ip, f.requests, f.bytes_out, cf_format_bytes(f.bytes_out) AS bytes_out_human,
       f.p99 AS population_p99, f.bytes_out / nullif(f.p99, 0) AS times_p99,
       (log10(greatest(f.bytes_out, 1)) - f.med_log) / nullif(f.mad_log, 0) AS robust_z,
       f.large_objects, f.largest_object, f.distinct_uris, tp.cs_uri_stem AS top_path,
       ua.cs_user_agent AS user_agent, f.first_seen, f.last_seen,
       CASE WHEN (f.bytes_out >= 100 * f.p99 AND f.bytes_out >= f.bytes_needed)
                 OR f.large_objects >= 5 * f.objects_needed THEN 'high' ELSE 'medium' END AS severity
FROM _cf_flagged f
LEFT JOIN _cf_top_path tp ON tp.c_ip = f.c_ip
LEFT JOIN _cf_ua ua ON ua.c_ip = f.c_ip
ORDER BY f.bytes_out DESC, f.c_ip;
