-- cf_summary: a one-screen overview of a table of CloudFront log rows.
-- Question: What does this traffic look like overall: time range, volume, clients, bytes, status mix, cache hit ratio and busiest edge locations?
-- Parameters:
--   tbl              name of a table or view of read_cloudfront() rows (VARCHAR, resolved with query_table)
--   top_edges := 5   how many edge locations to list (a screenful, not a detection threshold)
-- Output: one row per metric, in display order (a "key/value" shape so that one screen shows
-- everything and new metrics do not change the schema):
--   ord INTEGER       display order
--   metric VARCHAR    first_seen, last_seen, requests, distinct_clients, bytes_out, status_2xx,
--                     status_3xx, status_4xx, status_5xx, status_other (000 = viewer left early,
--                     1xx, NULL), cache_hit_ratio, then edge_1 .. edge_<top_edges>
--   value VARCHAR     the figure (timestamps as ISO 8601 UTC; counts and bytes as integers;
--                     ratios as a fraction with 4 decimals; edge_N: the x-edge-location value)
--   detail VARCHAR    human-readable context: share of requests, bytes in KiB/MiB/GiB, or the
--                     edge location's city and country from edge_location()
-- cache_hit_ratio = (x-edge-result-type Hit + RefreshHit) / all requests, as AWS's CloudFront
-- console computes its "hit rate" from those two result types.
CREATE OR REPLACE MACRO cf_summary(tbl, top_edges := 5) AS TABLE
WITH _cf_args AS (
    SELECT
        TRY_CAST(top_edges::VARCHAR AS BIGINT) AS top_edges
),
-- NOT MATERIALIZED: each reference re-reads these rows (a projection of the table) instead of
-- holding every row in memory; cf_hunt runs all hunts in one query, where held row sets add up
-- with input (docs/scale.md).
_cf_t AS NOT MATERIALIZED (
    SELECT timestamp, c_ip, sc_bytes, sc_status, x_edge_result_type, x_edge_location, edge_city, edge_country
    -- Parameters are checked here, where DuckDB evaluates them while binding the query: a
    -- mistake is an error naming the macro and the parameter, even on an empty table.
    FROM cf_events(CASE
        WHEN top_edges IS NULL THEN error('cf_summary: top_edges must not be NULL')
        WHEN NOT coalesce(TRY_CAST(top_edges::VARCHAR AS DOUBLE) = TRY_CAST(top_edges::VARCHAR AS BIGINT), false) THEN error('cf_summary: top_edges must be a whole number, got ' || top_edges::VARCHAR)
        WHEN TRY_CAST(top_edges::VARCHAR AS BIGINT) < 0 THEN error('cf_summary: top_edges must be >= 0, got ' || top_edges::VARCHAR)
        ELSE tbl END)
),
_cf_tot AS (
    SELECT
        min(timestamp) AS first_seen,
        max(timestamp) AS last_seen,
        count(*) AS requests,
        count(DISTINCT c_ip) AS clients,
        coalesce(sum(sc_bytes), 0)::BIGINT AS bytes_out,
        count(*) FILTER (WHERE sc_status BETWEEN 200 AND 299) AS s2,
        count(*) FILTER (WHERE sc_status BETWEEN 300 AND 399) AS s3,
        count(*) FILTER (WHERE sc_status BETWEEN 400 AND 499) AS s4,
        count(*) FILTER (WHERE sc_status BETWEEN 500 AND 599) AS s5,
        count(*) FILTER (WHERE sc_status IS NULL OR sc_status < 200 OR sc_status > 599) AS so,
        count(*) FILTER (WHERE x_edge_result_type IN ('Hit', 'RefreshHit')) AS hits
    FROM _cf_t t
),
_cf_edges AS (
    SELECT x_edge_location AS loc, count(*) AS n, min(edge_city) AS city, min(edge_country) AS country,
           row_number() OVER (ORDER BY count(*) DESC, x_edge_location) AS rk
    FROM _cf_t t
    GROUP BY x_edge_location
    QUALIFY row_number() OVER (ORDER BY count(*) DESC, x_edge_location) <= (SELECT args.top_edges FROM _cf_args args)
),
_cf_pct AS (
    SELECT *, printf('%.1f%% of requests', 100.0 * s2 / nullif(requests, 0)) AS p2,
              printf('%.1f%% of requests', 100.0 * s3 / nullif(requests, 0)) AS p3,
              printf('%.1f%% of requests', 100.0 * s4 / nullif(requests, 0)) AS p4,
              printf('%.1f%% of requests', 100.0 * s5 / nullif(requests, 0)) AS p5,
              printf('%.1f%% of requests', 100.0 * so / nullif(requests, 0)) AS po
    FROM _cf_tot tot
)
SELECT ord, metric, value, detail FROM (
    SELECT 1 AS ord, 'first_seen' AS metric, strftime(timezone('UTC', first_seen), '%Y-%m-%dT%H:%M:%SZ') AS value, NULL::VARCHAR AS detail FROM _cf_pct pct
    UNION ALL SELECT 2, 'last_seen', strftime(timezone('UTC', last_seen), '%Y-%m-%dT%H:%M:%SZ'),
        printf('%.1f hours covered', (epoch(last_seen) - epoch(first_seen)) / 3600.0) FROM _cf_pct pct
    UNION ALL SELECT 3, 'requests', requests::VARCHAR, NULL FROM _cf_pct pct
    UNION ALL SELECT 4, 'distinct_clients', clients::VARCHAR, 'distinct c-ip values' FROM _cf_pct pct
    UNION ALL SELECT 5, 'bytes_out', bytes_out::VARCHAR, cf_format_bytes(bytes_out) || ' sent to viewers (sc-bytes)' FROM _cf_pct pct
    UNION ALL SELECT 6, 'status_2xx', s2::VARCHAR, p2 FROM _cf_pct pct
    UNION ALL SELECT 7, 'status_3xx', s3::VARCHAR, p3 FROM _cf_pct pct
    UNION ALL SELECT 8, 'status_4xx', s4::VARCHAR, p4 FROM _cf_pct pct
    UNION ALL SELECT 9, 'status_5xx', s5::VARCHAR, p5 FROM _cf_pct pct
    UNION ALL SELECT 10, 'status_other', so::VARCHAR, po || ' (000, 1xx or missing)' FROM _cf_pct pct
    UNION ALL SELECT 11, 'cache_hit_ratio', printf('%.4f', hits / nullif(requests, 0)),
        printf('%d Hit/RefreshHit of %d requests', hits, requests) FROM _cf_pct pct
    UNION ALL
    SELECT 11 + e.rk::INTEGER, 'edge_' || e.rk, e.loc,
        coalesce(e.city || ', ' || e.country, 'unknown location') ||
        printf(' - %d requests (%.1f%%)', e.n, 100.0 * e.n / nullif(p.requests, 0))
    FROM _cf_edges e CROSS JOIN _cf_pct p
)
ORDER BY ord;
