-- cf_cache_busting: URI stems flooded with random query strings to force cache misses.
-- Question: Which URI stems get cache misses driven by random-looking query values (a new value on every request, so CloudFront must go to the origin), from which clients?
-- Parameters:
--   tbl                         name of a table or view of read_cloudfront() rows (VARCHAR)
--   min_per_client := 10        random-query requests one client must send to one stem to count
--                               as "busting". Click IDs (gclid, fbclid) are random too, but a
--                               visitor lands with one, maybe two: on cfgen days the most any
--                               benign client sent to one stem was 2.
--   min_requests := 50          random-query requests by busting clients a stem needs to be
--                               reported (an attack that matters to the origin is sustained;
--                               50 is a floor well under any flood worth a look).
--   min_distinct_ratio := 0.8   distinct query strings / busting requests: busters rarely repeat
--                               a value (that would be a cache hit); retries of one URL do.
-- A query "looks random" when any parameter value (the text after the first '=', or the whole
-- parameter without '='; split on & and ;), percent-decoded once, passes looks_random().
-- query_max_entropy() is reported as evidence (bits per character of the most random value).
-- Output: one row per flagged stem, most busting requests first:
--   cs_uri_stem, requests (all requests to the stem), misses, miss_ratio (stem overall),
--   busting_clients, busting_requests, busting_miss_ratio, distinct_queries,
--   avg_query_entropy, params (parameter names used), clients (up to 10 busting IPs),
--   client_list VARCHAR[] (every busting client, most busting requests first),
--   first_seen, last_seen (of busting requests),
--   severity ('high' when busting_requests >= 4 x min_requests and >= 90% of them missed
--   the cache, else 'medium')
CREATE OR REPLACE MACRO cf_cache_busting(tbl, min_per_client := 10, min_requests := 50,
                                         min_distinct_ratio := 0.8) AS TABLE
WITH _cf_args AS (
    SELECT
        TRY_CAST(min_per_client::VARCHAR AS BIGINT) AS min_per_client,
        TRY_CAST(min_requests::VARCHAR AS BIGINT) AS min_requests,
        TRY_CAST(min_distinct_ratio::VARCHAR AS DOUBLE) AS min_distinct_ratio
),
-- NOT MATERIALIZED: each reference re-reads these rows (a projection of the table) instead of
-- holding every row in memory; cf_hunt runs all hunts in one query, where held row sets add up
-- with input (docs/scale.md).
_cf_t AS NOT MATERIALIZED (
    SELECT c_ip, timestamp, cs_uri_stem, cs_uri_query, cache_miss, query_random, query_entropy
    -- Parameters are checked here, where DuckDB evaluates them while binding the query: a
    -- mistake is an error naming the macro and the parameter, even on an empty table.
    FROM cf_events(CASE
        WHEN min_per_client IS NULL THEN error('cf_cache_busting: min_per_client must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_per_client::VARCHAR AS DOUBLE) = TRY_CAST(min_per_client::VARCHAR AS BIGINT), false) THEN error('cf_cache_busting: min_per_client must be a whole number, got ' || min_per_client::VARCHAR)
        WHEN TRY_CAST(min_per_client::VARCHAR AS BIGINT) < 1 THEN error('cf_cache_busting: min_per_client must be >= 1, got ' || min_per_client::VARCHAR)
        WHEN min_requests IS NULL THEN error('cf_cache_busting: min_requests must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_requests::VARCHAR AS DOUBLE) = TRY_CAST(min_requests::VARCHAR AS BIGINT), false) THEN error('cf_cache_busting: min_requests must be a whole number, got ' || min_requests::VARCHAR)
        WHEN TRY_CAST(min_requests::VARCHAR AS BIGINT) < 1 THEN error('cf_cache_busting: min_requests must be >= 1, got ' || min_requests::VARCHAR)
        WHEN min_distinct_ratio IS NULL THEN error('cf_cache_busting: min_distinct_ratio must not be NULL')
        WHEN NOT coalesce(isfinite(TRY_CAST(min_distinct_ratio::VARCHAR AS DOUBLE)), false) THEN error('cf_cache_busting: min_distinct_ratio must be a number, got ' || min_distinct_ratio::VARCHAR)
        WHEN NOT (TRY_CAST(min_distinct_ratio::VARCHAR AS DOUBLE) > 0 AND TRY_CAST(min_distinct_ratio::VARCHAR AS DOUBLE) <= 1) THEN error('cf_cache_busting: min_distinct_ratio must be in (0, 1], got ' || min_distinct_ratio::VARCHAR)
        ELSE tbl END)
),
-- Judge each distinct query string once.
-- Queries with a random-looking parameter value (the enriched query_random), and the names of
-- their parameters.
_cf_qs AS (
    SELECT DISTINCT cs_uri_query AS q FROM _cf_t t WHERE cs_uri_query IS NOT NULL AND query_random
),
_cf_params AS (
    SELECT q, unnest(string_split_regex(q, '[&;]')) AS p FROM _cf_qs qs
),
_cf_judged AS (
    SELECT q,
           string_agg(DISTINCT CASE WHEN contains(p, '=') THEN split_part(p, '=', 1) END, ',' ORDER BY CASE WHEN contains(p, '=') THEN split_part(p, '=', 1) END) AS names,
    FROM _cf_params params
    GROUP BY q
),
_cf_rq AS (
    SELECT t.*, j.names, t.query_entropy AS entropy, t.cache_miss AS miss
    FROM _cf_t t JOIN _cf_judged j ON j.q = t.cs_uri_query
),
_cf_pair AS (
    SELECT cs_uri_stem, c_ip, count(*) AS n FROM _cf_rq rq GROUP BY cs_uri_stem, c_ip
    HAVING count(*) >= (SELECT args.min_per_client FROM _cf_args args)
),
_cf_busting AS (
    SELECT rq.* FROM _cf_rq rq JOIN _cf_pair pair USING (cs_uri_stem, c_ip)
),
_cf_per_stem AS (
    SELECT cs_uri_stem,
           count(DISTINCT c_ip) AS busting_clients,
           count(*) AS busting_requests,
           count(*) FILTER (WHERE miss) / count(*) AS busting_miss_ratio,
           count(DISTINCT cs_uri_query) AS distinct_queries,
           avg(entropy) AS avg_query_entropy,
           string_agg(DISTINCT names, ',' ORDER BY names) AS params,
           min(timestamp) AS first_seen, max(timestamp) AS last_seen
    FROM _cf_busting busting
    GROUP BY cs_uri_stem
    HAVING count(*) >= (SELECT args.min_requests FROM _cf_args args)
       AND count(DISTINCT cs_uri_query) >= (SELECT args.min_distinct_ratio FROM _cf_args args) * count(*)
),
_cf_clients AS (
    SELECT cs_uri_stem, string_agg(c_ip, ',' ORDER BY n DESC, c_ip) FILTER (WHERE rk <= 10) AS clients,
           list(c_ip ORDER BY n DESC, c_ip) AS client_list
    FROM (SELECT cs_uri_stem, c_ip, n,
                 row_number() OVER (PARTITION BY cs_uri_stem ORDER BY n DESC, c_ip) AS rk
          FROM _cf_pair pair)
    GROUP BY cs_uri_stem
),
_cf_stem_all AS (
    SELECT cs_uri_stem, count(*) AS requests,
           count(*) FILTER (WHERE cache_miss) AS misses
    FROM _cf_t t
    WHERE cs_uri_stem IN (SELECT cs_uri_stem FROM _cf_per_stem per_stem)
    GROUP BY cs_uri_stem
)
SELECT s.cs_uri_stem, a.requests, a.misses, a.misses / a.requests AS miss_ratio,
       s.busting_clients, s.busting_requests, s.busting_miss_ratio, s.distinct_queries,
       s.avg_query_entropy, s.params, c.clients, c.client_list, s.first_seen, s.last_seen,
       CASE WHEN s.busting_requests >= 4 * g.min_requests AND s.busting_miss_ratio >= 0.9
            THEN 'high' ELSE 'medium' END AS severity
FROM _cf_per_stem s
JOIN _cf_stem_all a USING (cs_uri_stem)
LEFT JOIN _cf_clients c USING (cs_uri_stem)
CROSS JOIN _cf_args g
ORDER BY s.busting_requests DESC, s.cs_uri_stem;
